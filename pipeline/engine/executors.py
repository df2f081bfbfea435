"""Where partition tasks run: in this process, in a local process pool, or on a Dask cluster.

Every executor hands results back in submission order and keeps only a few partitions in
flight, so memory stays flat however long the input is, and the output never depends on which
worker finished first.

Why a process pool and not spaCy's ``nlp.pipe(n_process=N)``: measured on 10,000 generated
comments, ``n_process`` cannot run our pipeline at all (spaCy sends each Doc back with
``Doc.to_bytes``, which cannot serialise the ``Claim`` objects in ``doc._.claims``; error E871),
and even with the claims turned into plain lists it was slower than the pool (see README,
"Scale"): it ships whole Docs back to the parent, tokens and spans included, where a pool
worker returns only the partition's claim rows.
"""
from __future__ import annotations

import concurrent.futures
import itertools
import logging
import multiprocessing
from collections import deque
from typing import Any, Callable, Iterable, Iterator, Protocol

from pipeline.errors import PipelineError

ENGINES = ("local", "dask")
DASK_MISSING = "--engine dask needs Dask: pip install 'remedy-miner[dask]'"
CONNECT_TIMEOUT = "10s"


class Executor(Protocol):
    def map_ordered(self, task: Callable[..., Any], calls: Iterable[tuple]) -> Iterator[tuple[tuple, Any]]:
        """``(call, task(*call))`` for every call, in the order of ``calls``."""

    def close(self) -> None:
        """Release the workers."""


class InProcess:
    """Runs every task here, one after the other (``--workers 1``)."""

    def map_ordered(self, task: Callable[..., Any], calls: Iterable[tuple]) -> Iterator[tuple[tuple, Any]]:
        for call in calls:
            yield call, task(*call)

    def close(self) -> None:
        pass


class ProcessPool:
    """A local pool of ``workers`` processes; each builds the stage's rules once, at start-up."""

    def __init__(self, workers: int, warm_up: Callable[[Any], None], settings: Any) -> None:
        # spawn, not fork: a forked copy of a process running Arrow's threads may deadlock.
        self.pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=warm_up,
            initargs=(settings,),
        )
        self.in_flight = 2 * workers

    def map_ordered(self, task: Callable[..., Any], calls: Iterable[tuple]) -> Iterator[tuple[tuple, Any]]:
        calls = iter(calls)
        head = list(itertools.islice(calls, 2))
        if len(head) < 2:
            # One partition (an incremental run's few new comments): starting workers, each
            # building the pipeline, costs more than the partition; the pool starts no process.
            return InProcess().map_ordered(task, head)
        return _bounded(lambda call: self.pool.submit(task, *call), lambda future: future.result(),
                        itertools.chain(head, calls), self.in_flight)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskCluster:
    """Tasks on a Dask distributed cluster: ``scheduler`` (``tcp://host:8786``), or a new
    ``LocalCluster`` of ``workers`` processes when no address is given."""

    def __init__(self, workers: int, scheduler: str | None) -> None:
        distributed = _import_distributed()
        self.cluster = None
        try:
            if scheduler is None:
                self.cluster = distributed.LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                    silence_logs=logging.ERROR,
                )
                self.client = distributed.Client(self.cluster)
            else:
                self.client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as error:
            self._close_cluster()
            raise PipelineError(f"--scheduler {scheduler}: cannot reach the Dask scheduler: {error}") from None
        self.in_flight = max(2, 2 * sum(self.client.nthreads().values()))

    def map_ordered(self, task: Callable[..., Any], calls: Iterable[tuple]) -> Iterator[tuple[tuple, Any]]:
        return _bounded(lambda call: self.client.submit(task, *call, pure=False), lambda f: f.result(), calls, self.in_flight)

    def close(self) -> None:
        self.client.close()
        self._close_cluster()

    def _close_cluster(self) -> None:
        if self.cluster is not None:
            self.cluster.close()


def open_executor(engine: str, workers: int, scheduler: str | None, warm_up: Callable[[Any], None], settings: Any) -> Executor:
    """The executor the command line asked for.

    Raises:
        PipelineError: an unknown engine, fewer than one worker, --scheduler without
            --engine dask, Dask not installed, or a scheduler that cannot be reached.
    """
    check_engine_options(engine, workers, scheduler)
    if engine == "dask":
        return DaskCluster(workers, scheduler)
    return InProcess() if workers == 1 else ProcessPool(workers, warm_up, settings)


def check_engine_options(engine: str, workers: int, scheduler: str | None) -> None:
    """Refuse bad engine options before any work starts (see :func:`open_executor`)."""
    if engine not in ENGINES:
        raise PipelineError(f"--engine {engine!r} is not supported (choose from: {', '.join(ENGINES)})")
    if workers < 1:
        raise PipelineError(f"--workers {workers}: need at least 1 worker")
    if scheduler is not None and engine != "dask":
        raise PipelineError("--scheduler needs --engine dask")
    if engine == "dask":
        _import_distributed()


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise PipelineError(DASK_MISSING) from None
    return distributed


def _bounded(submit: Callable[[tuple], Any], result: Callable[[Any], Any], calls: Iterable[tuple], limit: int) -> Iterator[tuple[tuple, Any]]:
    """Submit ``calls`` keeping at most ``limit`` in flight; yield ``(call, result)`` in submission order."""
    pending: deque = deque()
    for call in calls:
        pending.append((call, submit(call)))
        if len(pending) >= limit:
            done, future = pending.popleft()
            yield done, result(future)
    while pending:
        done, future = pending.popleft()
        yield done, result(future)
