"""A SQL file as PostgreSQL's own parser sees it: statements with their positions, problems, suppressions.

The whole file is parsed in one call to the C parser, as JSON. psql meta-commands and COPY
data blocks are blanked out first, keeping every offset, so positions stay exact. When the
parser refuses the file, it is split by PostgreSQL's scanner and each statement parsed alone:
the refused ones become located problems and the rest are still read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import orjson
from pglast import parser as pg_parser
from pglast.parser import ParseError

from backend_architect.errors import InputError, Location
from backend_architect.ir.model import ParseProblem, SourceSpan, Suppression

_META = re.compile(rb"^[ \t]*\\[^\n]*$", re.MULTILINE)
_COPY_BLOCK = re.compile(rb"^COPY [^\n]*FROM stdin;\n.*?^\\\.$", re.MULTILINE | re.DOTALL | re.IGNORECASE)
_SUPPRESS = re.compile(r"--\s*backend-architect-ignore\b:?\s*(?P<rules>[\w\-, ]*)")


@dataclass(frozen=True)
class Statement:
    """One parsed statement: its parse tree (as JSON data), where it is, and how to locate the nodes inside it."""

    node: dict[str, Any]
    kind: str
    source: SourceSpan
    text: str
    origin: SourceText | None = field(default=None, repr=False, compare=False)
    #: The byte offset the parse tree's ``location``s count from (the file's start, or the piece's when parsed alone).
    base: int = 0

    def span_at(self, location: object, end: int | None = None) -> SourceSpan:
        """Where a node of this statement is: its ``location`` (bytes from ``base``), and ``end`` (also from ``base``) when known."""
        if self.origin is None or not isinstance(location, int) or location < 0:
            return self.source
        return self.origin.span(self.base + location, self.base + end if end is not None else None)


_BOM = b"\xef\xbb\xbf"


class SourceText:
    """A file's bytes with offsets turned into lines and columns (pglast counts in bytes).

    A UTF-8 byte-order mark is dropped: PostgreSQL's parser would read it as the first
    statement's first word, refuse the statement and lose the table it creates.
    """

    def __init__(self, name: str, raw: bytes) -> None:
        self.name = name
        self.raw = raw[len(_BOM) :] if raw.startswith(_BOM) else raw
        self.newlines = [m.start() for m in re.finditer(rb"\n", self.raw)]

    def span(self, offset: int, end: int | None = None) -> SourceSpan:
        """The position of byte ``offset`` (and of ``end``, just past the object, when given)."""
        line, col = self._line_col(offset)
        if end is None or end <= offset:
            return SourceSpan(file=self.name, line=line, col=col)
        end_line, end_col = self._line_col(end)
        return SourceSpan(file=self.name, line=line, col=col, end_line=end_line, end_col=end_col)

    def _line_col(self, offset: int) -> tuple[int, int]:
        import bisect

        line = bisect.bisect_left(self.newlines, offset)
        start = self.newlines[line - 1] + 1 if line else 0
        return line + 1, len(self.raw[start:offset].decode("utf-8", "replace")) + 1


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
    """Every statement of the file; those the parser refuses become problems, and the others are still read.

    The file is split by PostgreSQL's scanner and each statement parsed on its own (faster than
    one call for the whole file, and the parse trees are measured as they come, so an
    oversized schema is refused before it is held in memory whole).
    """
    raw = blank_client_commands(source.raw)
    statements: list[Statement] = []
    problems: list[ParseProblem] = []
    read = 0
    for start, length in _split(raw):
        piece = raw[start : start + length].decode("utf-8", "replace")
        try:
            tree = pg_parser.parse_sql_json(piece)
            read += len(tree)
            parsed = orjson.loads(_bounded_tree(tree, source, start, read))
        except ParseError as error:
            offset = error.args[1] if len(error.args) > 1 and isinstance(error.args[1], int) else 0
            at = start + len(piece[:offset].encode())  # the parser's cursor counts characters from 0
            problems.append(ParseProblem(source=source.span(at), message=f"cannot parse statement: {error.args[0]}"))
            continue
        except orjson.JSONDecodeError:
            # the parse tree nests past the JSON decoder's 1,024 levels (thousands of nested expressions)
            problems.append(ParseProblem(source=source.span(start), message="cannot read statement: its expressions nest deeper than 1,000 levels"))
            continue
        statements += _statements(parsed, source, raw, start, start + length)
    return statements, problems


#: The parse tree of one schema, as PostgreSQL's parser writes it in JSON: 16 million characters are about 85,000 columns,
#: which import and review in about four seconds (MusicBrainz's 375 tables are 2.4 million). Past that a review is refused.
MAX_TREE_CHARS = 16 * 2**20


def _bounded_tree(tree: str, source: SourceText, at: int, total: int | None = None) -> str:
    """``tree``, or a located refusal when the schema's parse tree passes the limit (measured before it is decoded)."""
    if (total if total is not None else len(tree)) > MAX_TREE_CHARS:
        where = source.span(at)
        raise InputError(
            Location(source.name, where.line, where.col),
            f"the schema is too large to review here (its parse tree passes {MAX_TREE_CHARS // 2**20} million characters, "
            "about 85,000 columns); review it in parts",
        )
    return tree


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
    >>> _split(b"0A")
    [(0, 2)]
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
    pieces = []
    covered = 0
    for piece in slices:
        start, end = int(piece.start), int(piece.stop)
        if text[covered:start].strip(" \t\r\n;"):
            pieces.append((covered, start))
        pieces.append((start, end))
        covered = end
    if text[covered:].strip(" \t\r\n;"):
        pieces.append((covered, len(text)))
    if text.isascii():
        return [(start, end - start) for start, end in pieces]
    # character offsets to byte offsets in one pass (re-encoding each prefix would be quadratic in the file)
    found, position, offset = [], 0, 0
    for start, end in pieces:
        offset += len(text[position:start].encode())
        length = len(text[start:end].encode())
        found.append((offset, length))
        offset, position = offset + length, end
    return found


def _statements(parsed: dict[str, Any], source: SourceText, raw: bytes, base: int, end: int) -> list[Statement]:
    """The statements of one parsed piece of ``raw`` (bytes ``base`` to ``end``); the last one's length is the rest of the piece."""
    found = []
    for item in parsed.get("stmts", []):
        node = item.get("stmt", {})
        kind = next(iter(node), "")
        start = base + int(item.get("stmt_location", 0))
        length = int(item.get("stmt_len", 0)) or end - start
        while start < len(raw) and raw[start : start + 1] in b" \t\r\n":
            start += 1
            length -= 1
        body = raw[start : start + length]
        stop = start + len(body.rstrip(b" \t\r\n;"))
        found.append(Statement(node[kind] if kind else {}, kind, source.span(start, stop), body.decode("utf-8", "replace"), source, base))
    return found
