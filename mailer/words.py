"""A mail kind's words: its Jinja2 templates, rendered once per language and shared values
with stand-ins where each mail's own values go, then filled in per mail.

Values each mail has its own of (OWN) are ones the templates only print, never test,
filter or cut; they go in escaped in HTML, as autoescape escapes them. Rendering is most of
composing a mail, and a batch of invitations differs in little else. one_line() leaves no
control character in any value, so none can hold a stand-in. A kind whose templates do more
with one is rendered by Jinja2 every time (render_direct). tests/mailer/test_compose_bytes.py
holds fill() to render_direct() on hostile values, for every kind and language.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, meta, select_autoescape
from markupsafe import escape

from mailer.i18n import EXTENSIONS, environments

TEMPLATES = Path(__file__).with_name("templates")
OWN = ("link", "invitee_email", "expires", "subject", "organization", "license_id")
_STAND_IN = re.compile("\x1d([0-9]+)\x1d")
Pieces = tuple[str | int, ...]


def _make_env() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        # HTML parts escape every value; plain-text parts must not (no &amp; in a name).
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        auto_reload=False,  # templates ship with the code; skip a stat() per mail
        extensions=EXTENSIONS,
    )


# One environment per language (mailer/i18n.py); staff notifications are always English.
_env = environments(_make_env)


def render_direct(lang: str, kind: str, values: dict[str, Any]) -> tuple[str, str]:
    """(text, html) as Jinja2 renders them from these values, every time."""
    text, html = _templates(lang, kind)
    return text.render(values), html.render(values)


def fill(lang: str, kind: str, values: dict[str, Any]) -> tuple[str, str]:
    """(text, html) for these values: what render_direct gives, without Jinja2 per mail."""
    used = _used(lang, kind)
    own = tuple(k for k in OWN if k in used and values.get(k))  # an empty one may be tested
    rest = tuple(sorted((k, v) for k, v in values.items() if k in used and k not in own))
    try:
        shape = _shape(lang, kind, rest, own)
    except TypeError:  # a list (the digest's lines): not worth keeping
        shape = None
    if shape is None:
        return render_direct(lang, kind, values)
    mine = [values[k] for k in own]
    escaped = [str(escape(v)) for v in mine]
    text, html = shape
    return ("".join([p if isinstance(p, str) else mine[p] for p in text]),
            "".join([p if isinstance(p, str) else escaped[p] for p in html]))


@lru_cache(maxsize=256)
def _shape(lang: str, kind: str, rest: tuple[tuple[str, Any], ...],
           own: tuple[str, ...]) -> tuple[Pieces, Pieces] | None:
    """The kind's text and HTML as literal pieces and the indexes (into `own`) of the values
    that go between them; None if a template did more with a value than print it."""
    values = dict(rest)
    values.update((k, f"\x1d{n}\x1d") for n, k in enumerate(own))
    out = []
    for rendered in render_direct(lang, kind, values):
        pieces = _STAND_IN.split(rendered)
        if any("\x1d" in p for p in pieces[::2]):
            return None  # a stand-in was cut or changed on the way
        out.append(tuple(p if n % 2 == 0 else int(p) for n, p in enumerate(pieces)))
    return out[0], out[1]


@lru_cache(maxsize=64)
def _used(lang: str, kind: str) -> frozenset[str]:
    """The names a kind's templates (and those they extend) read: no other value can
    change what they render."""
    env = _env(lang)
    names: set[str] = set()
    todo, seen = [f"{kind}.txt", f"{kind}.html"], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        assert env.loader is not None
        source = env.loader.get_source(env, name)[0]
        tree = env.parse(source)
        names |= meta.find_undeclared_variables(tree)
        todo += [t for t in meta.find_referenced_templates(tree) if t]
    return frozenset(names)


@lru_cache(maxsize=64)
def _templates(lang: str, kind: str) -> tuple[Template, Template]:
    """A kind's text and HTML templates, looked up once (Jinja2's own cache takes a lock
    and a key per lookup, twice per mail)."""
    env = _env(lang)
    return env.get_template(f"{kind}.txt"), env.get_template(f"{kind}.html")
