"""Loading the knowledge files (YAML) shipped in ``pipeline/data`` or given by the user.

Every loader refuses unknown keys with a message naming the file and the entry, so a typo
in a user's lexicon is an error rather than a silently ignored rule.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, Iterable

import yaml

from pipeline.errors import RuleFileError


def packaged_files(folder: str) -> list[tuple[str, str]]:
    """Return ``(name, text)`` of every YAML file in ``pipeline/data/<folder>``, sorted by name."""
    root = resources.files("pipeline.data").joinpath(folder)
    files = sorted((entry for entry in root.iterdir() if entry.name.endswith(".yaml")), key=lambda e: e.name)
    return [(f"pipeline/data/{folder}/{entry.name}", entry.read_text(encoding="utf-8")) for entry in files]


def packaged_file(name: str) -> tuple[str, str]:
    """Return ``(name, text)`` of ``pipeline/data/<name>``."""
    return f"pipeline/data/{name}", resources.files("pipeline.data").joinpath(name).read_text(encoding="utf-8")


def user_files(paths: Iterable[Path]) -> list[tuple[str, str]]:
    """Read user-given rule files, raising :class:`RuleFileError` for one that cannot be read."""
    loaded = []
    for path in paths:
        try:
            loaded.append((str(path), Path(path).read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as error:
            raise RuleFileError(f"{path}: cannot read rule file: {getattr(error, 'strerror', None) or error}") from None
    return loaded


# libyaml's safe loader when PyYAML was built with it: the same documents, about ten times faster
# (the lexicon and rule files are parsed by every run and every worker process).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(name: str, text: str) -> Any:
    """Parse YAML safely; a syntax error names the file and line."""
    try:
        return yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        raise RuleFileError(f"{name}{where}: not valid YAML: {getattr(error, 'problem', error)}") from None


def check_keys(name: str, where: str, entry: Any, allowed: set[str], required: set[str] = frozenset()) -> dict:
    """Ensure ``entry`` is a mapping with only ``allowed`` keys and every ``required`` key."""
    if not isinstance(entry, dict):
        raise RuleFileError(f"{name}: {where}: expected a mapping, found {type(entry).__name__}")
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise RuleFileError(f"{name}: {where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")
    missing = sorted(required - set(entry))
    if missing:
        raise RuleFileError(f"{name}: {where}: missing key {missing[0]!r}")
    return entry


def string_list(name: str, where: str, value: Any) -> list[str]:
    """A list of non-empty strings, or an error naming the file and entry."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise RuleFileError(f"{name}: {where}: expected a list of strings, found {type(value).__name__}")
    for position, item in enumerate(value, start=1):
        if isinstance(item, bool):
            raise RuleFileError(
                f"{name}: {where}: item {position} was read as {item} (quote words such as no, on, off, yes)"
            )
        if not isinstance(item, str) or not item.strip():
            raise RuleFileError(f"{name}: {where}: item {position} ({item!r}) is not a non-empty string")
    return [item.strip() for item in value]
