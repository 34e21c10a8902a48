"""Two checks of docs/ARCHITECTURE.md over the project's packages, failing when either finds
something: no function over a cyclomatic complexity of 15 (`xenon` only knows radon's ranks,
C is 11 to 20, so this reads radon's figures), and no import inside a function without a
comment `# lazy: <reason>` on its line or just above it (imports go at the top; a cycle is
fixed by moving code down, not by hiding an import). Usage: `python scripts/check_code.py`.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

from radon.complexity import cc_visit

COMPLEXITY_LIMIT = 15
PACKAGES = ("mobility", "fleet", "routing")
ROOT = Path(__file__).resolve().parent.parent


def sources() -> Iterator[tuple[str, str]]:
    """`(path relative to the root, text)` of every module of the packages but migrations."""
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")


def too_complex(path: str, source: str) -> list[str]:
    """`path:line name (complexity)` for every block over the limit."""
    return [f"{path}:{block.lineno} {block.fullname} ({block.complexity})"
            for block in cc_visit(source) if block.complexity > COMPLEXITY_LIMIT]


def unexplained_lazy_imports(path: str, source: str) -> list[str]:
    """`path:line module` for every import inside a function without its `# lazy:` reason."""
    lines = source.split("\n")
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Import | ast.ImportFrom) and \
                    "lazy:" not in " ".join(lines[max(0, inner.lineno - 3):inner.lineno]):
                name = getattr(inner, "module", None) or inner.names[0].name
                found.append(f"{path}:{inner.lineno} {name}")
    return found


if __name__ == "__main__":
    complex_blocks, lazy_imports = [], []
    for path, source in sources():
        complex_blocks += too_complex(path, source)
        lazy_imports += unexplained_lazy_imports(path, source)
    for line in complex_blocks + lazy_imports:
        print(line)
    print(f"{len(complex_blocks)} function(s) over a cyclomatic complexity of {COMPLEXITY_LIMIT}; "
          f"{len(lazy_imports)} import(s) inside a function without a `# lazy:` reason")
    sys.exit(1 if complex_blocks or lazy_imports else 0)
