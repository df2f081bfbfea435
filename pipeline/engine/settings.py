"""What a worker needs to rebuild a stage's rules: small, picklable and hashable.

``--lexicon`` and ``--rules`` files are read once on the client and travel as their content,
so the workers of a cluster need not see the client's files. A worker writes them back into a
private temporary folder under their own base names (the rule loaders read paths, and a
message naming a file should name the user's file) and builds from there.
"""
from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from pipeline.extract.lexicon import cached_lexicon
from pipeline.io.rule_files import user_files

#: Comments per partition. Fixed, never derived from the number of workers: partitions decide
#: nothing about the output, but keeping them fixed keeps the Parquet row groups, and so the
#: file bytes, the same whatever the worker count.
PARTITION_SIZE = 2000


@dataclass(frozen=True)
class ShippedFile:
    """A user's rule file, carried by content: ``name`` is the path the user gave."""

    name: str
    text: str


@dataclass(frozen=True)
class ExtractSettings:
    """How to build the extract pipeline (see :func:`pipeline.extract.nlp.build_nlp`)."""

    lexicon: tuple[ShippedFile, ...] = ()
    model: str | None = None


@dataclass(frozen=True)
class FlagSettings:
    """Which lexicon and safety rules the flag stage uses."""

    lexicon: tuple[ShippedFile, ...] = ()
    rules: tuple[ShippedFile, ...] = ()


def ship_files(paths: Iterable[Path] | None) -> tuple[ShippedFile, ...]:
    """Read the user's files on the client.

    Raises:
        RuleFileError: a file cannot be read.
    """
    return tuple(ShippedFile(name, text) for name, text in user_files(paths or []))


def extract_settings(lexicon: Iterable[Path] | None, model: str | None) -> ExtractSettings:
    """Check the user's ``--lexicon`` files here on the client, where an error names them as the
    user gave them, and pack them for the workers.

    Raises:
        RuleFileError: a file cannot be read or is not a valid lexicon.
    """
    cached_lexicon(tuple(str(path) for path in lexicon or []))
    return ExtractSettings(lexicon=ship_files(lexicon), model=model)


def flag_settings(lexicon: Iterable[Path] | None, rules: Iterable[Path] | None) -> FlagSettings:
    """Check the user's ``--lexicon`` and ``--rules`` files on the client and pack them.

    Raises:
        RuleFileError: a file cannot be read or is not valid.
    """
    from pipeline.flag.rules import load_safety_rules

    checked_lexicon = cached_lexicon(tuple(str(path) for path in lexicon or []))
    checked_rules = load_safety_rules(list(rules or []))
    settings = FlagSettings(lexicon=ship_files(lexicon), rules=ship_files(rules))
    if not settings.lexicon and not settings.rules:
        # Only the packaged files: what was just checked is what a task of this process would
        # load again (about 0.5 s), so it is kept for them.
        from pipeline.engine.tasks import keep_flag_rules

        keep_flag_rules(settings, checked_rules, checked_lexicon)
    return settings


_WRITTEN: dict[tuple[ShippedFile, ...], tuple[Path, ...]] = {}


def local_paths(files: tuple[ShippedFile, ...]) -> tuple[Path, ...]:
    """Paths in this process's temporary folder holding ``files`` (written once per process)."""
    if not files:
        return ()
    if files not in _WRITTEN:
        folder = Path(tempfile.mkdtemp(prefix="remedy-miner-rules-"))
        atexit.register(shutil.rmtree, folder, True)
        paths = []
        for index, shipped in enumerate(files):
            path = folder / f"{index:03d}" / Path(shipped.name).name
            path.parent.mkdir()
            path.write_text(shipped.text, encoding="utf-8")
            paths.append(path)
        _WRITTEN[files] = tuple(paths)
    return _WRITTEN[files]
