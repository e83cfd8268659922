"""Rendering: Jinja2 with autoescaping, and every printed value stripped of control and
bidi characters (names and organizations are typed by other people); each page in the
invitee's language (mailer/i18n.py: gettext catalogs, dates by Babel)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from starlette.responses import HTMLResponse

from mailer.i18n import EXTENSIONS, environments, format_when
from models.languages import DEFAULT
from models.text import display

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


def _finalize(value: Any) -> Any:
    if isinstance(value, Markup):
        # Already escaped (a translated message with its values, an included fragment);
        # removing control characters from it cannot make markup.
        return Markup(display(str(value)))  # noqa: S704
    return display(value) if isinstance(value, str) else value


def make_env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
        finalize=_finalize, trim_blocks=True, lstrip_blocks=True, extensions=EXTENSIONS,
    )
    env.filters["when"] = lambda value: format_when(value, DEFAULT) if value else ""
    return env


class Pages:
    def __init__(self) -> None:
        self.env_for = environments(make_env)
        self.env = self.env_for(DEFAULT)

    def html(self, template: str, status: int = 200, *, lang: str = DEFAULT,
             **context: Any) -> HTMLResponse:
        return HTMLResponse(self.env_for(lang).get_template(template).render(**context),
                            status_code=status)

    def error_bytes(self) -> bytes:
        """The 500 page, rendered once more at the moment of failure (no request needed)."""
        try:
            return self.env.get_template("error.html").render().encode()
        except Exception:
            return b"<!doctype html><title>Something went wrong</title>" \
                b"<p>Something went wrong on our side. Please try again in a minute.</p>"
