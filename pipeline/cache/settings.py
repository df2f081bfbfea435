"""Where the cache lives and whether it is used (``--cache-dir``, ``--no-cache``)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

if TYPE_CHECKING:  # the store needs pandas and Arrow: imported when a stage opens it, not with the CLI
    from pipeline.cache.store import ShardStore

DEFAULT_CACHE_FOLDER = ".cache"


@dataclass(frozen=True)
class CacheSettings:
    """The user's cache options.

    Attributes:
        enabled: ``False`` with ``--no-cache``: compute everything, read and write no cache.
        folder: ``--cache-dir``; ``None`` means ``<out>/.cache``.
    """

    enabled: bool = True
    folder: Path | None = None

    def store(
        self,
        out: Path,
        stage: str,
        *,
        rule_files: Iterable[Path] = (),
        model: str | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> ShardStore | None:
        """The store for ``stage`` at its current version, or ``None`` when the cache is off.

        Raises:
            RuleFileError: a user rule file cannot be read.
        """
        from pipeline.cache.store import ShardStore, warn_on_stderr
        from pipeline.cache.versions import stage_version

        if not self.enabled:
            return None
        root = self.folder if self.folder is not None else out / DEFAULT_CACHE_FOLDER
        return ShardStore(root, stage, stage_version(stage, rule_files=rule_files, model=model), warn=warn or warn_on_stderr)
