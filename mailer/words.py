"""A mail kind's words: its Jinja2 templates, rendered once per language and shared values
with stand-ins where each mail's own values go, then filled in per mail.

Rendering is most of composing a mail, and a batch of invitations differs in little else.
A value goes in as a stand-in only where the templates provably just print it: every use
of its name is `{{ name }}` or a keyword of a printed `_()` call (_printed_only reads the
templates' syntax trees), so no test, filter, slice or comparison can see it. Once per
shape, a second rendering with long probe values (spaces, markup, non-ASCII) must give
exactly the pieces filled with the probes, which also catches a translation that cuts or
formats a value. It goes in escaped in HTML, as autoescape and `_()` escape it. A stand-in
is a control character no value has (one_line() takes them out; a shared value holding one
is rendered by Jinja2 every time, as is any kind whose shape fails a check: render_direct).
tests/mailer/test_compose_bytes.py holds fill() to render_direct() on hostile values, for
every kind and language.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    meta,
    nodes,
    select_autoescape,
)
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
    used, printed = _used(lang, kind), _printed_only(lang, kind)
    own = tuple(k for k in OWN if k in printed and values.get(k))
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
    if any("\x1d" in str(v) for v in values.values()):
        return None  # it would pass for a stand-in
    values.update((k, f"\x1d{n}\x1d") for n, k in enumerate(own))
    out: list[Pieces] = []
    for rendered in render_direct(lang, kind, values):
        pieces = _STAND_IN.split(rendered)
        if any("\x1d" in p for p in pieces[::2]):
            return None  # a stand-in was cut or changed on the way
        out.append(tuple(p if n % 2 == 0 else int(p) for n, p in enumerate(pieces)))
    # Printed as they are, long probes come out as they went in (escaped in HTML).
    probes = [f"{_PROBE}{n}{_PROBE}" for n in range(len(own))]
    values.update(zip(own, probes, strict=True))
    escaped = [str(escape(v)) for v in probes]
    text, html = render_direct(lang, kind, values)
    if (text != "".join([p if isinstance(p, str) else probes[p] for p in out[0]])
            or html != "".join([p if isinstance(p, str) else escaped[p] for p in out[1]])):
        return None
    return out[0], out[1]


_PROBE = '  <Ab>&"\'ü ' + "x" * 1100 + " %s "


@lru_cache(maxsize=64)
def _printed_only(lang: str, kind: str) -> frozenset[str]:
    """The OWN names that the kind's templates (and those they extend) only print: each use
    is `{{ name }}` or a keyword argument of a printed `_()` call (gettext puts it in as
    `%(name)s`), never a test, filter, slice, comparison, assignment or other call."""
    ok: set[str] = set(OWN)
    for tree in _trees(lang, kind):
        _walk(tree, (), ok)
    return frozenset(ok)


def _trees(lang: str, kind: str) -> Iterator[nodes.Template]:
    """The parsed templates of a kind, and those they extend or include, each once."""
    env = _env(lang)
    todo, seen = [f"{kind}.txt", f"{kind}.html"], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        assert env.loader is not None
        tree = env.parse(env.loader.get_source(env, name)[0])
        todo += [t for t in meta.find_referenced_templates(tree) if t]
        yield tree


def _walk(node: nodes.Node, parents: tuple[nodes.Node, ...], ok: set[str]) -> None:
    if isinstance(node, nodes.Name) and node.name in ok and not _just_printed(parents):
        ok.discard(node.name)
    for child in node.iter_child_nodes():
        _walk(child, (*parents[-2:], node), ok)


def _just_printed(parents: tuple[nodes.Node, ...]) -> bool:
    if parents and isinstance(parents[-1], nodes.Output):
        return True  # {{ name }}
    if len(parents) < 3:
        return False
    output, call, keyword = parents[-3:]
    return (isinstance(output, nodes.Output) and isinstance(call, nodes.Call)
            and isinstance(keyword, nodes.Keyword) and keyword.key != "count"
            and isinstance(call.node, nodes.Name) and call.node.name == "_"
            and call.dyn_args is None and call.dyn_kwargs is None
            and len(call.args) == 1 and isinstance(call.args[0], nodes.Const))


@lru_cache(maxsize=64)
def _used(lang: str, kind: str) -> frozenset[str]:
    """The names a kind's templates (and those they extend) read: no other value can
    change what they render."""
    names: set[str] = set()
    for tree in _trees(lang, kind):
        names |= meta.find_undeclared_variables(tree)
    return frozenset(names)


@lru_cache(maxsize=64)
def _templates(lang: str, kind: str) -> tuple[Template, Template]:
    """A kind's text and HTML templates, looked up once (Jinja2's own cache takes a lock
    and a key per lookup, twice per mail)."""
    env = _env(lang)
    return env.get_template(f"{kind}.txt"), env.get_template(f"{kind}.html")
