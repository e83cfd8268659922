"""Reading the signup form: URL-encoded fields decoded strictly as UTF-8.

Starlette decodes a field that is not UTF-8 with replacement characters (URL-encoded: `��Jo`)
or as Latin-1 (multipart: `ÿþJo`), and the name would be stored so. Here a field whose bytes
are not UTF-8 is reported by name, so the form can say so beside it, and the other fields
are kept. Our form posts application/x-www-form-urlencoded; any other body is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes

from starlette.requests import Request

URLENCODED = "application/x-www-form-urlencoded"


class FormRefused(Exception):
    """The body cannot be read as our form at all: 413, 415 or 400."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@dataclass(frozen=True)
class FormFields:
    values: dict[str, str] = field(default_factory=dict)
    unreadable: frozenset[str] = frozenset()  # fields whose bytes were not UTF-8

    def get(self, name: str) -> str:
        return self.values.get(name, "")


def _decode(raw: bytes) -> str:
    return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")  # strict


def parse(body: bytes, *, max_fields: int) -> FormFields:
    parts = [p for p in body.split(b"&") if p]
    if len(parts) > max_fields:
        raise FormRefused(400)
    values: dict[str, str] = {}
    unreadable: set[str] = set()
    for part in parts:
        raw_name, _, raw_value = part.partition(b"=")
        try:
            name = _decode(raw_name)
        except UnicodeDecodeError:
            continue  # not one of our fields
        try:
            values[name] = _decode(raw_value)
            unreadable.discard(name)
        except UnicodeDecodeError:
            values.pop(name, None)
            unreadable.add(name)
    return FormFields(values, frozenset(unreadable))


async def read_form(request: Request, *, max_bytes: int, max_fields: int) -> FormFields:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != URLENCODED:
        raise FormRefused(415)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise FormRefused(413)
    return parse(bytes(body), max_fields=max_fields)
