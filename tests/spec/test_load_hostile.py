"""Hostile or broken files are refused quickly with a located message, never a hang."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from backend_architect.errors import InputError
from backend_architect.spec.load import MAX_SPEC_BYTES, load_spec

ALIAS_BOMB = """\
system: bomb
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
entities: {}
"""


def refused(path: Path, budget_s: float = 5.0) -> str:
    """The refusal's message, asserting it took under ``budget_s`` of this process's CPU time.

    CPU time, not wall time: the bound is on the work refusing takes (a parser expanding aliases or recursing), which
    other processes on a loaded machine cannot lengthen; a wall-clock budget failed whenever the suite shared its cores."""
    start = time.process_time()
    with pytest.raises(InputError) as info:
        load_spec(path)
    assert time.process_time() - start < budget_s, "refusing a hostile file must be fast"
    return str(info.value)


def test_alias_bomb_err(tmp_path: Path) -> None:
    """A billion-laughs document is stopped while expanding, at the alias that overflows."""
    path = tmp_path / "bomb.yaml"
    path.write_text(ALIAS_BOMB)
    message = refused(path)
    assert message.startswith(f"{path}:")
    assert "expands to more than" in message


def test_fifty_megabyte_file_err(tmp_path: Path) -> None:
    """A 50 MB file is refused by its size, before it is read."""
    path = tmp_path / "huge.yaml"
    with path.open("wb") as out:
        out.write(b"system: huge\nentities:\n")
        out.write(b"  # padding\n" * (50 * 2**20 // 12))
    assert path.stat().st_size > MAX_SPEC_BYTES
    assert refused(path, budget_s=1.0) == f"{path}:1:1: file is 50.0 MiB; a spec may be at most 5 MiB"


@pytest.mark.parametrize("depth", [100, 5000, 200_000])
def test_deep_nesting_err(tmp_path: Path, depth: int) -> None:
    """Deeply nested lists are refused at a located position and never overflow the stack."""
    path = tmp_path / "deep.yaml"
    path.write_text("system: x\nentities: " + "[" * depth + "]" * depth + "\n")
    message = refused(path)
    assert message.startswith(f"{path}:")
    assert "nest" in message


def test_binary_file_err(tmp_path: Path) -> None:
    """A binary file is reported as not text."""
    path = tmp_path / "spec.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    assert refused(path) == f"{path}:1:1: not UTF-8 text (byte 0)"


def test_nul_bytes_err(tmp_path: Path) -> None:
    """UTF-8 text with NUL bytes is refused."""
    path = tmp_path / "spec.yaml"
    path.write_bytes(b"system: x\x00\n")
    assert "NUL" in refused(path)


def test_directory_err(tmp_path: Path) -> None:
    """A folder given as the spec is an input error."""
    assert refused(tmp_path) == f"{tmp_path}:1:1: not a file"


def test_wide_document_ok_within_limits(tmp_path: Path) -> None:
    """A large legitimate spec (1,000 entities) loads: the limits do not bite real use."""
    lines = ["system: wide", "entities:"]
    for i in range(1000):
        lines += [f"  E{i}:", "    fields:", "      name: string(100)", "      size: int"]
    path = tmp_path / "wide.yaml"
    path.write_text("\n".join(lines) + "\n")
    assert len(load_spec(path).spec.entities) == 1000


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "system: big\nentities:\n" + "".join(f"  E{i}: {{fields: {{n: int}}}}\n" for i in range(1_001)),
            "spec.yaml:2:1: 1,001 entities; one spec may have at most 1,000 (split the system into bounded contexts, a spec each)",
            id="entities",
        ),
        pytest.param(
            "system: big\nentities: {A: {fields: {n: int}}}\nuse_cases:\n" + "".join(f"  - {{name: read a {i}, reads: [A]}}\n" for i in range(5_001)),
            "spec.yaml:3:1: 5,001 use cases; one spec may have at most 5,000 (split the system into bounded contexts, a spec each)",
            id="use-cases",
        ),
    ],
)
def test_more_than_one_design_handles_err(tmp_path: Path, text: str, message: str) -> None:
    """A spec past the entities or use cases one design handles in seconds is refused at the key, before any checking."""
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    assert refused(path, budget_s=5.0) == f"{tmp_path}/{message}"
