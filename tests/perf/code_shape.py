"""The code-shape figures issue 17 asked for: `type: ignore` per room, the longest files and
classes, the median file length. Run: `.venv/bin/python tests/perf/code_shape.py [ROOT]`."""

from __future__ import annotations

import ast
import statistics
import sys
from pathlib import Path

ROOMS = ("tui", "models", "mailer", "signup")


def main(root: Path) -> int:
    files = [p for room in ROOMS for p in (root / room).rglob("*.py")
             if "migrations" not in p.parts]
    lengths = {p: len(p.read_text(encoding="utf-8").splitlines()) for p in files}
    for room in ROOMS:
        ignores = sum(p.read_text(encoding="utf-8").count("type: ignore")
                      for p in files if p.relative_to(root).parts[0] == room)
        print(f"type_ignore_{room} {ignores}")
    print(f"files {len(files)}")
    print(f"median_file_lines {statistics.median(lengths.values()):.0f}")
    for p, n in sorted(lengths.items(), key=lambda kv: -kv[1])[:3]:
        print(f"long_file {n} {p.relative_to(root)}")
    classes = []
    for p in files:
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                classes.append((node.end_lineno - node.lineno + 1,
                                f"{p.relative_to(root)}:{node.name}"))
    for n, name in sorted(classes, reverse=True)[:3]:
        print(f"long_class {n} {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else
                          Path(__file__).resolve().parents[2]))
