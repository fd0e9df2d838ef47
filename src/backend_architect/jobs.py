"""Work on untrusted input, run in worker processes under a deadline, for the servers (HTTP and MCP).

A thread cannot be stopped in Python: a request whose input takes minutes (or that a bug
makes loop) would hold its thread and the interpreter's lock for good. The servers therefore
hand every design, review, validation and diff to a small pool of worker processes
(``pebble``), each with a memory ceiling; a job past its deadline has its worker killed and
replaced, and the request gets a clear answer instead of the process stopping. Workers start
from a fork server that has already imported the library, so a job costs no start-up.

A job returns plain data; an input the library refuses comes back as ``JobRefused`` carrying
the located ``file:line:col: message`` lines.
"""

from __future__ import annotations

import atexit
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

#: How long one request's work may take.
DEFAULT_DEADLINE_S = 30.0
#: The address space of one worker: a 1,000-entity design needs about 1 GiB.
WORKER_MEMORY_BYTES = 3 * 2**30
#: Requests waiting for a worker before new ones are turned away (503 with Retry-After).
MAX_WAITING = 32

T = TypeVar("T")


class JobRefused(Exception):
    """The library refused the input: ``lines`` are its located messages."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines

    def __reduce__(self) -> tuple[Any, ...]:
        return (JobRefused, (self.lines,))


class JobTimeout(Exception):
    """The job passed its deadline; its worker was stopped."""


class JobBusy(Exception):
    """Every worker is taken and the queue is full."""


def _limit_memory() -> None:
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = WORKER_MEMORY_BYTES if hard == resource.RLIM_INFINITY else min(hard, WORKER_MEMORY_BYTES)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))


def _guarded(function: Callable[..., T], *args: Any) -> T:
    """Run ``function`` in the worker, turning the library's refusals into ``JobRefused`` (which crosses processes)."""
    from backend_architect.errors import InputError

    try:
        return function(*args)
    except InputError as exc:
        raise JobRefused(str(exc).splitlines()) from None
    except RecursionError:
        raise JobRefused(["the input nests too deep to read"]) from None
    except MemoryError:
        raise JobRefused([f"the input needs more than the {WORKER_MEMORY_BYTES // 2**30} GiB a request may use"]) from None


class Jobs:
    """A pool of worker processes that runs each job under a deadline."""

    def __init__(self, workers: int = 2, deadline_s: float = DEFAULT_DEADLINE_S, max_waiting: int = MAX_WAITING) -> None:
        import pebble

        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["backend_architect.jobs", "backend_architect.api"])
        self.deadline_s = deadline_s
        self._slots = threading.BoundedSemaphore(workers + max_waiting)
        self._pool = pebble.ProcessPool(max_workers=workers, max_tasks=200, initializer=_limit_memory, context=context)

    def run(self, function: Callable[..., T], *args: Any, deadline_s: float | None = None) -> T:
        """``function(*args)`` in a worker; ``JobRefused``, ``JobTimeout`` or ``JobBusy`` when it cannot answer."""
        from pebble import ProcessExpired

        if not self._slots.acquire(blocking=False):
            raise JobBusy("every worker is busy")
        try:
            future = self._pool.schedule(_guarded, args=(function, *args), timeout=deadline_s or self.deadline_s)
            try:
                return future.result()  # type: ignore[no-any-return]
            except FutureTimeout:
                raise JobTimeout(f"the work took longer than {deadline_s or self.deadline_s:g} s and was stopped") from None
            except ProcessExpired as exc:
                # the worker died: most often the memory ceiling, hit outside Python's own allocator
                raise JobRefused([f"the input could not be processed within the limits of a request (worker ended: {exc.exitcode})"]) from None
        finally:
            self._slots.release()

    def close(self) -> None:
        self._pool.stop()  # type: ignore[no-untyped-call]
        self._pool.join(timeout=1)


_shared: Jobs | None = None
_shared_lock = threading.Lock()
_shared_settings: dict[str, Any] = {}


def configure_shared(workers: int = 2, deadline_s: float = DEFAULT_DEADLINE_S) -> None:
    """Set how the process's pool is made (before its first use; a server calls this once at start)."""
    _shared_settings.update(workers=workers, deadline_s=deadline_s)


def shared_jobs() -> Jobs:
    """The process's pool, made on first use and stopped at exit."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Jobs(**_shared_settings)
            atexit.register(_shared.close)
        return _shared
