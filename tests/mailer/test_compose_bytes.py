"""The relay flattens with its own generator (one write per ASCII body, shared headers folded
once): whatever the names and subjects, the bytes must be exactly what aiosmtplib's
flatten (the stdlib generator) writes for the same message."""

from __future__ import annotations

from datetime import UTC, datetime

from aiosmtplib.email import flatten_message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailer.compose import ComposeError, compose, flatten
from models.outbox import ClaimedMail
from models.settings import Settings

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
# Mostly ASCII, with the characters that make folding differ:
# quotes, specials, encoded-word markers, runs of spaces, non-ASCII, controls.
TEXT = st.lists(
    st.sampled_from([*"abcXYZ 019 \"'()<>[]@,;:\\.=?_-~!#$%&*+/^`{|}",
                     "=?", "?=", "=?utf-8?q?x?=", "ü", "Ж", "\t", "\r\n", "\x00", "  "]),
    max_size=60,
).map("".join)
LOCAL = st.from_regex(r"[a-z0-9][a-z0-9.+_-]{0,20}", fullmatch=True)


def _mail(subject: str, to_name: str, local: str, inviter: str) -> ClaimedMail:
    return ClaimedMail(
        id=1, kind="notify_accepted", to_addr=f"{local}@example.org", to_name=to_name,
        reply_to="sam@partner.example", subject=subject,
        message_id=f"<{local}.1@partner.example>",
        payload={"invitee_email": "x@y.example", "role": "Agent", "organization": "Acme",
                 "product": "HelpDesk", "license_id": 1, "inviter_name": inviter,
                 "staff_name": inviter},
        token=None, attempts=1, created_at=NOW, lease_until=NOW)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject=TEXT, to_name=TEXT, local=LOCAL, inviter=TEXT)
def test_own_flatten_writes_the_stdlibs_bytes(
        subject: str, to_name: str, local: str, inviter: str) -> None:
    s = Settings(mail_from="Licensedesk <noreply@partner.example>")
    try:
        msg = compose(_mail(subject, to_name, local, inviter), s, NOW)
    except ComposeError:
        return
    assert flatten(msg, False) == flatten_message(msg)
    assert flatten(msg, True) == flatten_message(msg, utf8=True)


@given(st.text(alphabet=st.characters() | st.sampled_from(
    ["\r", "\n", "\t", "\x00", "\x85", "\u2028", "\u200e", "\u202e", "\u2067", "\x9b"]),
    max_size=40))
def test_one_line_takes_out_every_control_and_bidi_character(text: str) -> None:
    """The printable-text shortcut in one_line must give what the full replacement gives."""
    import re

    from mailer.compose import _CTRL, one_line

    assert one_line(text) == _CTRL.sub(" ", text).strip()[:300]
    assert not _CTRL.search(one_line(text))
    assert not re.search(r"[\r\n\x00\u202e]", one_line(text))
