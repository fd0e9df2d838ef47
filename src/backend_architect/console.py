"""Where a command's report goes and how it looks: ``-o/--output``, colour, and ``-`` for standard input.

Part of the command-line shell (only ``cli.py`` imports it), so it may read the
environment: colour follows ``--color/--no-color``, then ``NO_COLOR`` (https://no-color.org),
then ``FORCE_COLOR``, then whether the report goes to a terminal.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from backend_architect.errors import InputError, Location

#: Standard input is read whole, and no more than a document may be on disk.
MAX_STDIN_BYTES = 32 * 2**20
STDIN = "-"


def use_colour(flag: bool | None, stream: TextIO, to_file: bool = False) -> bool:
    """Whether to colour: the flag when given, else NO_COLOR (any value) says no, FORCE_COLOR (not 0) says yes, else a terminal does."""
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    forced = os.environ.get("FORCE_COLOR")
    if forced and forced != "0":
        return True
    return not to_file and stream.isatty()


def emit(text: str, output: Path | None) -> None:
    """Write the report to ``output`` (creating its folder), or to standard output."""
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(Location(str(output)), f"cannot write: {exc.strerror or exc}") from None


def read_stdin() -> bytes:
    """Standard input, whole, refused beyond the size a document may have."""
    data = sys.stdin.buffer.read(MAX_STDIN_BYTES + 1)
    if len(data) > MAX_STDIN_BYTES:
        raise InputError(Location("<stdin>"), f"more than {MAX_STDIN_BYTES // 2**20} MiB on standard input")
    if not data.strip():
        raise InputError(Location("<stdin>"), "standard input is empty")
    return data


def guessed_name(data: bytes, given: str | None) -> str:
    """The file name stdin is reviewed under: ``--stdin-filename``, else one whose suffix says what it looks like."""
    if given:
        return given
    from backend_architect.api import is_api_document

    head = data[:65536].decode("utf-8", errors="replace")
    if is_api_document(head):
        return "stdin.yaml"
    if any(word in head.upper() for word in ("CREATE ", "ALTER TABLE", "DROP ", "INSERT ")):
        return "stdin.sql"
    return "stdin.yaml"


@contextmanager
def stdin_file(data: bytes, name: str) -> Iterator[Path]:
    """Standard input in a temporary file named like ``name`` (its suffix says what kind of input it is)."""
    with tempfile.TemporaryDirectory(prefix="ba-stdin-") as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(data)
        yield path


def renamed_location(location: Location | None, temporary: str, shown: str) -> Location | None:
    """A location in the temporary copy of stdin, under the name the user gave it."""
    if location is None or location.file != temporary:
        return location
    return dataclasses.replace(location, file=shown)
