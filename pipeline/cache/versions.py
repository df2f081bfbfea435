"""The version a cache entry was made with: change any input of a stage's rules and its cache is stale.

A stage's version is a hash over the package version, the package's Python sources (a code
change without a version bump must not serve old results), the library versions that decide
tokenisation and matching, the packaged data files the stage reads under ``pipeline/data/``,
and the contents of the rule files the user gave (``--lexicon``, ``--rules``) and ``--model``.
"""
from __future__ import annotations

import hashlib
from importlib import metadata, resources
from pathlib import Path
from typing import Iterable

from pipeline.io.rule_files import user_files

#: The packaged data files (or folders) each stage reads, relative to ``pipeline/data``.
STAGE_DATA: dict[str, tuple[str, ...]] = {
    "ingest": ("column_names.yaml", "html_markup.yaml", "page_text.yaml"),
    "extract": ("cues.yaml", "lexicon", "not_concepts.yaml", "ordinary_words.yaml"),
    "flag": ("safety", "lexicon"),
}
#: Libraries whose version changes what a stage produces.
STAGE_LIBRARIES: dict[str, tuple[str, ...]] = {
    "ingest": ("beautifulsoup4", "defusedxml", "python-dateutil"),
    "extract": ("spacy", "rapidfuzz", "drug-named-entity-recognition"),
    "flag": ("spacy",),
}
#: Modules left out of the code fingerprint: they never change a stage's rows.
_NOT_STAGE_CODE = ("cli.py", "__main__.py", "cache", "report", "review", "evaluate", "cluster")
VERSION_CHARS = 16


def stage_version(
    stage: str, *, rule_files: Iterable[Path] = (), model: str | None = None, options: str = "",
) -> str:
    """A short hash naming everything ``stage``'s output depends on besides its input rows.

    Raises:
        RuleFileError: a user rule file cannot be read.
    """
    digest = hashlib.blake2b(digest_size=16)
    for part in _version_parts(stage, rule_files, model, options):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x1e")
    return digest.hexdigest()[:VERSION_CHARS]


def _version_parts(stage: str, rule_files: Iterable[Path], model: str | None, options: str) -> Iterable[str]:
    yield f"stage={stage}"
    yield f"remedy-miner={_installed_version('remedy-miner')}"
    yield f"code={code_fingerprint()}"
    for library in STAGE_LIBRARIES.get(stage, ()):
        yield f"{library}={_installed_version(library)}"
    for name, text in packaged_data(STAGE_DATA.get(stage, ())):
        yield f"data:{name}={_hash_text(text)}"
    for name, text in user_files(rule_files):
        yield f"user:{_hash_text(text)}"  # the contents count, not where the file lies
    if model:
        yield f"model={model}={_installed_version(model)}"
    yield f"options={options}"


def packaged_data(entries: Iterable[str]) -> list[tuple[str, str]]:
    """``(name, text)`` of the packaged data files and folders named, sorted by name."""
    root = resources.files("pipeline.data")
    found: list[tuple[str, str]] = []
    for entry in entries:
        node = root.joinpath(entry)
        members = sorted(_files_under(node), key=lambda item: item[0]) if node.is_dir() else [(entry, node)]
        found.extend((name, member.read_text(encoding="utf-8")) for name, member in members)
    return found


def _files_under(node, prefix: str = ""):
    for child in node.iterdir():
        name = f"{prefix or node.name}/{child.name}"
        if child.is_dir():
            yield from _files_under(child, name)
        elif child.name.endswith((".yaml", ".yml", ".json", ".txt")):
            yield name, child


_CODE_FINGERPRINT: list[str] = []


def code_fingerprint() -> str:
    """A hash of the package's Python sources that stages run (computed once per process)."""
    if not _CODE_FINGERPRINT:
        package = Path(resources.files("pipeline"))  # type: ignore[arg-type]
        digest = hashlib.blake2b(digest_size=16)
        for path in sorted(package.rglob("*.py")):
            relative = path.relative_to(package)
            if relative.parts[0] in _NOT_STAGE_CODE:
                continue
            digest.update(relative.as_posix().encode() + b"\x1f" + path.read_bytes() + b"\x1e")
        _CODE_FINGERPRINT.append(digest.hexdigest())
    return _CODE_FINGERPRINT[0]


def _installed_version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "absent"


def _hash_text(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
