"""Problems found while reading a context file: collected all at once, raised together.

Every problem names its place (``context.yaml:14``, ``services.csv:7``) so a person can fix a
whole file in one pass instead of one error per run.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from pqcscan.errors import UsageError

#: Problems shown before "... and N more".
MAX_PROBLEMS = 50


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong, and where: ``where`` is ``file:line``."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class ContextError(UsageError):
    """A business context (or declared-asset) file is invalid; every problem is listed.

    A :class:`~pqcscan.errors.UsageError`, so the CLI exits with code 2.
    """

    def __init__(self, problems: Iterable[Problem], limit: int = MAX_PROBLEMS) -> None:
        self.problems = tuple(problems)
        shown = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            shown.append(f"... and {len(self.problems) - limit} more problems")
        if len(self.problems) == 1:
            text = shown[0]
        else:
            text = f"{len(self.problems)} problems:\n" + "\n".join(f"  {s}" for s in shown)
        super().__init__(text)


class Problems:
    """An accumulator: ``add`` as you go, ``raise_if_any`` at the end."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(Problem(where, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        """Raise every problem, by file (in the order first met) and line."""
        if not self.items:
            return
        files: dict[str, int] = {}

        def key(p: Problem) -> tuple[int, int]:
            name, _, line = p.where.rpartition(":")
            if not line.isdigit():
                name, line = p.where, "0"
            return files.setdefault(name, len(files)), int(line)

        raise ContextError(sorted(self.items, key=key))


def suggest(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for a close match, else `` (one of a, b, c)``."""
    options = list(choices)
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.75)
    if close:
        return f" (did you mean {close[0]!r}?)"
    if not options or len(options) > 12:
        return ""
    return f" (one of {', '.join(options)})"
