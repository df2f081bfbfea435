"""The drug dictionary's name index, built once per installed version and kept on disk.

Reading the ``drug-named-entity-recognition`` package's pickled data (bz2) and indexing its
100,000 names costs about 2 s of CPU, in every process that extracts (the main process and each
pool or Dask worker). The index depends only on what is installed, so it is written once as JSON
to a user cache folder and read back in a fraction of that. It is keyed by a hash of the
package's version, its data file's bytes and the code and stop words that build the index:
when any of them changes, the stale file is not used and a new one is built. Nothing is ever
downloaded; a folder that cannot be written only costs the speed-up.

JSON, not pickle: the cache folder is writable by the user, and reading it must never run code.
"""
from __future__ import annotations

import bz2
import hashlib
import importlib.util
import json
import os
import pickle
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS

from pipeline.errors import PipelineError

DRUG_PACKAGE = "drug_named_entity_recognition"
DRUG_DISTRIBUTION = "drug-named-entity-recognition"
DICTIONARY_FILE = "drug_ner_dictionary.pkl.bz2"
MIN_DICTIONARY_NAME = 5
MAX_NAME_WORDS = 4
#: Names the folder of the index cache; ``off`` turns the cache off.
CACHE_ENVIRONMENT = "REMEDY_MINER_INDEX_CACHE"
_FORMAT = 1
_KEY_CHARS = 24


@dataclass(frozen=True)
class NameIndex:
    """Every dictionary name long enough to match, before the lexicon's exclusions.

    Attributes:
        names: lower-cased name -> canonical generic name.
        word_counts: for each word that can start a name, how many names of 1 ..
            ``MAX_NAME_WORDS`` words start with it (so that excluded names can be taken out
            without reading every name again).
    """

    names: dict[str, str]
    word_counts: dict[str, list[int]]


def load_name_index() -> NameIndex:
    """The index of the installed dictionary: from the cache when it is current, else built (and stored)."""
    source = dictionary_file()
    key = index_key(source)
    folder = cache_folder()
    if folder is not None:
        cached = read_index(folder / f"drug-index-{key}.json", key)
        if cached is not None:
            return cached
    index = build_name_index(source)
    if folder is not None:
        write_index(folder / f"drug-index-{key}.json", key, index)
    return index


def dictionary_file() -> Path:
    """The package's data file, found without importing the package: importing it builds an
    n-gram index of every name (about 3 s of CPU) that remedy-miner never uses.

    Raises:
        PipelineError: the package is not installed.
    """
    spec = importlib.util.find_spec(DRUG_PACKAGE)
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    for location in locations:
        candidate = Path(location) / DICTIONARY_FILE
        if candidate.is_file():
            return candidate
    raise PipelineError(f"the drug dictionary is missing: install the {DRUG_DISTRIBUTION!r} package (pip install remedy-miner)")


def index_key(source: Path) -> str:
    """A hash of everything the index is built from."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (
        f"format={_FORMAT}",
        f"{DRUG_DISTRIBUTION}={_installed_version(DRUG_DISTRIBUTION)}",
        Path(__file__).read_text(encoding="utf-8"),
        "\x1f".join(sorted(STOP_WORDS)),
    ):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\x1e")
    digest.update(source.read_bytes())
    return digest.hexdigest()[:_KEY_CHARS]


def cache_folder() -> Path | None:
    """``$REMEDY_MINER_INDEX_CACHE``, else ``$XDG_CACHE_HOME/remedy-miner``, else
    ``~/.cache/remedy-miner``; ``None`` when set to ``off`` or when there is no home folder."""
    configured = os.environ.get(CACHE_ENVIRONMENT, "")
    if configured.lower() == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:
            return None
    return Path(base) / "remedy-miner"


def build_name_index(source: Path) -> NameIndex:
    """Read the package's pickled dictionary and index its names."""
    with source.open("rb") as handle:
        data = pickle.load(bz2.open(handle))
    canonical_data = data["drug_canonical_to_data"]
    names: dict[str, str] = {}
    for variant, canonicals in data["drug_variant_to_canonical"].items():
        if len(variant) < MIN_DICTIONARY_NAME or not canonicals:
            continue
        canonical = canonicals[0]
        names[variant] = str(canonical_data.get(canonical, {}).get("name", canonical)).lower()
    word_counts: dict[str, list[int]] = {}
    for name in names:
        first, words = first_word_and_length(name)
        if words <= MAX_NAME_WORDS and can_start_a_name(first):
            word_counts.setdefault(first, [0] * MAX_NAME_WORDS)[words - 1] += 1
    return NameIndex(names, word_counts)


def first_word_and_length(name: str) -> tuple[str, int]:
    """``("st.", 3)`` for ``"st. john's wort"``."""
    return name.split(" ", 1)[0], name.count(" ") + 1


def can_start_a_name(word: str) -> bool:
    """Dictionary names that start with a stop word or a symbol ("a and d ointment") would make
    every "a" and "," a candidate; they are left out."""
    return len(word) >= 3 and word not in STOP_WORDS and any(character.isalpha() for character in word)


def read_index(path: Path, key: str) -> NameIndex | None:
    """The index stored at ``path``, or ``None`` when it is absent, unreadable or not for ``key``."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return _index_from_document(document, key)
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def write_index(path: Path, key: str, index: NameIndex) -> None:
    """Store ``index`` at ``path`` atomically; a folder that cannot be written is not an error."""
    generics = sorted(set(index.names.values()))
    number = {generic: i for i, generic in enumerate(generics)}
    document = {
        "format": _FORMAT,
        "key": key,
        "generics": generics,
        "variants": list(index.names),
        "generic_of": [number[generic] for generic in index.names.values()],
        "starts": list(index.word_counts),
        "word_counts": list(index.word_counts.values()),
    }
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(document, stream, ensure_ascii=False, separators=(",", ":"))
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


def _index_from_document(document: dict[str, Any], key: str) -> NameIndex | None:
    if document.get("format") != _FORMAT or document.get("key") != key:
        return None
    generics = document["generics"]
    variants, generic_of = document["variants"], document["generic_of"]
    starts, word_counts = document["starts"], document["word_counts"]
    if len(variants) != len(generic_of) or len(starts) != len(word_counts):
        return None
    names = dict(zip(variants, map(generics.__getitem__, generic_of)))
    return NameIndex(names, dict(zip(starts, word_counts)))


def _installed_version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "absent"
