"""What every fuzz case must end in: a result, or a refusal located in the input it was given; never another exception, never a hang."""

from __future__ import annotations

import re
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from backend_architect.errors import InputError

#: No input may take longer than this to be answered or refused.
HANG_S = 20
T = TypeVar("T")


@contextmanager
def bounded(seconds: int = HANG_S) -> Iterator[None]:
    """Fail the case (TimeoutError) when it runs past ``seconds``: a hang is a finding, not a stuck test run."""

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def answered_or_located(name: str, run: Callable[[], T]) -> T | InputError:
    """``run()``'s result, or the InputError it raised, which must point into ``name`` with a line and column."""
    with bounded():
        try:
            return run()
        except InputError as exc:
            refusal = exc
    first = str(refusal).splitlines()[0]
    assert re.match(rf"{re.escape(name)}:\d+:\d+: \S", first), f"refusal not located in {name}: {first!r}"
    assert refusal.location.line >= 1
    assert refusal.location.col >= 1
    return refusal
