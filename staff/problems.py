"""One thing `make check` asks staff to fix: the file, the line, and what to do, in words."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"

    def relative_to(self, base: Path) -> Problem:
        try:
            return Problem(self.path.relative_to(base), self.line, self.message)
        except ValueError:
            return self
