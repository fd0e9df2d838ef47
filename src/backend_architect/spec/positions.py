"""Where each value of a YAML document stands, so errors can point at it."""

from __future__ import annotations

from dataclasses import dataclass, field

from backend_architect.errors import Location

Path = tuple[str | int, ...]


@dataclass
class Positions:
    """Line and column (from 1) of every key and value, by its path in the document.

    ``moved`` maps a path the normaliser wrote to the path the author wrote it at, so a
    value rewritten into its canonical place (``belongs_to: User`` becoming the field
    ``user``) is still reported where it stands in the file.
    """

    file: str
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)
    moved: dict[Path, Path] = field(default_factory=dict)

    def move(self, new: Path, old: Path) -> None:
        """Record that what now stands at ``new`` was written at ``old``."""
        if new != old:
            self.moved[tuple(new)] = self._original(tuple(old))

    def _original(self, path: Path) -> Path:
        for cut in range(len(path), 0, -1):
            head = path[:cut]
            if head in self.moved:
                return self.moved[head] + path[cut:]
        return path

    def locate(self, path: Path, *, key: bool = False) -> Location:
        """The location of ``path``, or of its nearest ancestor the document has.

        ``key=True`` prefers the position of the mapping key over its value, which reads
        better for "unknown key" and "duplicate name" errors.
        """
        path = self._original(tuple(path))
        while True:
            table = (self.keys, self.values) if key else (self.values, self.keys)
            for positions in table:
                if path in positions:
                    line, col = positions[path]
                    return Location(self.file, line, col)
            if not path:
                return Location(self.file, 1, 1)
            path = path[:-1]
