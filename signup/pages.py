"""Rendering: Jinja2 with autoescaping, and every printed value stripped of control and
bidi characters (names and organizations are typed by other people)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.responses import HTMLResponse

from models.text import display

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


def _finalize(value: Any) -> Any:
    return display(value) if isinstance(value, str) else value


def _when(value: datetime | None) -> str:
    return value.strftime("%-d %B %Y, %H:%M UTC") if value else ""


def make_env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
        finalize=_finalize, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["when"] = _when
    return env


class Pages:
    def __init__(self) -> None:
        self.env = make_env()

    def html(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(self.env.get_template(template).render(**context),
                            status_code=status)

    def error_bytes(self) -> bytes:
        """The 500 page, rendered once more at the moment of failure (no request needed)."""
        try:
            return self.env.get_template("error.html").render().encode()
        except Exception:
            return b"<!doctype html><title>Something went wrong</title>" \
                b"<p>Something went wrong on our side. Please try again in a minute.</p>"
