"""Where each value of a YAML document stands, so errors can point at it."""

from __future__ import annotations

from dataclasses import dataclass, field

from backend_architect.errors import Location

Path = tuple[str | int, ...]


@dataclass
class Positions:
    """Line and column (from 1) of every key and value, by its path in the document."""

    file: str
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: Path, *, key: bool = False) -> Location:
        """The location of ``path``, or of its nearest ancestor the document has.

        ``key=True`` prefers the position of the mapping key over its value, which reads
        better for "unknown key" and "duplicate name" errors.
        """
        path = tuple(path)
        while True:
            table = (self.keys, self.values) if key else (self.values, self.keys)
            for positions in table:
                if path in positions:
                    line, col = positions[path]
                    return Location(self.file, line, col)
            if not path:
                return Location(self.file, 1, 1)
            path = path[:-1]
