"""Fail when a function or method of the project is over a cyclomatic complexity of 15.

`xenon` only knows radon's ranks (C is 11 to 20); our limit (docs/ARCHITECTURE.md) sits
inside C, so this reads radon's figures directly. Usage: `python scripts/check_complexity.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from radon.complexity import cc_visit

LIMIT = 15
PACKAGES = ("mobility", "fleet", "routing")


def over_limit(root: Path) -> list[str]:
    """`path:line name (complexity)` for every block of the packages over the limit."""
    found = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for block in cc_visit(path.read_text(encoding="utf-8")):
                if block.complexity > LIMIT:
                    found.append(f"{path.relative_to(root)}:{block.lineno} {block.fullname} "
                                 f"({block.complexity})")
    return found


if __name__ == "__main__":
    problems = over_limit(Path(__file__).resolve().parent.parent)
    for line in problems:
        print(line)
    print(f"{len(problems)} function(s) over a cyclomatic complexity of {LIMIT}")
    sys.exit(1 if problems else 0)
