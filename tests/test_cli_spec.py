"""CLI scenarios for the spec language: validate (with warnings and --fix), fmt, and warnings from design."""

from __future__ import annotations

from pathlib import Path

from test_cli import run

LOOSE = """\
# a blog, as a Rails user writes it
name: blog
models:
  User:
    fields:
      email: {type: email, unique: true}   # the login
      password_hash: {type: string, secret: true}
  Post:
    belongs_to: [user]
    fields:
      title: {type: String, max_length: 200}
      status: {type: enum, choices: [draft, published]}
use_cases:
  list posts:
    public: true
    reads: Post
    where: {status: published}
    order_by: created_at desc
    rps: 300
  update post:
    writes: [Post]
    frequency: 2k/day
"""


def test_validate_warns_about_surprising_readings_ok(tmp_path: Path) -> None:
    """validate accepts the loose spec, and warns (on stderr, located) where it read something the author may not expect."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(LOOSE)
    result = run("validate", str(spec))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{spec}: ok (2 entities, 2 use cases, 1 warning(s))\n"
    assert result.stderr == f"{spec}:19:10: warning: rate 300 has no unit: read as 300/s (write 300/s, or /min, /h, /day)\n"


def test_fmt_rewrites_in_canonical_spelling_ok(tmp_path: Path) -> None:
    """fmt rewrites the spec in canonical spelling, keeps comments, and a second run changes nothing."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(LOOSE)
    assert run("fmt", str(spec), "--check").returncode == 1
    result = run("fmt", str(spec))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{spec}: reformatted\n"
    text = spec.read_text()
    assert "# the login" in text
    assert "system: blog\nentities:\n" in text
    assert "    belongs_to: User\n" in text
    assert "  - name: list posts\n    auth: none\n    reads: Post\n    filter: [status=published]\n    sort: [-created_at]\n    rate: 300/s\n" in text
    assert run("fmt", str(spec), "--check").returncode == 0
    assert run("fmt", str(spec)).stdout == f"{spec}: already canonical\n"


def test_fmt_keeps_the_design_ok(tmp_path: Path) -> None:
    """The formatted spec designs to the same hand-off as the loose one."""
    loose, formatted = tmp_path / "loose.yaml", tmp_path / "formatted.yaml"
    loose.write_text(LOOSE)
    formatted.write_text(LOOSE)
    assert run("validate", str(formatted), "--fix").returncode == 0
    assert formatted.read_text() != LOOSE
    assert run("design", str(loose), "-o", str(tmp_path / "a")).returncode == 0
    assert run("design", str(formatted), "-o", str(tmp_path / "b")).returncode == 0
    first, second = (
        sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.*")),
        sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.*")),
    )
    assert first == second
    for relative in first:
        if relative.name not in {"design.md", "handoff.json"}:  # these also list the loose spec's warning (a rate without its unit)
            assert (tmp_path / "a" / relative).read_text() == (tmp_path / "b" / relative).read_text(), relative


def test_fmt_refuses_an_invalid_spec_err(tmp_path: Path) -> None:
    """fmt never rewrites a spec it cannot load: the located errors, exit 2, the file untouched."""
    spec = tmp_path / "spec.yaml"
    spec.write_text("system: x\nentities:\n  A: {fields: {n: strnig}}\n")
    result = run("fmt", str(spec))
    assert result.returncode == 2
    assert result.stderr == f"{spec}:3:19: 'n': unknown field type 'strnig' (did you mean 'string'?)\n"
    assert spec.read_text() == "system: x\nentities:\n  A: {fields: {n: strnig}}\n"


def test_design_warns_when_the_entity_overrules_the_name_ok(tmp_path: Path) -> None:
    """A use case named as an update of an append-only entity is designed as a create, and design says so on stderr and in Assumptions."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "system: delivery\nentities:\n  Courier: {fields: {name: string}}\n  CourierLocation:\n    append_only: true\n"
        "    fields: {courier: ref(Courier), lat: decimal(9,6), lon: decimal(9,6)}\n"
        "use_cases:\n  - {name: update courier location, writes: [CourierLocation], rate: 5k/s}\n"
    )
    result = run("design", str(spec), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    warning = (
        "warning: use case 'update courier location': the name reads as update, but CourierLocation is append-only: every write adds a row; designed as create"
    )
    assert result.stderr == warning + "\n"
    assert warning.removeprefix("warning: ") in (tmp_path / "out" / "design.md").read_text()
