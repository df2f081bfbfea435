"""Review decisions, kept in SQLite so that no reviewer's work is ever lost.

A decision is keyed by the stable pair ``(comment_id, flag)``, not by a row number or a run:
re-running the pipeline, re-ingesting the same files or adding new data leaves every earlier
decision attached to its comment. Each command is one transaction that takes the write lock
up front (``BEGIN IMMEDIATE``), and the database is in WAL mode with a busy timeout, so two
reviewers resolving at the same moment wait for each other instead of failing or overwriting.
Every decision is also appended to ``decision_history``, so a changed mind keeps the first call.
"""
from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Optional, Union

import pandas as pd

from pipeline.errors import PipelineError
from pipeline.review.choices import DECISIONS

DECISION_COLUMNS = ["comment_id", "flag", "decision", "note", "decided_by", "decided_at"]
HISTORY_COLUMNS = ["sequence", "flag_id", *DECISION_COLUMNS]
DEFAULT_BUSY_TIMEOUT = 30.0
SCHEMA_VERSION = 1

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS decisions (
    comment_id TEXT NOT NULL,
    flag TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN {DECISIONS!r}),
    note TEXT NOT NULL DEFAULT '',
    decided_by TEXT NOT NULL DEFAULT '',
    decided_at TEXT NOT NULL,
    PRIMARY KEY (comment_id, flag)
);
CREATE TABLE IF NOT EXISTS decision_history (
    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
    flag_id TEXT NOT NULL DEFAULT '',
    comment_id TEXT NOT NULL,
    flag TEXT NOT NULL,
    decision TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    decided_by TEXT NOT NULL DEFAULT '',
    decided_at TEXT NOT NULL
);
PRAGMA user_version = {SCHEMA_VERSION};
"""

FlagTarget = Union[str, tuple[str, str]]


class ReviewError(PipelineError):
    """A review command cannot be carried out."""


class UnknownFlagError(ReviewError):
    """The flag id (or comment and flag) is not in the current flags table."""


class InvalidDecisionError(ReviewError):
    """The decision or its timestamp is not one the store accepts."""


class ReviewStoreError(ReviewError):
    """The review database cannot be opened, is not SQLite, or cannot be written."""


@dataclass(frozen=True)
class Decision:
    """One recorded decision, as stored."""

    comment_id: str
    flag: str
    decision: str
    note: str
    decided_by: str
    decided_at: str
    flag_id: str = ""


class ReviewStore:
    """Decisions on flags in an SQLite file; the schema is created on first write.

    Each method opens its own connection and closes it again, so one store object may be
    used from several threads, and several processes may use the same file.
    """

    def __init__(self, path: Path | str, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout

    def record(
        self,
        target: FlagTarget,
        decision: str,
        note: str = "",
        by: str = "",
        at: Optional[str | datetime] = None,
        *,
        flags: Optional[pd.DataFrame] = None,
    ) -> Decision:
        """Record a decision on a flag, replacing the current one and keeping the old in history.

        Args:
            target: a ``flag_id`` from the flags table, or a ``(comment_id, flag)`` pair.
            decision: one of ``dismissed``, ``actioned``, ``escalated``.
            note: the reviewer's reason.
            by: the reviewer's name.
            at: when (ISO 8601 string or datetime); default now, in UTC.
            flags: the current flags table (``flag_id``, ``comment_id``, ``flag``). Required for a
                ``flag_id``; when given with a pair, the pair must be in it.

        Raises:
            InvalidDecisionError: the decision or timestamp is not valid.
            UnknownFlagError: the flag is not in ``flags``.
            ReviewStoreError: the file is not an SQLite database or cannot be written.
        """
        decision = _check_decision(decision)
        decided_at = _timestamp(at)
        flag_id, comment_id, flag = _resolve_target(target, flags)
        row = Decision(comment_id, flag, decision, note or "", by or "", decided_at, flag_id)
        with self._write_transaction() as connection:
            connection.execute(
                "INSERT INTO decisions (comment_id, flag, decision, note, decided_by, decided_at)"
                " VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (comment_id, flag) DO UPDATE SET decision = excluded.decision,"
                " note = excluded.note, decided_by = excluded.decided_by, decided_at = excluded.decided_at",
                (row.comment_id, row.flag, row.decision, row.note, row.decided_by, row.decided_at),
            )
            connection.execute(
                "INSERT INTO decision_history (flag_id, comment_id, flag, decision, note, decided_by, decided_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (row.flag_id, row.comment_id, row.flag, row.decision, row.note, row.decided_by, row.decided_at),
            )
        return row

    def decisions(self) -> pd.DataFrame:
        """The current decision per ``(comment_id, flag)``, sorted by those two columns."""
        return self._select("decisions", DECISION_COLUMNS, "comment_id, flag")

    def history(self) -> pd.DataFrame:
        """Every decision ever recorded, oldest first (``sequence`` is the order of recording)."""
        return self._select("decision_history", HISTORY_COLUMNS, "sequence")

    def _select(self, table: str, columns: list[str], order: str) -> pd.DataFrame:
        if not self.path.exists():
            return _empty(columns)
        with self._connection() as connection:
            if not _has_table(connection, table):
                return _empty(columns)
            rows = connection.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}").fetchall()
        frame = pd.DataFrame(rows, columns=columns)
        if "sequence" in frame:
            frame["sequence"] = frame["sequence"].astype("int64")
        return frame

    @contextlib.contextmanager
    def _write_transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction holding the write lock from its start; commits or rolls back."""
        with self._connection() as connection:
            _ensure_schema(connection)
            with self._sqlite_errors():
                connection.execute("BEGIN IMMEDIATE")
                with connection:
                    yield connection

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with self._sqlite_errors():
            if self.path.exists() and not self.path.is_file():
                raise ReviewStoreError(f"{self.path}: the review database path is not a file")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: transactions are begun explicitly, as BEGIN IMMEDIATE.
            connection = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
        try:
            with self._sqlite_errors():
                _use_wal(connection)
                yield connection
        finally:
            connection.close()

    @contextlib.contextmanager
    def _sqlite_errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.DatabaseError as error:
            raise ReviewStoreError(f"{self.path}: {_describe(error)}") from None
        except OSError as error:
            raise ReviewStoreError(f"{self.path}: cannot open the review database: {error.strerror or error}") from None


def _use_wal(connection: sqlite3.Connection) -> None:
    # Switching is persistent and needs a lock; skip it when the file is already in WAL mode.
    if connection.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        connection.execute("PRAGMA journal_mode = WAL")


def _ensure_schema(connection: sqlite3.Connection) -> None:
    if _has_table(connection, "decisions") and _has_table(connection, "decision_history"):
        return
    connection.execute("BEGIN IMMEDIATE")
    with connection:
        for statement in filter(str.strip, _SCHEMA.split(";")):
            connection.execute(statement)


def _has_table(connection: sqlite3.Connection, name: str) -> bool:
    query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    return connection.execute(query, (name,)).fetchone() is not None


def _describe(error: sqlite3.DatabaseError) -> str:
    message = str(error)
    if "not a database" in message or "malformed" in message:
        return "not a review database (SQLite file expected); move it away or pick another --out folder"
    return f"review database error: {message}"


def _check_decision(decision: str) -> str:
    if decision not in DECISIONS:
        raise InvalidDecisionError(f"decision {decision!r} is not valid (choose from: {', '.join(DECISIONS)})")
    return decision


def _timestamp(at: Optional[str | datetime]) -> str:
    if at is None:
        return datetime.now(timezone.utc).isoformat(timespec="seconds")
    if isinstance(at, datetime):
        return at.isoformat(timespec="seconds")
    try:
        datetime.fromisoformat(at)
    except (TypeError, ValueError):
        raise InvalidDecisionError(f"decided_at {at!r} is not an ISO 8601 date or datetime") from None
    return at


def _resolve_target(target: FlagTarget, flags: Optional[pd.DataFrame]) -> tuple[str, str, str]:
    """Return ``(flag_id, comment_id, flag)`` for a flag id or a pair, checked against ``flags``."""
    if isinstance(target, tuple):
        comment_id, flag = (str(part) for part in target)
        if flags is None:
            return "", comment_id, flag
        matching = flags[(flags["comment_id"].astype(str) == comment_id) & (flags["flag"].astype(str) == flag)]
        if matching.empty:
            raise UnknownFlagError(f"no {flag!r} flag on comment {comment_id!r} in the current flags table")
        return str(matching["flag_id"].iloc[0]) if "flag_id" in matching else "", comment_id, flag
    if flags is None:
        raise UnknownFlagError(f"flag id {target!r} cannot be checked: no flags table was given")
    matching = flags[flags["flag_id"].astype(str) == str(target)]
    if matching.empty:
        raise UnknownFlagError(
            f"unknown flag id {target!r}: it is not in the current flags table (see 'remedy-miner review list')"
        )
    first = matching.iloc[0]
    return str(target), str(first["comment_id"]), str(first["flag"])


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype="int64" if column == "sequence" else "object") for column in columns})
