"""A stage of ``run`` in a process of its own, for large inputs.

Why: one process running the five stages one after the other keeps what each stage leaves
behind, the libraries it imported and the heap fragments Python cannot hand back (measured on
1M generated comments: ``run`` peaked 150 MB above its largest stage run alone). A stage in a
process of its own gives everything back when it ends, so ``run`` needs no more memory than its
largest stage. Starting the process costs a second or two of imports, so inputs smaller than
:data:`OWN_PROCESS_FROM_BYTES` keep every stage in the calling process.

The process is spawned, not forked: a fork copies the parent's threads' locks but not the
threads, and the OpenMP runtime behind scikit-learn's k-means (cluster) or Arrow's thread
pools can then hang in the child. Stages talk only through the tables in the output folder,
so nothing but the stage's call has to travel.
"""
from __future__ import annotations

import concurrent.futures
import multiprocessing
import sys
from typing import Callable, Iterable, TypeVar

from pipeline.errors import PipelineError

#: Inputs adding up to at least this many bytes run each stage of ``run`` in its own process
#: (32 MiB: about 90,000 comments of the generated corpus, a run of a minute or more).
OWN_PROCESS_FROM_BYTES = 32 * 2**20

Result = TypeVar("Result")


def worth_own_processes(input_sizes: Iterable[int], engine: str) -> bool:
    """Whether ``run`` gives each stage a process: large inputs on the local engine (a Dask
    run keeps its stages beside the one client that all of them share)."""
    return engine == "local" and sum(input_sizes) >= OWN_PROCESS_FROM_BYTES


def call_in_own_process(call: Callable[[], Result]) -> Result:
    """``call()`` in a new process that ends with it; its result comes back (pickled).

    ``call`` must be picklable (a module-level function, or a ``functools.partial`` of one).
    The child writes to the same standard output and error as this process, in order: both
    are flushed before it starts, and it flushes its own before it returns.

    Raises:
        PipelineError: ``call`` raised one (the message is kept, the type is not: some
            subclasses cannot be rebuilt from their message alone), or the process died.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as process:
        try:
            outcome, value = process.submit(_reporting_errors, call).result()
        except concurrent.futures.process.BrokenProcessPool:
            raise PipelineError(
                "a stage's process ended before it finished (killed, or out of memory?); "
                "the tables of the stages before it are written, its own are as they were"
            ) from None
    if outcome == "error":
        raise PipelineError(value)
    return value


def _reporting_errors(call: Callable[[], Result]) -> tuple[str, object]:
    """In the child: ``("done", result)``, or ``("error", message)`` for a user's error."""
    try:
        return "done", call()
    except PipelineError as error:
        return "error", str(error)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
