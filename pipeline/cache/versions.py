"""The version a cache entry was made with: change any input of a stage's rules and its cache is stale.

A stage's version is a hash over the package version, the Python sources the stage runs (a code
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
#: (A test checks that every data file named in a stage's code is listed.)
STAGE_DATA: dict[str, tuple[str, ...]] = {
    "ingest": ("column_names.yaml", "html_markup.yaml", "page_text.yaml", "unicode_tricks.yaml"),
    "extract": ("cues.yaml", "lexicon", "not_concepts.yaml", "ordinary_words.yaml"),
    "flag": ("safety", "lexicon", "cues.yaml", "not_concepts.yaml", "ordinary_words.yaml", "redaction.yaml"),
}
#: Libraries whose version changes what a stage produces.
STAGE_LIBRARIES: dict[str, tuple[str, ...]] = {
    "ingest": ("beautifulsoup4", "soupsieve", "defusedxml", "python-dateutil"),
    "extract": ("spacy", "rapidfuzz", "drug-named-entity-recognition"),
    "flag": ("spacy",),
}
#: The package modules and sub-packages each stage's code lives in, relative to ``pipeline/``
#: (a test checks that every ``pipeline`` module a stage imports is listed).
STAGE_CODE: dict[str, tuple[str, ...]] = {
    "ingest": ("__init__.py", "errors.py", "io", "ingest"),
    "extract": ("__init__.py", "errors.py", "io", "ingest/records.py", "extract", "engine"),
    "flag": ("__init__.py", "errors.py", "io", "ingest/records.py", "extract", "flag", "redact.py", "engine"),
}
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
    yield f"code={code_fingerprint(STAGE_CODE.get(stage, ()))}"
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


def code_fingerprint(parts: Iterable[str]) -> str:
    """A hash of the Python sources under ``parts`` (files or folders of ``pipeline/``)."""
    package = Path(str(resources.files("pipeline")))
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted({p for part in parts for p in _python_files(package / part)}):
        digest.update(path.relative_to(package).as_posix().encode() + b"\x1f" + path.read_bytes() + b"\x1e")
    return digest.hexdigest()


def _python_files(path: Path) -> list[Path]:
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


def _installed_version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "absent"


def _hash_text(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
