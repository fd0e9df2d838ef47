"""A SQL file as PostgreSQL's own parser sees it: statements with their positions, problems, suppressions.

The whole file is parsed in one call to the C parser, as JSON. psql meta-commands and COPY
data blocks are blanked out first, keeping every offset, so positions stay exact. When the
parser refuses the file, it is split by PostgreSQL's scanner and each statement parsed alone:
the refused ones become located problems and the rest are still read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import orjson
from pglast import parser as pg_parser
from pglast.parser import ParseError

from backend_architect.ir.model import ParseProblem, SourceSpan, Suppression

_META = re.compile(rb"^[ \t]*\\[^\n]*$", re.MULTILINE)
_COPY_BLOCK = re.compile(rb"^COPY [^\n]*FROM stdin;\n.*?^\\\.$", re.MULTILINE | re.DOTALL | re.IGNORECASE)
_SUPPRESS = re.compile(r"--\s*backend-architect-ignore\b:?\s*(?P<rules>[\w\-, ]*)")


@dataclass(frozen=True)
class Statement:
    """One parsed statement: its parse tree (as JSON data) and where it starts."""

    node: dict[str, Any]
    kind: str
    source: SourceSpan
    text: str


class SourceText:
    """A file's bytes with offsets turned into lines and columns (pglast counts in bytes)."""

    def __init__(self, name: str, raw: bytes) -> None:
        self.name = name
        self.raw = raw
        self.newlines = [m.start() for m in re.finditer(rb"\n", raw)]

    def span(self, offset: int) -> SourceSpan:
        import bisect

        line = bisect.bisect_left(self.newlines, offset)
        start = self.newlines[line - 1] + 1 if line else 0
        return SourceSpan(file=self.name, line=line + 1, col=len(self.raw[start:offset].decode("utf-8", "replace")) + 1)


_SUPPRESS = re.compile(r"--\s*backend-architect-ignore\b:?\s*(?P<rules>[\w\-, ]*)")


def suppressions(source: SourceText) -> list[Suppression]:
    """Inline suppression comments, each tied to the line of the statement it annotates (its own, or the next one)."""
    lines = source.raw.decode("utf-8", "replace").split("\n")
    found = []
    for number, line in enumerate(lines):
        match = _SUPPRESS.search(line)
        if match is None:
            continue
        rules = [r.strip() for r in match.group("rules").split(",") if r.strip()]
        target = number
        if not line[: match.start()].strip():
            target = next((n for n in range(number + 1, len(lines)) if lines[n].strip() and not lines[n].lstrip().startswith("--")), number)
        found.append(Suppression(file=source.name, line=target + 1, rules=rules))
    return found


def blank_client_commands(raw: bytes) -> bytes:
    r"""psql meta-commands (``\set``, ``\i``) and COPY data blocks as spaces, so offsets keep their meaning.

    >>> blank_client_commands(b"\\set ON_ERROR_STOP 1\nCREATE TABLE t (id int);\n")
    b'                    \nCREATE TABLE t (id int);\n'
    """

    def spaces(match: re.Match[bytes]) -> bytes:
        return re.sub(rb"[^\n]", b" ", match.group(0))

    return _META.sub(spaces, _COPY_BLOCK.sub(spaces, raw))


def parse_statements(source: SourceText) -> tuple[list[Statement], list[ParseProblem]]:
    """Every statement of the file; those the parser refuses become problems, and the others are still read."""
    raw = blank_client_commands(source.raw)
    text = raw.decode("utf-8", "replace")
    try:
        return _statements(orjson.loads(pg_parser.parse_sql_json(text)), source, raw), []
    except (ParseError, orjson.JSONDecodeError):
        pass  # read statement by statement, so the others are kept
    statements: list[Statement] = []
    problems: list[ParseProblem] = []
    for start, length in _split(raw):
        piece = raw[start : start + length].decode("utf-8", "replace")
        try:
            parsed = orjson.loads(pg_parser.parse_sql_json(piece))
        except ParseError as error:
            offset = error.args[1] if len(error.args) > 1 and isinstance(error.args[1], int) else 0
            at = start + len(piece[:offset].encode())  # the parser's cursor counts characters from 0
            problems.append(ParseProblem(source=source.span(at), message=f"cannot parse statement: {error.args[0]}"))
            continue
        except orjson.JSONDecodeError:
            # the parse tree nests past the JSON decoder's 1,024 levels (thousands of nested expressions)
            problems.append(ParseProblem(source=source.span(start), message="cannot read statement: its expressions nest deeper than 1,000 levels"))
            continue
        for found in _statements(parsed, source, raw, base=start):
            statements.append(found)
    return statements, problems


def _split(raw: bytes) -> list[tuple[int, int]]:
    r"""Byte offsets of each statement, found by PostgreSQL's scanner (so semicolons in strings and bodies are safe).

    The scanner leaves out text it cannot close (an unbalanced parenthesis swallows every later
    semicolon); that text is kept as one more piece, so its parse error is reported rather than
    the rest of the file silently dropped.

    >>> raw = b"CREATE TABLE t (id int);\nCREATE TABLE (;\nSELECT 1;\n"
    >>> [raw[s : s + n] for s, n in _split(raw)]
    [b'CREATE TABLE t (id int)', b';\nCREATE TABLE (;\nSELECT 1;\n']
    >>> raw = b"CREATE TABLE t (id int);\nCREATE TABLE u (s text DEFAULT 'open);\nSELECT 1;\n"
    >>> [raw[s : s + n] for s, n in _split(raw)]
    [b'CREATE TABLE t (id int)', b";\nCREATE TABLE u (s text DEFAULT 'open);\nSELECT 1;\n"]
    """
    text = raw.decode("utf-8", "replace")
    try:
        slices = list(pg_parser.split(text, with_parser=False, only_slices=True))
    except ParseError as error:
        # an unclosed quote, dollar quote or comment runs to the end of the file: split what comes before
        # it, and leave the statement it opens (with the rest of the file) as the last piece, whose parse reports it
        unclosed = error.args[1] if len(error.args) > 1 and isinstance(error.args[1], int) else 0
        slices = list(pg_parser.split(text[:unclosed], with_parser=False, only_slices=True))
        if slices and not text[int(slices[-1].stop) : unclosed].strip(" \t\r\n").startswith(";"):
            slices.pop()
    found = []
    covered = 0
    for piece in slices:
        start, end = int(piece.start), int(piece.stop)
        if text[covered:start].strip(" \t\r\n;"):
            found.append((len(text[:covered].encode()), len(text[covered:start].encode())))
        found.append((len(text[:start].encode()), len(text[start:end].encode())))
        covered = end
    if text[covered:].strip(" \t\r\n;"):
        found.append((len(text[:covered].encode()), len(text[covered:].encode())))
    return found


def _statements(parsed: dict[str, Any], source: SourceText, raw: bytes, base: int = 0) -> list[Statement]:
    found = []
    for item in parsed.get("stmts", []):
        node = item.get("stmt", {})
        kind = next(iter(node), "")
        start = base + int(item.get("stmt_location", 0))
        length = int(item.get("stmt_len", 0)) or len(raw) - start
        while start < len(raw) and raw[start : start + 1] in b" \t\r\n":
            start += 1
            length -= 1
        found.append(Statement(node[kind] if kind else {}, kind, source.span(start), raw[start : start + length].decode("utf-8", "replace")))
    return found
