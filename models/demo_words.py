"""The services' own words, turned into SQL for the demo data (models/demo.py).

Each wording function (`invitation_mail`, `overdue_audit`, `notice`, ...) is called once with
stand-in values; what it returns is split at the stand-ins into literal text and the SQL
expressions that give each row its values. A function that transformed a value instead of
placing it would leave no stand-in to find: `_parts` then raises, and the demo tests fail,
rather than the demo silently writing other words.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from models.accept import accepted_audit
from models.audit import AuditText
from models.invitations import InvitationMail, invitation_mail
from models.notifications import failed_audit
from models.outbox import json_text, payload_text
from models.products import PRODUCTS
from models.scans import expired_audit, overdue_audit
from models.views import StaffRef

# How many times a demo invitation was sent, and the cumulative weights of 1, 2 and 3.
_SENDS, _SENDS_CUM = (1, 2, 3), (75, 93)
_LABEL_SQL = "CASE l.product " + " ".join(
    f"WHEN '{k}' THEN '{p.label}'" for k, p in PRODUCTS.items()) + " END"

# Stand-ins the wording functions place like any value, found again in what they return. A
# function that transformed a value instead of placing it would leave none to find: _parts
# then raises, and the demo tests fail, rather than the demo silently writing other words.
# (A value a function cuts to a length, such as a subject to 300 characters, is short here.)
_EMAIL, _ROLE, _NAME, _ORG, _PRODUCT, _REASON = (f"\x1d{n}\x1d" for n in "ERNOPF")
_SEND_NO, _LICENSE_ID = 918273641, 918273642
_EXPIRES = datetime(1999, 9, 9, 9, 9, 9, tzinfo=UTC)
_MARKS = ("\x1d", json_text("\x1d")[1:-1], "9182736", "1999-09-09")  # a stand-in, or part of one


def _parts(text: str, slots: dict[str, str]) -> list[tuple[bool, str]]:
    """`text` split into (False, literal) and (True, slot name) pieces at the stand-ins."""
    pattern = "|".join(re.escape(k) for k in sorted(slots, key=len, reverse=True))
    pieces = re.split(f"({pattern})", text) if slots else [text]
    out = [(n % 2 == 1, slots[p] if n % 2 else p) for n, p in enumerate(pieces) if p]
    if any(not slot and any(m in p for m in _MARKS) for slot, p in out):
        raise ValueError(f"a wording function changed a stand-in value: {text!r}")
    return out


def _needs(text: str, *stand_ins: str) -> str:
    missing = [s for s in stand_ins if s not in text]
    if missing:
        raise ValueError(f"a wording function dropped or changed {missing!r}: {text!r}")
    return text


def _sql(text: str, slots: dict[str, str]) -> str:
    """`text` as an SQL expression: literals quoted, stand-ins replaced by column expressions."""
    pieces = [p if slot else "'" + p.replace("'", "''") + "'" for slot, p in _parts(text, slots)]
    return " || ".join(pieces) or "''"


def _audit_sql(text: AuditText, slots: dict[str, str], at: str, source: str,
               where: str = "", order: str = "i.id") -> str:
    return f"""
INSERT INTO audit_event (at, actor, kind, detail, organization_id, license_id, invitation_id)
SELECT {at}, {_sql(text.actor, slots)}, {_sql(text.kind, slots)}, {_sql(text.detail, slots)},
    i.organization_id, i.license_id, i.id
FROM {source} WHERE i.id BETWEEN :lo AND :hi{where} ORDER BY {order}"""  # noqa: S608 (templates)


def _send_audit_sql() -> str:
    """The send's audit row: what invitation_mail says for a first send or a reminder."""
    def words(kind: str) -> InvitationMail:
        return invitation_mail(kind, email=_EMAIL, role=_ROLE, send_no=_SEND_NO,
                               organization=_ORG, product=_PRODUCT, license_id=_LICENSE_ID,
                               inviter_name=_NAME, inviter_email=_NAME, expires_at=_EXPIRES)
    first, again = words("invitation"), words("reminder")
    slots = {_EMAIL: "i.email", _ROLE: "i.role", str(_SEND_NO): "i.send_no"}
    for mail in (first, again):
        _needs(mail.detail, _EMAIL, _ROLE)
    return f"""
INSERT INTO audit_event (at, actor, kind, detail, organization_id, license_id, invitation_id)
SELECT i.sent_at, s.email,
    CASE WHEN i.times_sent = 1 THEN {_sql(first.event, slots)} ELSE {_sql(again.event, slots)} END,
    CASE WHEN i.times_sent = 1 THEN {_sql(first.detail, slots)}
        ELSE {_sql(again.detail, slots)} END,
    i.organization_id, i.license_id, i.id
FROM invitation i JOIN staff s ON s.id = i.invited_by
WHERE i.id BETWEEN :lo AND :hi ORDER BY i.id"""  # noqa: S608 (templates)


# What the services write beside a chunk's rows, derived in SQL from them: the organizations'
# and licenses' creation, and each invitation's audit trail in the services' own words (its
# mail: _Stamps; a revocation's row is made in Python, its time is random).
_DERIVED: tuple[tuple[str, str, str], ...] = (
    ("organization", "audit_event", """
INSERT INTO audit_event (at, actor, kind, organization_id, license_id, invitation_id, detail)
SELECT o.created_at, s.email, 'organization.created', o.id, NULL, NULL,
    'created organization ' || o.name || ' for ' || o.client_name || ' <' || o.client_email
        || '>'
FROM organization o JOIN staff s ON s.id = o.created_by
WHERE o.id BETWEEN :lo AND :hi ORDER BY o.id"""),
    # The client's mail domain is the organization's own, as create_organization stores it:
    # what follows the last "@" of the folded address (rtrim keeps up to that "@" on both
    # dialects).
    ("organization", "organization_domain", """
INSERT INTO organization_domain (organization_id, domain)
SELECT o.id, substr(o.client_email_key, length(rtrim(o.client_email_key,
    replace(o.client_email_key, '@', ''))) + 1)
FROM organization o
WHERE o.id BETWEEN :lo AND :hi ORDER BY o.id"""),
    ("license", "audit_event", f"""
INSERT INTO audit_event (at, actor, kind, organization_id, license_id, invitation_id, detail)
SELECT l.created_at, s.email, 'license.created', l.organization_id, l.id, NULL,
    'created ' || {_LABEL_SQL} || ' license (' || l.status || ', payer ' || l.payer || ', '
        || UPPER(l.data_center) || ')'
FROM license l JOIN staff s ON s.id = l.created_by
WHERE l.id BETWEEN :lo AND :hi ORDER BY l.id"""),  # noqa: S608 (constants only)
    ("invitation", "audit_event", _send_audit_sql()),
    ("invitation", "audit_event", _audit_sql(
        overdue_audit(_EMAIL, _SEND_NO), {_EMAIL: "i.email", str(_SEND_NO): "i.send_no"},
        "i.overdue_at", "invitation i", " AND i.status IN ('overdue', 'expired')")),
    ("invitation", "audit_event", _audit_sql(
        expired_audit(_EMAIL), {_EMAIL: "i.email"},
        "i.expires_at", "invitation i", " AND i.status = 'expired'")),
    # From the chunk's accounts (their ids, {accounts}): account.invitation_id has no index.
    ("invitation", "audit_event", _audit_sql(
        accepted_audit(_NAME, _EMAIL, _ROLE), {_NAME: "a.name", _EMAIL: "a.email", _ROLE: "a.role"},
        "a.created_at", "account a JOIN invitation i ON i.id = a.invitation_id",
        " AND a.id BETWEEN {accounts}", "a.id")),
    ("invitation", "audit_event", _audit_sql(
        failed_audit(_EMAIL, _REASON), {_EMAIL: "i.email", _REASON: "i.failed_reason"},
        "i.sent_at", "invitation i", " AND i.status = 'failed'")),
)


# An invitation's mail is derived in SQL too, from invitation_mail's words for each (product,
# send, role, inviter), held in a temporary table: the literal text around the values that
# vary per row. Those go into the payload inside JSON strings; every one the demo makes
# (addresses, organization names) is plain ASCII that JSON writes as is.
_SUBJECT_SLOTS = {_ORG: "o.name"}
_PAYLOAD_SLOTS = {
    json_text(_EMAIL)[1:-1]: "i.email", json_text(_ORG)[1:-1]: "o.name",
    str(_LICENSE_ID): "i.license_id", _EXPIRES.isoformat(): "{expires_iso}",
}
# isoformat() of a whole-second UTC time, from the column as each dialect holds it.
_EXPIRES_ISO = {
    True: "substr(i.expires_at, 1, 10) || 'T' || substr(i.expires_at, 12, 8) || '+00:00'",
    False: "to_char(i.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || '+00:00'",
}


def _plain(*words: str) -> None:
    odd = [w for w in words if json_text(w) != f'"{w}"' or not w.isascii()]
    if odd:
        raise ValueError(f"demo words JSON would escape: {odd!r}")




def _split(text: str, slots: dict[str, str]) -> tuple[list[str], list[str]]:
    """Literal pieces around the stand-ins (one more than the slots) and the slots' SQL."""
    literals, exprs = [""], []
    for slot, p in _parts(text, slots):
        if slot:
            exprs.append(p)
            literals.append("")
        else:
            literals[-1] += p
    return literals, exprs


class _Stamps:
    """invitation_mail's words for every (product, send, role, inviter) a load can give an
    invitation."""

    def __init__(self, staff: list[StaffRef]) -> None:
        self.rows: list[tuple[Any, ...]] = []
        shape: tuple[list[str], list[str]] | None = None
        pairs = [(prod, role) for prod in PRODUCTS.values() for role in prod.role_names]
        for (prod, role), send_no, inviter in itertools.product(
                pairs, _SENDS, {s.id: s for s in staff}.values()):
            kind = "invitation" if send_no == 1 else "reminder"
            mail = invitation_mail(
                kind, email=_EMAIL, role=role, send_no=send_no, organization=_ORG,
                product=prod.label, license_id=_LICENSE_ID,
                inviter_name=inviter.name or inviter.email, inviter_email=inviter.email,
                expires_at=_EXPIRES)
            subject, subject_sql = _split(mail.subject, _SUBJECT_SLOTS)
            payload, payload_sql = _split(
                _needs(payload_text(mail.payload), *_PAYLOAD_SLOTS), _PAYLOAD_SLOTS)
            if shape is None:
                shape = (subject_sql, payload_sql)
            elif shape != (subject_sql, payload_sql):
                raise ValueError("invitation_mail words some mails in another shape; "
                                 "teach models.demo its variants")
            self.rows.append((prod.key, send_no, role, inviter.id, kind, mail.reply_to,
                              *subject, *payload))
        assert shape is not None
        self.subject_sql, self.payload_sql = shape

    def create(self, conn: Connection, mark: str) -> None:
        n_subject, n_payload = len(self.subject_sql) + 1, len(self.payload_sql) + 1
        cols = ["product", "send_no", "role", "staff_id", "kind", "reply_to",
                *(f"s{k}" for k in range(n_subject)), *(f"p{k}" for k in range(n_payload))]
        types = ["TEXT", "INTEGER", "TEXT", "INTEGER", *["TEXT"] * (len(cols) - 4)]
        conn.exec_driver_sql("DROP TABLE IF EXISTS demo_stamp")  # a pooled connection's last
        conn.exec_driver_sql("CREATE TEMPORARY TABLE demo_stamp ("
                             + ", ".join(f"{c} {t}" for c, t in zip(cols, types, strict=True))
                             + ")")
        raw = conn.connection.driver_connection
        assert raw is not None
        cur = raw.cursor()
        try:
            marks = ", ".join([mark] * len(cols))
            cur.executemany(f"INSERT INTO demo_stamp VALUES ({marks})", self.rows)  # noqa: S608
        finally:
            cur.close()

    def outbox_sql(self, sqlite: bool) -> str:
        subject = _interleave("st.s", self.subject_sql)
        payload = _interleave("st.p", self.payload_sql).replace(
            "{expires_iso}", _EXPIRES_ISO[sqlite])
        return f"""
INSERT INTO outbox_mail (kind, to_addr, to_name, reply_to, subject, message_id, payload,
    status, attempts, next_attempt_at, sent_at, last_error, invitation_id, send_no,
    organization_id, created_at)
SELECT st.kind, i.email, '', st.reply_to, {subject},
    '<demo-' || (1000000000000 + i.id) || '@licensedesk.local>', {payload},
    CASE WHEN i.status = 'failed' THEN 'failed' ELSE 'sent' END, 1, i.sent_at,
    CASE WHEN i.status = 'failed' THEN NULL ELSE i.sent_at END, i.failed_reason, i.id,
    i.send_no, i.organization_id, i.sent_at
FROM invitation i JOIN license l ON l.id = i.license_id
    JOIN organization o ON o.id = i.organization_id
    JOIN demo_stamp st ON st.product = l.product AND st.send_no = i.send_no
        AND st.role = i.role AND st.staff_id = i.invited_by
WHERE i.id BETWEEN :lo AND :hi ORDER BY i.id"""  # noqa: S608 (templates)


def _interleave(prefix: str, exprs: list[str]) -> str:
    pieces = [f"{prefix}0"]
    for k, expr in enumerate(exprs, 1):
        pieces += [expr, f"{prefix}{k}"]
    return " || ".join(pieces)
