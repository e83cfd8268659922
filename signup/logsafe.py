"""Request text in log lines: every control character written as an escape.

A path, a header or an error message comes from whoever sent the request. Written raw, a
`%0a` in a URL starts a forged log line and a `%1b` sends an escape sequence to the terminal
of whoever tails the log. `escape` turns C0 and C1 controls, DEL, the Unicode line and
paragraph separators and the bidi overrides into `\\n`, `\\x1b`, `\\u2028`…, and a backslash
into `\\\\`, so an escape in the log always means the character, never the text.

Our own lines escape their arguments where they are written (signup.headers); uvicorn's
loggers get `EscapeArgs`, which does the same to every text argument of a record.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\\\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def _one(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: str) -> str:
    """`text` on one line, with nothing a terminal would act on."""
    return _UNSAFE.sub(_one, text)


def _safe_arg(value: Any) -> Any:
    if isinstance(value, (int, float)):  # %d and %f still work
        return value
    return escape(value if isinstance(value, str) else str(value))


class EscapeArgs(logging.Filter):
    """Escapes the arguments of each record; the format string is the program's own."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple):
            record.args = tuple(_safe_arg(a) for a in args)
        elif isinstance(args, Mapping):
            record.args = {k: _safe_arg(v) for k, v in args.items()}
        return True


UVICORN_LOGGERS = ("uvicorn.error", "uvicorn.access")


def install() -> None:
    """Put `EscapeArgs` on uvicorn's loggers, once (a logger's filters outlive dictConfig)."""
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, EscapeArgs) for f in logger.filters):
            logger.addFilter(EscapeArgs())
