"""The invitee's language: gettext catalogs for the invitation mails and the signup page,
and dates in their locale.

One catalog per language, ``mailer/locale/<lang>/LC_MESSAGES/licensedesk.po``, holds the
messages of the mail templates (mailer/templates), of the signup page (signup/templates and
signup/app.py) and the role meanings of models.products. The .po files are read at run time
(``babel.messages.pofile.read_po``, compiled in memory, once per process): nothing to build,
so a clean clone works after ``pip install -e .``. English is the message ids themselves.

tests/mailer/test_languages.py fails when a catalog lacks a translation of any message the
templates use, has an empty one, or one left fuzzy: an invitee never gets English or an
empty string in place of their language without a test saying so.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_datetime, get_date_format, get_datetime_format
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment, pass_eval_context
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from jinja2.nodes import EvalContext
from markupsafe import Markup

from models.languages import DEFAULT, LANGUAGES
from models.products import OWNER, PRODUCTS

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "licensedesk"
EXTENSIONS = ["jinja2.ext.i18n", "mailer.i18n.ConstantMessages"]

# Texts that reach a page or a mail from the domain rather than from a template; each
# catalog translates them too.
DYNAMIC_MESSAGES: tuple[str, ...] = tuple(dict.fromkeys(
    [r.meaning for p in PRODUCTS.values() for r in p.roles] + [OWNER.meaning]))


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> NullTranslations:
    """The language's translations (English: the message ids). An unknown code is English."""
    if lang == DEFAULT or lang not in LANGUAGES:
        return NullTranslations()
    with catalog_path(lang).open("rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog)  # leaves out fuzzy and untranslated entries
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)


def gettext_for(lang: str) -> Callable[[str], str]:
    return translations(lang).gettext


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang if lang in LANGUAGES else DEFAULT)


@lru_cache(maxsize=16)
def _pattern(lang: str) -> str:
    loc = _locale(lang)
    return (str(get_datetime_format("long", locale=loc))
            .replace("{1}", get_date_format("long", locale=loc).pattern)
            .replace("{0}", "HH:mm"))  # 24-hour in every language: the time is UTC


@lru_cache(maxsize=256)
def format_when(value: datetime, lang: str) -> str:
    """A moment as the invitee reads it: the locale's long date, then the time in UTC
    (``12. Januar 2026, 09:00 UTC``, ``January 12, 2026, 09:00 UTC``)."""
    return f"{format_datetime(value, _pattern(lang), tzinfo=UTC, locale=_locale(lang))} UTC"


class ConstantMessages(Extension):
    """Translates ``_("a constant message")`` once, when a template is compiled, instead of
    on every render: most of a mail's messages have no values, and every call through the
    template context costs microseconds that composing, on the relay's path, must not
    spend (tests/perf/bench_relay.py). The source keeps its ``_()`` calls, so the catalogs'
    extraction and tests see them as written; messages with values (``_("...", x=y)``)
    are translated at render time by the i18n extension's gettext."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        tr: NullTranslations | None = getattr(self.environment, "licensedesk_translations",
                                              None)
        window: list[Token] = []
        for token in stream:
            window.append(token)
            if tr is not None and len(window) >= 4 and [t.type for t in window[-4:]] == [
                    "name", "lparen", "string", "rparen"] and window[-4].value == "_" and (
                    len(window) == 4 or window[-5].type != "dot"):
                message = window[-2]
                window[-4:] = [Token(message.lineno, "string", tr.gettext(message.value))]
            if len(window) > 5:
                yield window.pop(0)
        yield from window


def environments(make: Callable[[], Environment]) -> Callable[[str], Environment]:
    """One Jinja2 environment per language, each with its translations installed (newstyle
    gettext: values are escaped in HTML, %-formatting is safe), made on first use.

    Separate environments rather than one whose translations are swapped per render: the
    relay and the signup app may render in several languages at the same moment."""

    @cache
    def for_language(lang: str) -> Environment:
        env = make()
        env.policies["ext.i18n.trimmed"] = True  # as extract_messages reads them
        tr = translations(lang)
        env.install_gettext_translations(tr, newstyle=True)  # type: ignore[attr-defined]
        env.extend(licensedesk_translations=tr)  # for ConstantMessages
        env.globals["_"] = _fast_gettext(tr)
        env.filters["tr"] = lambda text: tr.gettext(text) if text else text
        env.filters["when"] = lambda value: format_when(value, lang) if value else ""
        env.globals["lang"] = lang
        env.globals["html_lang"] = lang.replace("_", "-")
        return env

    return for_language


def _fast_gettext(tr: NullTranslations) -> Callable[..., str]:
    """`_()` for templates, as the i18n extension's newstyle gettext does it (translated; in
    HTML, marked safe and its values escaped by the %-formatting) at a fraction of the cost:
    one call instead of three through the template context, and each message looked up once.
    Composing mails is on the relay's path (tests/perf/bench_relay.py)."""
    plain: dict[str, str] = {}
    safe: dict[str, Markup] = {}

    @pass_eval_context
    def gettext(eval_ctx: EvalContext, message: str, **variables: Any) -> str:
        if eval_ctx.autoescape:
            rv: str = safe.get(message) or safe.setdefault(
                message, Markup(tr.gettext(message)))  # noqa: S704 (our catalogs' text)
        else:
            rv = plain.get(message) or plain.setdefault(message, tr.gettext(message))
        return rv % variables if variables else rv

    return gettext


def negotiate(accept_language: str | None) -> str:
    """The best of our languages for a browser's Accept-Language header (a page that has no
    invitation to ask), else English."""
    if not accept_language:
        return DEFAULT
    wanted: list[tuple[float, int, str]] = []
    for n, part in enumerate(accept_language.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if tag and q > 0:
            wanted.append((-q, n, tag.strip().replace("-", "_")))
    codes = {c.casefold(): c for c in LANGUAGES}
    for _q, _n, tag in sorted(wanted):
        folded = tag.casefold()
        if folded in codes:
            return codes[folded]
        base = folded.split("_")[0]
        if base == "pt":
            return "pt_BR"
        if base in codes:
            return codes[base]
    return DEFAULT


def extract_messages(directories: Iterable[Path], python_files: Iterable[Path] = ()
                     ) -> dict[str, list[str]]:
    """message id -> where it is used, from Jinja2 templates and Python files (``_()``,
    ``N_()``, ``gettext()``); the list the catalogs must translate."""
    from babel.messages.extract import extract_from_file

    found: dict[str, list[str]] = {}

    def add(msgid: Any, where: str) -> None:
        for m in msgid if isinstance(msgid, tuple) else (msgid,):
            if m:
                found.setdefault(m, []).append(where)

    options = {"extensions": ",".join(EXTENSIONS), "trimmed": "true"}
    for directory in directories:
        for path in sorted(directory.iterdir()):
            if path.suffix in (".html", ".txt"):
                for lineno, msgid, _c, _x in extract_from_file(
                        "jinja2.ext:babel_extract", str(path), options=options):
                    add(msgid, f"{path.name}:{lineno}")
    for path in python_files:
        for lineno, msgid, _c, _x in extract_from_file("python", str(path)):
            add(msgid, f"{path.name}:{lineno}")
    for text in DYNAMIC_MESSAGES:
        add(text, "models/products.py")
    return found

