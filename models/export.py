"""Lists written out for spreadsheets and scripts.

CSV opens cleanly in spreadsheet programs: UTF-8 (a byte-order mark on request, which Excel
needs to read UTF-8), every row on its own record even when a cell holds a line break, and a
text cell that a spreadsheet would run as a formula (it starts with = + - @, or a tab or
carriage return before one) written with a leading apostrophe, so a hostile client name stays
text. JSON is the views as the CLI's --json prints them, times in ISO 8601 UTC.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import fields, is_dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from models.views import to_json

FORMATS = ("csv", "json")
# What a spreadsheet treats as the start of a formula (OWASP "CSV injection"); a tab or a
# carriage return first lets one hide behind white space in some programs.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralize(text: str) -> str:
    """`text` as a spreadsheet shows it literally."""
    if text.startswith(_FORMULA_START) or text.lstrip(" ").startswith(_FORMULA_START[:4]):
        return "'" + text
    return text


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool | int | float):
        return value  # written as a number, never run
    if isinstance(value, dict):
        return neutralize(json.dumps(value, ensure_ascii=False, sort_keys=True))
    return neutralize(str(value))


def columns_of(rows: Sequence[Any]) -> list[str]:
    first = rows[0] if rows else None
    if first is None or not is_dataclass(first):
        return []
    return [f.name for f in fields(first)]


def to_csv(rows: Sequence[Any], columns: Sequence[str] | None = None, *,
           bom: bool = False) -> str:
    """Views (frozen dataclasses) as CSV text, a header row first."""
    cols = list(columns) if columns is not None else columns_of(rows)
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(cols)
    for row in rows:
        writer.writerow([_cell(getattr(row, c)) for c in cols])
    return out.getvalue()


def to_json_text(rows: Sequence[Any]) -> str:
    return json.dumps(to_json(list(rows)), ensure_ascii=False, indent=2) + "\n"


def render(rows: Sequence[Any], fmt: str, *, bom: bool = False) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    return to_csv(rows, bom=bom) if fmt == "csv" else to_json_text(rows)


def write_private(path: Path, text: str, mode: int = 0o600) -> Path:
    """Write `text` to `path` for its owner (and, with mode 0o640, the team's group) only:
    customer data. Never through a link planted at that path (a new file replaces it in one
    step) and never half; the temporary file has a name no other account can guess or plant."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o770)
    fd, name = tempfile.mkstemp(prefix=f".{path.name[:100]}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def default_path(exports_dir: Path, what: str, fmt: str, now: datetime) -> Path:
    return exports_dir / f"{what}-{now.strftime('%Y%m%d-%H%M%S')}.{fmt}"
