"""The relay writes each mail's bytes itself (mailer.compose.prepare: no EmailMessage, parts
or generator per mail). Whatever was typed, those bytes must be exactly what the standard
library's policy and generator (aiosmtplib's flatten) make of the same message as compose()
builds it, a row that cannot become a mail must be refused by both, and the mail must mean
what was typed: no header beyond the expected ones, each value reading back as typed, the
bodies being what Jinja2 renders from the row (the relay renders a kind's words once and
puts each mail's own values in; that must not change a character either)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from aiosmtplib.email import flatten_message
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from jinja2 import TemplateError

from mailer.compose import (
    KINDS,
    ComposeError,
    compose,
    one_line,
    prepare,
    render,
    subject_of,
    template_values,
)
from mailer.i18n import DYNAMIC_MESSAGES
from mailer.words import OWN, _env, _printed_only, _shape, _used, _walk, render_direct
from models.outbox import ClaimedMail
from models.settings import Settings
from tests.mailer.test_header_meaning import EXPECTED, _display_name, _read, _rfc2047, _unfolded

NOW = datetime(2026, 11, 26, 12, 0, 7, 123456, tzinfo=UTC)
LINE_BREAKS = ["\r", "\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85",
               "\u2028", "\u2029"]
HOSTILE = st.sampled_from([
    *LINE_BREAKS, "\t", "\x00", "\x1b[31m", "\u202e", "\u2067", "\u200f",
    # encoded words: ours, other charsets, malformed, and ones that decode to a line break
    "=?utf-8?q?A=0D=0ABcc:_e@evil.example?=", "=?UTF-8?B?QQ0KQmNjOiBlQGV2aWwuZXhhbXBsZQ==?=",
    "=?utf-8?q?x?=", "=?iso-8859-1?q?caf=E9?=", "=?utf-8?q?", "=?", "?=", "=?x?y?z?=",
    # lone surrogates (text that was never UTF-8), astral and combining characters
    "\ud800", "\udcff", "\udc80", "🎉", "\U0001f468\u200d\U0001f469", "e\u0301",
    # long words with nowhere to fold, and runs of spaces
    "x" * 120, "ü" * 70, "=?utf-8?q?" + "A" * 90 + "?=", "a" * 997, "  ", " " * 80,
    '"', "\\", "<", ">", "@", ",", ";", ":", "(", ")", "ü", "Ж", "漢字",
    "Bcc: spy@evil.example", "X-Injected: 1", "\r\nBcc: spy@evil.example",
])
TYPED = st.lists(HOSTILE | st.text(max_size=10), max_size=30).map("".join)
SOME_KINDS = st.sampled_from(["notify_accepted", "notify_failed", "invitation", "reminder"])
TO = st.sampled_from(["bob@acme.example", "anna@bücher.example", "jöhn@acme.example",
                      "a\r\nBcc: c@d.example@x.example", "=?utf-8?q?a=0D=0A?=@x.example"])
REPLY = st.sampled_from([None, "sam@partner.example", "jöhn@partner.example"])
SENDERS = {f: Settings(mail_from=f) for f in (
    "Licensedesk <noreply@partner.example>", '"Bücher Desk" <desk@bücher.example>')}


def _mail(kind: str, subject: str, to_name: str, to_addr: str, reply_to: str | None,
          inviter: str, org: str, language: str | None) -> ClaimedMail:
    payload = {"invitee_email": to_addr, "role": "Agent", "role_meaning": "chats",
               "organization": org, "product": "HelpDesk", "license_id": 7,
               "inviter_name": inviter, "inviter_email": "sam@partner.example",
               "staff_name": inviter, "reason": org, "expires_at": NOW.isoformat()}
    if language is not None:
        payload["language"] = language
    return ClaimedMail(
        id=1, kind=kind, to_addr=to_addr, to_name=to_name, reply_to=reply_to,
        subject=subject, message_id="<0123abcd.1@partner.example>", payload=payload,
        token="t" * 43, attempts=1, created_at=NOW, lease_until=NOW)


def _reference(mail: ClaimedMail, s: Settings, utf8: bool) -> bytes | None:
    """The stdlib's bytes for compose()'s message; None where it cannot be made at all."""
    try:
        return flatten_message(compose(mail, s, NOW), utf8=utf8)
    except Exception:  # whatever stops it, prepare must refuse the row too
        return None


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=SOME_KINDS, subject=TYPED, to_name=TYPED, to_addr=TO, reply_to=REPLY, inviter=TYPED,
       org=TYPED, language=st.sampled_from([None, "en", "de", "pl"]),
       sender=st.sampled_from(sorted(SENDERS)))
@example(kind="notify_accepted", subject="=?utf-8?q?A=0D=0ABcc:_e@evil.example?=",
         to_name="Al\u2028Bcc: e@evil.example", to_addr="bob@acme.example",
         reply_to="sam@partner.example", inviter="\x85=?utf-8?q?X-I:_1?=", org="x" * 400,
         language=None, sender="Licensedesk <noreply@partner.example>")
@example(kind="invitation", subject="s", to_name="Jöhn", to_addr="jöhn@acme.example",
         reply_to="jöhn@partner.example", inviter="Ünal " * 30, org="Zürich <b>&</b>",
         language="de", sender='"Bücher Desk" <desk@bücher.example>')
@example(kind="notify_failed", subject="bad \udcff", to_name="x", to_addr="bob@acme.example",
         reply_to=None, inviter="x", org="y", language=None,
         sender="Licensedesk <noreply@partner.example>")
def test_the_relays_bytes_are_the_stdlib_policys_and_mean_what_was_typed(
        kind: str, subject: str, to_name: str, to_addr: str, reply_to: str | None,
        inviter: str, org: str, language: str | None, sender: str) -> None:
    s = SENDERS[sender]
    mail = _mail(kind, subject, to_name, to_addr, reply_to, inviter, org, language)
    # SMTPUTF8 exactly when a local part is not ASCII (an IDN domain goes as its A-label).
    utf8 = to_addr.startswith("jöhn") or reply_to == "jöhn@partner.example"
    expected = _reference(mail, s, utf8)
    event("refused" if expected is None else f"sent, utf8={utf8}")
    if expected is None:
        with pytest.raises(ComposeError):
            prepare(mail, s, NOW)
        return
    out = prepare(mail, s, NOW)
    assert out.data == expected
    assert out.utf8 == utf8

    head = out.data.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
    lines = head.split(b"\r\n")
    assert all(len(line) <= 998 for line in lines)
    assert not any(b"\r" in line or b"\n" in line for line in lines)  # only CRLF breaks
    msg = _read(out.data)
    assert list(msg.keys()) == [h for h in EXPECTED if h != "Reply-To" or reply_to]
    assert msg["Subject"] == subject_of(mail)
    assert _rfc2047(_unfolded(head, "Subject")) == subject_of(mail)
    if language in (None, "en") or kind.startswith("notify_"):
        assert subject_of(mail) == one_line(subject)  # the Subject the row was queued with
    assert _display_name(head, "To") == (one_line(to_name, 200), out.recipient)
    if reply_to:
        assert _display_name(head, "Reply-To") == (one_line(inviter, 200), reply_to)
    lang, values = template_values(mail, s)
    text, html = render_direct(lang, kind, values)
    plain, rich = (p for p in msg.walk() if not p.is_multipart())
    assert isinstance(plain, EmailMessage) and isinstance(rich, EmailMessage)
    assert [p.get_content().replace("\r\n", "\n") for p in (plain, rich)] == [text, html]


# What a template could do with a value other than print it: test it, escape it, cut it,
# take it for markup or for a placeholder of its own.
VALUE = st.one_of(st.just(""), TYPED, st.sampled_from([
    "%(inviter)s", "%s", "{{ link }}", "{% if x %}", "<b>&amp;</b>", "\"'", "0", "-",
    "\x1d0\x1d", "\x1d", "ü" * 300, *DYNAMIC_MESSAGES]))  # the catalogs translate these


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from([k for k in KINDS if k != "digest"]),
       language=st.sampled_from([None, "en", "de", "fr", "es", "pl", "pt_BR"]),
       shared=st.fixed_dictionaries({
           **{k: VALUE for k in ("role", "product", "inviter_name", "inviter_email",
                                 "staff_name", "reason")},
           "role_meaning": st.sampled_from(DYNAMIC_MESSAGES) | VALUE}),
       own=st.lists(st.fixed_dictionaries({k: VALUE for k in (
           "invitee_email", "organization", "license_id", "expires_at")}),
           min_size=1, max_size=3),
       subjects=st.lists(VALUE, min_size=3, max_size=3))
def test_words_rendered_once_are_what_jinja_renders_for_each_mail(
        kind: str, language: str | None, shared: dict[str, str], own: list[dict[str, str]],
        subjects: list[str]) -> None:
    s = SENDERS["Licensedesk <noreply@partner.example>"]
    for n, values in enumerate(own):
        payload = {**shared, **values}
        if language is not None:
            payload["language"] = language
        mail = ClaimedMail(
            id=n, kind=kind, to_addr="bob@acme.example", to_name="Bob", reply_to=None,
            subject=subjects[n], message_id=f"<{n}@partner.example>", payload=payload,
            token=f"{n}" * 43, attempts=1, created_at=NOW, lease_until=NOW)
        try:
            lang, direct_values = template_values(mail, s)
        except Exception as err:  # a row with no usable values (an expiry that is no date)
            with pytest.raises(type(err)):
                render(mail, s)
            continue
        try:
            direct = render_direct(lang, kind, direct_values)
        except TemplateError:  # a row Jinja2 cannot render: refused alike
            with pytest.raises(ComposeError):
                render(mail, s)
            continue
        assert render(mail, s) == direct


def test_the_own_values_are_ones_every_kind_only_prints() -> None:
    """A value rendered once as a stand-in must be one no template tests or filters: the
    stand-ins are only ever printed (else render() would fall back to Jinja2 per mail)."""
    for lang in ("en", "de", "pl"):
        for kind in KINDS:
            if kind == "digest":
                continue
            own = tuple(k for k in OWN if k in _used(lang, kind))
            assert own, kind
            assert set(own) <= _printed_only(lang, kind), (lang, kind)
            assert _shape(lang, kind, (
                ("contact", "c"), ("inviter", "i"), ("inviter_email", "e"),
                ("overdue_span", "2 days"), ("product", "p"), ("reason", ""), ("role", "r"),
                ("role_meaning", "m"), ("staff_name", "s")), own) is not None, (lang, kind)


@pytest.mark.parametrize(("source", "printed"), [
    ("{{ organization }} {{ _('%(o)s at %(l)s', o=organization, l=link) }}", True),
    ("{{ organization|upper }}", False),
    ("{{ organization|e }}", False),
    ("{{ organization[:5] }}", False),
    ("{{ organization ~ '' }}", False),
    ("{% if organization %}x{% endif %}{{ organization }}", False),
    ("{% if organization == 'Acme' %}x{% endif %}", False),
    ("{% set o = organization %}{{ o }}", False),
    ("{{ _('%(o)s', o=organization|trim) }}", False),
    ("{{ _('%(n)s', count=organization) }}", False),
    ("{{ ngettext('a', 'b', 1, o=organization) }}", False),
    ("{{ _(organization) }}", False),
    ("{% for c in organization %}{{ c }}{% endfor %}", False),
    ("{% macro m(v) %}{{ v }}{% endmacro %}{{ m(organization) }}", False),
])
def test_a_value_counts_as_only_printed_only_where_nothing_can_see_it(
        source: str, printed: bool) -> None:
    """What the stand-ins rest on: any use of a value but printing it, anywhere in the
    templates, sends the kind through Jinja2 per mail."""
    ok = set(OWN)
    _walk(_env("en").parse(source), (), ok)
    assert ("organization" in ok) is printed


@pytest.mark.parametrize("kind", ["invitation", "notify_failed"])
def test_a_shape_that_would_change_a_long_value_is_not_used(
        kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The probe check: a template (or a translation) that cuts or reformats a value in a
    way short stand-ins do not show ({{ v|truncate }}, %(v).20s) gets no shape."""
    import mailer.words as words

    real = words.render_direct

    def cutting(lang: str, kind: str, values: dict[str, object]) -> tuple[str, str]:
        cut = {k: (v[:40] if isinstance(v, str) else v) for k, v in values.items()}
        return real(lang, kind, cut)

    own = tuple(k for k in OWN if k in _used("en", kind))
    rest = (("contact", "c"), ("inviter", "i"), ("inviter_email", "e"),
            ("overdue_span", "2 days"), ("product", "p"), ("reason", ""), ("role", "r"),
            ("role_meaning", "m"), ("staff_name", "s"))
    _shape.cache_clear()
    monkeypatch.setattr(words, "render_direct", cutting)
    try:
        assert _shape("en", kind, rest, own) is None
    finally:
        _shape.cache_clear()
