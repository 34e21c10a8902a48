"""Fail when an import inside a function does not say why it is lazy.

Imports go at the top of a module (a cycle is fixed by moving code down, not by hiding an
import); a heavy library loaded only on use may be imported in a function with a comment
`# lazy: <reason>` on its line or the line before (docs/ARCHITECTURE.md).
Usage: `python scripts/check_lazy_imports.py`.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGES = ("mobility", "fleet", "routing")


def unexplained(root: Path) -> list[str]:
    """`path:line module` for every import inside a function without its `# lazy:` reason."""
    found = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            source = path.read_text(encoding="utf-8")
            lines = source.split("\n")
            for node in ast.walk(ast.parse(source)):
                if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import | ast.ImportFrom):
                        near = " ".join(lines[max(0, inner.lineno - 3):inner.lineno])
                        if "lazy:" not in near:
                            name = getattr(inner, "module", None) or inner.names[0].name
                            found.append(f"{path.relative_to(root)}:{inner.lineno} {name}")
    return found


if __name__ == "__main__":
    problems = unexplained(Path(__file__).resolve().parent.parent)
    for line in problems:
        print(line)
    print(f"{len(problems)} import(s) inside a function without a `# lazy:` reason")
    sys.exit(1 if problems else 0)
