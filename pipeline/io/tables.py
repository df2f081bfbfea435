"""Reading and writing the stage tables: Parquet or CSV, written atomically.

Every table is written to a temporary file beside its target and renamed over it, so a
run that fails or is killed leaves the previous table whole. A killed run can leave its
temporary file behind (``.<name>.<random>.tmp``, hidden, never read as a table); the next
write of the same file removes it. CSV cells that a spreadsheet
would run as a formula are neutralised with a leading apostrophe, reversibly, so the
pipeline reads back exactly what it wrote.
"""
from __future__ import annotations

import glob
import os
import tempfile
from pathlib import Path
from typing import Iterable

import pandas as pd
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.errors import PipelineError, StageInputError
from pipeline.io.formats import TABLE_FORMATS

TEMPORARY_SUFFIX = ".tmp"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ESCAPE = "'"
_RISKY_FIRST = frozenset((*_FORMULA_START, _ESCAPE))
# The same first characters as an Arrow (RE2) pattern, each as a hex escape ("-" is then no range).
_RISKY_PATTERN = "^[" + "".join(f"\\x{ord(c):02x}" for c in sorted(_RISKY_FIRST)) + "]"


def write_table(table: pd.DataFrame, folder: Path, name: str, fmt: str = "parquet") -> Path:
    """Write ``table`` as ``folder/name.<fmt>`` atomically and remove a stale copy in the other format."""
    if fmt not in TABLE_FORMATS:
        raise PipelineError(f"--format {fmt!r} is not supported (choose from: {', '.join(TABLE_FORMATS)})")
    make_folder(folder)
    target = folder / f"{name}.{fmt}"
    with _atomic_path(target) as temporary:
        if fmt == "parquet":
            _write_parquet(table, temporary)
        else:
            defuse_formulas(table).to_csv(temporary, index=False, lineterminator="\n")
    for other in TABLE_FORMATS:
        stale = folder / f"{name}.{other}"
        if other != fmt and stale.exists():
            stale.unlink()
    return target


def write_text(content: str, target: Path) -> Path:
    """Write a text file (Markdown, HTML, JSON) atomically, UTF-8, ``\\n`` line ends."""
    make_folder(target.parent)
    with _atomic_path(target) as temporary:
        temporary.write_text(content, encoding="utf-8", newline="\n")
    return target


def write_text_chunks(chunks: Iterable[str], target: Path) -> Path:
    """Write a text file from pieces, atomically, as :func:`write_text` writes their concatenation
    (a large file need not be held as one string)."""
    make_folder(target.parent)
    with _atomic_path(target) as temporary:
        with temporary.open("w", encoding="utf-8", newline="\n") as handle:
            for chunk in chunks:
                handle.write(chunk)
    return target


def make_folder(folder: Path) -> None:
    """Create an output folder, or say in one line why it cannot be one."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise PipelineError(f"{folder}: cannot write outputs there: it is a file, not a folder (see --out)") from None
    except OSError as error:
        raise PipelineError(f"{folder}: cannot create the output folder: {error.strerror or error}") from None
    if not folder.is_dir():
        raise PipelineError(f"{folder}: cannot write outputs there: it is not a folder (see --out)")


def read_table(folder: Path, name: str, required: Iterable[str] = ()) -> pd.DataFrame:
    """Read ``folder/name.parquet`` or ``folder/name.csv``.

    Raises:
        StageInputError: neither file exists, or required columns are missing.
    """
    parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
    if parquet.exists():
        table = pq.read_table(parquet).to_pandas()
    elif csv.exists():
        table = restore_formulas(pd.read_csv(csv, dtype=str, keep_default_na=False))
    else:
        raise StageInputError(f"{folder}: no '{name}' table (.parquet or .csv); run the earlier stage first")
    missing = [column for column in required if column not in table.columns]
    if missing:
        raise StageInputError(f"{csv if csv.exists() else parquet}: missing columns {', '.join(missing)}")
    return table


def defuse_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """Return a copy whose text cells cannot start a spreadsheet formula."""
    defused = table.copy()
    for column in _text_columns(defused):
        values = defused[column].tolist()
        # Most cells start with a letter: only those starting with a risky character are looked at.
        risky = [position for position, value in enumerate(values)
                 if isinstance(value, str) and value[:1] in _RISKY_FIRST and _defuse_cell(value) is not value]
        if risky:
            for position in risky:
                values[position] = _defuse_cell(values[position])
            defused[column] = pd.Series(values, index=defused.index, dtype=object)
    return defused


def defuse_text_array(texts: pa.Array) -> pa.Array:
    """:func:`defuse_formulas` for one Arrow text column: the same cells, tested in Arrow
    (only cells starting with a risky character are looked at in Python)."""
    risky = pc.fill_null(pc.match_substring_regex(texts, _RISKY_PATTERN), False).to_numpy(zero_copy_only=False)
    positions = np.flatnonzero(risky)
    if not len(positions):
        return texts
    values = texts.take(pa.array(positions)).to_pylist()
    mask = np.zeros(len(texts), dtype=bool)
    mask[positions] = True
    return pc.replace_with_mask(texts, pa.array(mask), pa.array([_defuse_cell(v) for v in values], type=texts.type))


def restore_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`defuse_formulas` on a table read back from CSV."""
    restored = table.copy()
    for column in _text_columns(restored):
        restored[column] = restored[column].map(_restore_cell)
    return restored


def _defuse_cell(value: object) -> object:
    if isinstance(value, str) and (value.startswith(_FORMULA_START) or _is_escaped(value)):
        return _ESCAPE + value
    return value


def _restore_cell(value: object) -> object:
    if isinstance(value, str) and _is_escaped(value):
        return value[1:]
    return value


def _is_escaped(value: str) -> bool:
    return value.startswith(_ESCAPE) and value[1:].startswith(_FORMULA_START + (_ESCAPE,))


def _text_columns(table: pd.DataFrame) -> list[str]:
    return [c for c in table.columns if pd.api.types.is_object_dtype(table[c]) or pd.api.types.is_string_dtype(table[c])]


def _write_parquet(table: pd.DataFrame, path: Path) -> None:
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    # Drop pandas' metadata blob: it records library versions, and outputs should
    # depend only on the input.
    arrow = arrow.replace_schema_metadata(None)
    pq.write_table(arrow, path, compression="zstd")


class _atomic_path:
    """Context manager yielding a temporary path that replaces ``target`` on success."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.temporary: Path | None = None

    def __enter__(self) -> Path:
        _remove_leftovers(self.target)
        try:
            handle, name = tempfile.mkstemp(
                prefix=_temporary_prefix(self.target), suffix=TEMPORARY_SUFFIX, dir=self.target.parent
            )
        except OSError as error:
            raise PipelineError(f"{self.target.parent}: cannot write outputs there: {error.strerror or error}") from None
        os.close(handle)
        # mkstemp makes the file private (0600); outputs are ordinary files, readable as the umask allows.
        os.chmod(name, 0o666 & ~_umask())
        self.temporary = Path(name)
        return self.temporary

    def __exit__(self, exc_type, exc, tb) -> None:
        assert self.temporary is not None
        if exc_type is None:
            _fsync(self.temporary)
            os.replace(self.temporary, self.target)
        else:
            self.temporary.unlink(missing_ok=True)


def _temporary_prefix(target: Path) -> str:
    return f".{target.name}."


def _remove_leftovers(target: Path) -> None:
    """Delete temporary files a killed run left for ``target``.

    Only this target's own temporaries are touched: another table's may belong to a
    writer that is still running.
    """
    pattern = glob.escape(_temporary_prefix(target)) + "*" + TEMPORARY_SUFFIX
    for leftover in target.parent.glob(pattern):
        leftover.unlink(missing_ok=True)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())
