"""Interoperability with Postfix from the distribution's packages (issue 16).

Postfix is set up like a company's submission port (tests/support/postfix.py): STARTTLS
required, SASL PLAIN/LOGIN offered only after it, nothing relayed without signing in,
SMTPUTF8 on. What it accepts it relays to an aiosmtpd sink, where these tests look at the
envelope and the message as they arrived. Postfix writes into the Received header whether
the session that handed it the mail was encrypted ("using TLS...", "with ESMTPSA" or
"with UTF8SMTPSA") and who signed in ("Authenticated sender:"), so that is checked too:
127.0.0.1 is loopback, where the product would also accept clear text.

The first tests drive Postfix with Python's own smtplib: they show the harness works,
whatever the product does. The last two drive the product: invitations created through
the real services, sent by the outbox relay.
"""

from __future__ import annotations

import asyncio
import os
import re
import smtplib
import ssl
from datetime import timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import idna
import pytest
from sqlalchemy import select
from sqlmodel import col

from mailer.relay import Relay
from mailer.smtp import SmtpConfig
from models.context import Ctx
from models.tables import OutboxMail
from models.timeutil import FixedClock
from tests.mailer.conftest import mail_settings
from tests.mailer.data import license_with_invites
from tests.support.postfix import (
    REALM,
    Arrival,
    PostfixServer,
    arrivals_for,
    postfix_session,  # noqa: F401  (the fixture `postfix`)
    summary,
)

ORG = "Bücher & Söhne"
STAFF = "Zoë Ünal"
IDN_INVITEE = "anna@bücher.example"
IDN_A_LABEL = "xn--bcher-kva.example"
UTF8_INVITEE = "jürgen@bücher.example"  # a non-ASCII local part travels only with SMTPUTF8
SIGNED_IN_AS = f"licensedesk@{REALM}"  # sasldb2 keys the user with its realm


def tls_context(postfix: PostfixServer) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(postfix.cert))


def received_by_postfix(arrival: Arrival) -> str:
    """The Received header Postfix added (the top one), unfolded."""
    received = arrival.message.get_all("Received", [])
    assert received, f"no Received header: {summary(arrival)}"
    return " ".join(str(received[0]).split())


def assert_encrypted_and_signed_in(arrival: Arrival) -> None:
    received = received_by_postfix(arrival)
    # ESMTPSA, or UTF8SMTPSA for an SMTPUTF8 transaction: S over TLS, A authenticated.
    assert re.search(r" with (ESMTPSA|UTF8SMTPSA) id ", received), received
    assert "(using TLSv1." in received, received
    assert f"(Authenticated sender: {SIGNED_IN_AS})" in received, received


def same_mailbox(a: str, b: str) -> bool:
    """Local parts equal, domains equal once both are A-labels."""
    local_a, _, domain_a = a.rpartition("@")
    local_b, _, domain_b = b.rpartition("@")

    def ascii_domain(d: str) -> str:
        return idna.encode(d, uts46=True).decode("ascii").lower()

    return local_a == local_b and ascii_domain(domain_a) == ascii_domain(domain_b)


def test_mailbox_comparison() -> None:
    assert same_mailbox(IDN_INVITEE, f"anna@{IDN_A_LABEL}")
    assert same_mailbox(IDN_INVITEE, IDN_INVITEE)
    assert not same_mailbox(IDN_INVITEE, "anna@bucher.example")
    assert not same_mailbox(IDN_INVITEE, f"ana@{IDN_A_LABEL}")


# --- the harness, driven by smtplib --------------------------------------------------


def test_nothing_before_starttls(postfix: PostfixServer) -> None:
    with smtplib.SMTP("127.0.0.1", postfix.port, timeout=10) as s:
        s.ehlo()
        assert s.has_extn("starttls")
        assert not s.has_extn("auth"), "AUTH offered before STARTTLS"
        code, reply = s.mail("licensedesk@localhost")
        assert code == 530 and b"STARTTLS" in reply, (code, reply)


def test_nothing_relayed_without_signing_in(postfix: PostfixServer) -> None:
    with smtplib.SMTP("127.0.0.1", postfix.port, timeout=10) as s:
        s.starttls(context=tls_context(postfix))
        s.ehlo()
        assert s.has_extn("auth")
        s.mail("licensedesk@localhost")
        code, reply = s.rcpt("bob@acme.example")
        assert code == 554, (code, reply)


def test_a_wrong_password_is_refused(postfix: PostfixServer) -> None:
    with smtplib.SMTP("127.0.0.1", postfix.port, timeout=10) as s:
        s.starttls(context=tls_context(postfix))
        s.ehlo()
        with pytest.raises(smtplib.SMTPAuthenticationError) as err:
            s.login(postfix.username, postfix.password + "x")
        assert err.value.smtp_code == 535


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_smtplib_sends_through_postfix_to_the_sink(postfix: PostfixServer,
                                                   mechanism: str) -> None:
    msg = EmailMessage()
    msg["From"] = Address(STAFF, addr_spec="sam@partner.example")
    msg["To"] = Address("Anna", addr_spec=f"anna@{IDN_A_LABEL}")
    msg["Subject"] = f"{STAFF} invites you to {ORG}"
    msg["Message-ID"] = mid = make_msgid(domain="harness.test")
    msg.set_content(f"{ORG}\n")
    with smtplib.SMTP("127.0.0.1", postfix.port, timeout=10) as s:
        s.ehlo()
        s.starttls(context=tls_context(postfix))
        s.ehlo()
        assert {"PLAIN", "LOGIN"} <= set(s.esmtp_features["auth"].upper().split())
        s.user, s.password = postfix.username, postfix.password
        code, _ = s.auth(mechanism, getattr(s, f"auth_{mechanism.lower()}"))
        assert code == 235
        s.send_message(msg, from_addr="licensedesk@localhost")

    (arrival,) = arrivals_for(postfix.wait_for(
        lambda got: len(arrivals_for(got, {mid})) == 1), {mid})
    assert arrival.mail_from == "licensedesk@localhost"
    assert arrival.rcpt_tos == (f"anna@{IDN_A_LABEL}",)
    assert_encrypted_and_signed_in(arrival)
    assert str(arrival.message["Subject"]) == f"{STAFF} invites you to {ORG}"
    assert f"sasl_method={mechanism}, sasl_username={SIGNED_IN_AS}" in postfix.log_text()


# --- the product ---------------------------------------------------------------------


def password_file(tmp_path: Path, password: str) -> Path:
    path = tmp_path / "smtp-password"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(password + "\n")
    return path


def outbox(ctx: Ctx) -> list[OutboxMail]:
    with ctx.db.read() as s:
        return list(s.execute(select(OutboxMail).order_by(col(OutboxMail.id))).scalars())


async def invite_through_postfix(tmp_path: Path, postfix: PostfixServer, clock: FixedClock,
                                 invitees: list[str]) -> list[tuple[str, Arrival]]:
    """Invite `invitees` to a license of ORG as STAFF, run the outbox relay against
    Postfix, and return (outbox address, what reached the sink) per mail."""
    settings = mail_settings(
        tmp_path, postfix.port, smtp_security="starttls", smtp_ca_file=postfix.cert,
        smtp_username=postfix.username,
        smtp_password_file=password_file(tmp_path, postfix.password),
        smtp_timeout=timedelta(seconds=10), staff_name=STAFF)
    ctx = Ctx.open(settings, clock=clock)
    try:
        license_with_invites(ctx, invitees, org=ORG, staff_name=STAFF)
        relay = Relay(ctx, SmtpConfig.from_settings(settings))
        await relay.drain()
        # What the product saw, first: no point waiting for mail it never handed over.
        assert relay.alert is None, relay.alert
        rows = outbox(ctx)
    finally:
        ctx.db.dispose()
    assert [(r.status, r.attempts) for r in rows] == [("sent", 1)] * len(invitees), \
        [(r.to_addr, r.status, r.attempts, r.last_error) for r in rows]
    by_id = {r.message_id: r.to_addr for r in rows}

    got = await asyncio.to_thread(
        postfix.wait_for, lambda a: len(arrivals_for(a, set(by_id))) >= len(by_id))
    arrivals = arrivals_for(got, set(by_id))
    assert len(arrivals) == len(by_id), [summary(a) for a in arrivals]  # each exactly once
    return [(by_id[str(a.message["Message-ID"]).strip()], a) for a in arrivals]


def assert_invitation_as_sent(to_addr: str, arrival: Arrival) -> None:
    """Envelope, session and headers of one invitation as it reached the sink."""
    (rcpt,) = arrival.rcpt_tos
    assert same_mailbox(rcpt, to_addr), (rcpt, to_addr)
    if not rcpt.isascii():  # a UTF-8 address may only travel with SMTPUTF8
        assert arrival.smtputf8, summary(arrival)
    assert arrival.mail_from == "licensedesk@localhost"
    assert_encrypted_and_signed_in(arrival)

    msg = arrival.message
    assert str(msg["Subject"]) == f"{STAFF} invites you to {ORG} on HelpDesk"
    (reply_to,) = msg["Reply-To"].addresses
    assert (reply_to.display_name, reply_to.addr_spec) == (STAFF, "sam@partner.example")
    (to,) = msg["To"].addresses
    assert same_mailbox(to.addr_spec, to_addr), to.addr_spec
    text = msg.get_body(("plain",))
    assert text is not None
    body = text.get_content()
    assert ORG in body and STAFF in body, body
    assert "https://signup.partner.example/invite/" in body


async def test_invitations_go_through_postfix_encrypted_and_signed_in(
        tmp_path: Path, postfix: PostfixServer, clock: FixedClock) -> None:
    sent = await invite_through_postfix(tmp_path, postfix, clock,
                                        ["bob@acme.example", IDN_INVITEE])
    for to_addr, arrival in sent:
        assert_invitation_as_sent(to_addr, arrival)
        # The evidence, for a person reading `pytest -s`: how Postfix says it took the mail.
        print(f"{to_addr}: RCPT {arrival.rcpt_tos[0]}; "
              + " ".join(str(arrival.message.get_all("Received", [])[-1]).split()))
    (idn,) = [a for _, a in sent if same_mailbox(a.rcpt_tos[0], IDN_INVITEE)]
    # As the A-label (no SMTPUTF8 needed), or as typed with SMTPUTF8: either is that mailbox.
    assert idn.rcpt_tos[0] in (f"anna@{IDN_A_LABEL}", IDN_INVITEE), summary(idn)
    if idn.rcpt_tos[0] == IDN_INVITEE:
        assert idn.smtputf8


async def test_a_non_ascii_mailbox_goes_through_postfix_with_smtputf8(
        tmp_path: Path, postfix: PostfixServer, clock: FixedClock) -> None:
    ((to_addr, arrival),) = await invite_through_postfix(tmp_path, postfix, clock,
                                                         [UTF8_INVITEE])
    assert_invitation_as_sent(to_addr, arrival)
    assert arrival.smtputf8, summary(arrival)
    assert arrival.rcpt_tos[0] in (f"jürgen@{IDN_A_LABEL}", UTF8_INVITEE), summary(arrival)
