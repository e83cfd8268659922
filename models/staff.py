"""Who is acting: the operating-system login of the process, looked up in the staff registry.

No argument, setting or environment variable chooses the identity: `current_staff` asks the
kernel for the effective user and finds that login's record. The login that creates a
database (its first `db upgrade`, `demo-data` or console start) becomes its first lead;
everyone else is added by a lead (`licensedesk staff add LOGIN ...`).
LICENSEDESK_STAFF_NAME / _EMAIL only pre-fill that first lead's profile.
"""

from __future__ import annotations

import re
import socket

from sqlalchemy import func, select
from sqlmodel import Session, col

from models.audit import process_login, record
from models.context import Ctx
from models.errors import DomainError, NoStaffIdentity, NotFound, Refused
from models.pg_roles import check_database_user
from models.roles import ROLES, acting
from models.tables import Staff
from models.text import InvalidText, clean_text, normalize_email, quote
from models.views import StaffRef, StaffRow

# POSIX-portable user names (useradd's default rule), as `staff add` accepts them.
_LOGIN = re.compile(r"[a-z_][a-z0-9_.-]{0,31}\$?")


def os_login() -> str:
    return process_login()


def _ref(row: Staff) -> StaffRef:
    return StaffRef(row.id or 0, row.email, row.name, row.login, row.role)


def _leads(session: Session) -> list[str]:
    return list(session.execute(
        select(col(Staff.login)).where(col(Staff.role) == "lead", col(Staff.active).is_(True),
                                  col(Staff.login).is_not(None)).order_by(col(Staff.login))).scalars())


def current_staff(ctx: Ctx) -> StaffRef:
    """The staff record of this process's login, or NoStaffIdentity saying whom to ask."""
    check_database_user(ctx)  # PostgreSQL with peer authentication: the database agrees
    login = os_login()
    with ctx.db.read() as s:
        row = s.execute(select(Staff).where(col(Staff.login) == login)).scalar_one_or_none()
        if row is not None and row.active:
            return _ref(row)
        leads = _leads(s)
    ask = f"ask a lead ({', '.join(leads)})" if leads else "ask whoever runs licensedesk here"
    if row is not None:
        raise NoStaffIdentity(f"the login {login} is disabled in licensedesk; {ask} to run: "
                              f"licensedesk staff set-role {login} agent")
    if not leads:
        raise NoStaffIdentity("this database has no lead yet: run licensedesk db upgrade (or "
                              "start the console) as the login that is to manage it")
    raise NoStaffIdentity(f"the login {login} is not on the staff of this licensedesk; {ask} "
                          f"to run: licensedesk staff add {login} --role agent --email ADDRESS")


def has_lead(ctx: Ctx) -> bool:
    with ctx.db.read() as s:
        return bool(_leads(s))


def registered(ctx: Ctx) -> StaffRef | None:
    """This login's active record, if it has one."""
    try:
        return current_staff(ctx)
    except NoStaffIdentity:
        return None


def default_email(ctx: Ctx) -> str:
    """A first lead's e-mail when none was given: the setting, else login@this host."""
    if ctx.settings.staff_email:
        return ctx.settings.staff_email
    host = socket.getfqdn() or "localhost"
    for candidate in (f"{os_login()}@{host}", f"{os_login()}@localhost.localdomain"):
        try:
            return normalize_email(candidate)[0]
        except DomainError:
            continue
    return "licensedesk@localhost.localdomain"


def claim_first_lead(ctx: Ctx, name: str | None = None, email: str | None = None) -> StaffRef:
    """Make this login the database's first lead, if it has none yet.

    A record with the same e-mail (from before logins were registered) is adopted, so its
    history stays its own."""
    login = os_login()
    addr, key = normalize_email(email or default_email(ctx))
    name = clean_text(name or ctx.settings.staff_name or login, "your name")
    with ctx.db.write() as s:
        mine = s.execute(select(Staff).where(col(Staff.login) == login)).scalar_one_or_none()
        if mine is not None and mine.active:
            return _ref(mine)
        leads = _leads(s)
        if leads:
            raise Refused(f"this database already has a lead ({', '.join(leads)}); ask them "
                          f"to run: licensedesk staff add {login} --role agent --email {addr}")
        row = s.execute(select(Staff).where(col(Staff.email_key) == key)).scalar_one_or_none()
        if row is None:
            row = Staff(email=addr, email_key=key, name=name, created_at=ctx.now())
        if row.login not in (None, login):
            raise Refused(f"{addr} belongs to the login {row.login}; give another e-mail")
        row.login, row.role, row.active, row.name = login, "lead", True, name
        s.add(row)
        s.flush()
        record(s, ctx.now(), addr, "staff.first_lead", f"{login} ({addr}) is the first lead")
        return _ref(row)


def _valid_login(login: str) -> str:
    if not _LOGIN.fullmatch(login):
        raise InvalidText(f"{quote(login)} is not a login name (lower-case letters, digits, "
                          "'_', '.', '-'; at most 32)")
    return login


def _valid_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidText(f"{quote(role)} is not a role; choose {', '.join(ROLES)}")
    return role


def add_staff(ctx: Ctx, actor: StaffRef, login: str, email: str, name: str | None = None,
              role: str = "agent") -> StaffRef:
    login, role = _valid_login(login), _valid_role(role)
    addr, key = normalize_email(email)
    name = clean_text(name or login, "name")
    with acting(ctx, actor, "staff.manage") as s:
        if s.execute(select(col(Staff.id)).where(col(Staff.login) == login)).first():
            raise Refused(f"{login} is on the staff already; use set-role to change it")
        row = s.execute(select(Staff).where(col(Staff.email_key) == key)).scalar_one_or_none()
        if row is not None and row.login is not None:
            raise Refused(f"{addr} belongs to the login {row.login}")
        if row is None:
            row = Staff(email=addr, email_key=key, name=name, created_at=ctx.now())
        row.login, row.role, row.active = login, role, True
        s.add(row)
        s.flush()
        record(s, ctx.now(), actor.email, "staff.added", f"added {login} ({addr}) as {role}")
        return _ref(row)


def _by_login(s: Session, login: str) -> Staff:
    row = s.execute(select(Staff).where(col(Staff.login) == login)).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no staff member with the login {quote(login)}")
    return row


def _keep_a_lead(s: Session, row: Staff) -> None:
    if row.role == "lead" and row.active:
        others = s.execute(select(func.count()).select_from(Staff).where(
            col(Staff.role) == "lead", col(Staff.active).is_(True), col(Staff.id) != row.id,
        )).scalar_one()
        if not others:
            raise Refused(f"{row.login} is the last lead; make someone else lead first")


def set_role(ctx: Ctx, actor: StaffRef, login: str, role: str) -> StaffRef:
    """Change a login's role; also gives a disabled login back its access."""
    role = _valid_role(role)
    with acting(ctx, actor, "staff.manage") as s:
        row = _by_login(s, login)
        if role != "lead":
            _keep_a_lead(s, row)
        before = row.role if row.active else f"{row.role} (disabled)"
        row.role, row.active = role, True
        s.add(row)
        record(s, ctx.now(), actor.email, "staff.role_changed",
               f"{login}: {before} -> {role}")
        return _ref(row)


def disable(ctx: Ctx, actor: StaffRef, login: str) -> StaffRef:
    with acting(ctx, actor, "staff.manage") as s:
        row = _by_login(s, login)
        _keep_a_lead(s, row)
        row.active = False
        s.add(row)
        record(s, ctx.now(), actor.email, "staff.disabled", f"disabled {login}")
        return _ref(row)


def update_me(ctx: Ctx, actor: StaffRef, name: str | None = None,
              email: str | None = None) -> StaffRef:
    """Change one's own name or e-mail (audited, with the old and new values)."""
    with ctx.db.write() as s:
        row = s.get(Staff, actor.id)
        if row is None or row.login != os_login() or not row.active:
            raise NoStaffIdentity("only your own active profile can be changed")
        changes = []
        if name is not None:
            new = clean_text(name, "name")
            if new != row.name:
                changes.append(f"name {quote(row.name)} -> {quote(new)}")
                row.name = new
        if email is not None:
            addr, key = normalize_email(email)
            if key != row.email_key:
                if s.execute(select(col(Staff.id)).where(col(Staff.email_key) == key)).first():
                    raise Refused(f"{addr} is another staff member's address")
                changes.append(f"e-mail {row.email} -> {addr}")
                row.email, row.email_key = addr, key
        if changes:
            s.add(row)
            record(s, ctx.now(), row.email, "staff.profile",
                   f"{row.login}: {'; '.join(changes)}")
        return _ref(row)


def list_staff(ctx: Ctx) -> list[StaffRef]:
    with ctx.db.read() as s:
        rows = s.execute(select(Staff).where(col(Staff.login).is_not(None))
                         .order_by(col(Staff.login))).scalars()
        return [_ref(r) for r in rows]


def staff_rows(ctx: Ctx) -> list[StaffRow]:
    """Every login in the registry, with its role and whether it may act."""
    with ctx.db.read() as s:
        rows = s.execute(select(Staff).where(col(Staff.login).is_not(None))
                         .order_by(col(Staff.login))).scalars()
        return [StaffRow(r.login or "", r.name, r.email, r.role, r.active) for r in rows]


def is_active(ctx: Ctx, login: str) -> bool:
    with ctx.db.read() as s:
        row = s.execute(select(col(Staff.active)).where(col(Staff.login) == login)).first()
        return bool(row and row.active)


def ensure_staff(ctx: Ctx, email: str | None = None, name: str | None = None,
                 role: str = "lead") -> StaffRef:
    """A staff record found or made by e-mail, with no login: for tests and demo data
    (colleagues who send invitations). No login can act as it."""
    email = email or ctx.settings.staff_email
    if not email:
        raise NoStaffIdentity("no staff e-mail given")
    addr, key = normalize_email(email)
    name = clean_text(name or ctx.settings.staff_name or "", "staff name", required=False)
    with ctx.db.write() as s:
        found = s.execute(select(Staff).where(col(Staff.email_key) == key)).scalar_one_or_none()
        if found is None:
            found = Staff(email=addr, email_key=key, name=name or addr.split("@")[0],
                          created_at=ctx.now(), role=_valid_role(role))
            s.add(found)
        elif name:
            found.name = name
        s.flush()
        return _ref(found)
