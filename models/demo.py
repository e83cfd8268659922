"""Demo data: realistic clients, licenses, accounts and invitations, deterministic per seed.

Written with DB-API `executemany` in one transaction per chunk, bypassing the ORM: the
services would take hours for a million invitations. The rows keep the services' rules
(every invitation has its outbox row and audit row; accepted ones have their Account; one
open invitation per license and address), so the console and scans treat them as real.
The words of every invitation's mail, audit line and notification come from the functions
the services write them with (`invitation_mail`, `overdue_audit`, `notice`, ...), so demo rows
cannot drift from real ones. Calling them per row would double the cost of a big load, so
each is called once with stand-in values, and what it returns becomes an SQL expression
(or, for a mail, rows of a temporary table) that derives each invitation's outbox and audit
rows from the chunk's invitations, as fast as hand-written SQL and in the services' words.
Demo mails are recorded as already sent, so a first start does not flood the mail catcher.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import hashlib
import itertools
import multiprocessing
import random
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from models.context import Ctx
from models.db import BUSY_TIMEOUT_MS
from models.demo_words import (
    _DERIVED,
    _SENDS,
    _SENDS_CUM,
    _plain,
    _Stamps,
)
from models.errors import Refused
from models.invitations import revoked_audit
from models.notifications import notice
from models.outbox import payload_text
from models.products import ADMIN, AGENT, OWNER, PLANS, PRODUCTS
from models.staff import ensure_staff, registered
from models.views import StaffRef

CHUNK_ORGS = 2000
NOTIFICATIONS = 12

_FIRST = (
    "Ada Alan Alice Amara Ana Anders Aiko Ben Bianca Carla Carlos Chen Chloe Dan Daria David "
    "Diego Elena Emil Emma Eva Farah Felix Fiona Grace Hana Hugo Ines Isaac Ivan Jade James "
    "Jana Jonas Julia Kai Karim Kasia Lars Laura Leo Lina Lucas Luis Maja Marco Maria Mateo "
    "Maya Mei Mila Nadia Nina Noah Olga Omar Oscar Paula Pedro Priya Rafael Rosa Ruth Sam "
    "Sara Sofia Tariq Tom Uma Vera Victor Wei Yara Yusuf Zoe Zofia"
).split()
_LAST = (
    "Abbott Alvarez Andersen Bauer Becker Bianchi Brennan Castillo Chen Costa Dubois Duarte "
    "Eriksen Fischer Fontaine Garcia Greene Haddad Hansen Hoffmann Ibrahim Ito Jansen Kaur "
    "Keller Kim Kowalski Laine Larsen Lopez Marin Meyer Moreau Murphy Nakamura Nguyen Novak "
    "Okafor Olsen Park Patel Petrov Quinn Ramos Reyes Rossi Sato Schmidt Silva Singh Sousa "
    "Suzuki Tanaka Torres Varga Vogel Wagner Walsh Weber Wong Yilmaz Zhang Zielinski"
).split()
_ADJ = (
    "Amber Atlas Blue Bright Cedar Clear Coastal Copper Crest Delta Eastern Evergreen Falcon "
    "First Golden Granite Harbor Iron Juniper Keystone Lakeside Maple Meridian Northern Nova "
    "Oak Orbit Pacific Pine Pioneer Prairie Quartz Redwood River Silver Summit Swift True "
    "Union Vertex Willow"
).split()
_NOUN = (
    "Analytics Apparel Bakery Bikes Books Builders Cargo Clinic Coffee Consulting Dental "
    "Design Energy Fitness Foods Furniture Games Garden Health Hotels Insurance Labs Legal "
    "Logistics Media Motors Outdoor Pets Pharmacy Print Realty Robotics Shoes Software "
    "Studios Supply Telecom Tools Travel Ventures"
).split()
_SUFFIX = ("Inc.", "Ltd", "GmbH", "LLC", "S.A.", "Group", "Co.", "", "", "")
_COLLEAGUES = (("Dana Kowalski", "dana.kowalski"), ("Lee Tanaka", "lee.tanaka"),
               ("Priya Shah", "priya.shah"), ("Marek Novak", "marek.novak"))
_BOUNCES = ("550 5.1.1 The email account that you tried to reach does not exist",
            "550 5.7.1 Recipient address rejected: access denied",
            "552 5.2.2 Mailbox full")
# Status mix of invitations, roughly what a partner's book looks like.
_STATUS_WEIGHTS = (("accepted", 46), ("pending", 20), ("overdue", 12), ("expired", 10),
                   ("revoked", 7), ("failed", 5))
_STATUSES = tuple(s for s, _ in _STATUS_WEIGHTS)
_STATUS_CUM = tuple(itertools.accumulate(w for _, w in _STATUS_WEIGHTS))

TABLES = ("staff", "organization", "organization_domain", "license", "account", "invitation",
          "notification", "outbox_mail", "audit_event")
# Rows other tables point at get their ids here; the rest take the database's.
_COLUMNS = {
    "organization": "id name name_key client_name client_email client_email_key search_key "
                    "data_center created_at created_by",
    "license": "id organization_id product status plan seats trial_ends_at payer data_center "
               "created_at created_by",
    "invitation": "id license_id organization_id email email_key role status token_hash send_no "
                  "times_sent sent_at overdue_at expires_at accepted_at failed_reason invited_by "
                  "created_at",
    "account": "license_id email email_key name role password_hash invitation_id created_at",
    "notification": "id staff_id kind invitation_id license_id send_no text created_at read_at",
    "outbox_mail": "kind to_addr to_name reply_to subject message_id payload token_sealed "
                   "status attempts next_attempt_at lease_owner lease_until sent_at last_error "
                   "invitation_id send_no notification_id organization_id created_at",
    "audit_event": "at actor kind detail organization_id license_id invitation_id",
}
_EXPLICIT_IDS = ("organization", "license", "invitation", "notification")
_RANGED = ("organization", "license", "invitation")
# Every address and organization name a load makes is built from these.
_plain(*_FIRST, *_LAST, *_ADJ, *_NOUN, *_SUFFIX)
# Loads at least this big, into a database smaller than the load, rebuild indexes at the end.
BULK_ORGS = 5000


class _Times:
    """Epoch seconds to the text each dialect stores: the date cached per day, the time of
    day from a table (millions of calls; strftime each time was most of the generator)."""

    def __init__(self, sqlite: bool) -> None:
        suffix = ".000000" if sqlite else "+00:00"
        self.tod = [f"{h:02d}:{m:02d}:{sec:02d}{suffix}"
                    for h in range(24) for m in range(60) for sec in range(60)]
        self.days: dict[int, str] = {}

    def __call__(self, ts: int | None) -> str | None:
        if ts is None:
            return None
        day, rest = divmod(ts, 86400)
        text = self.days.get(day)
        if text is None:
            text = self.days[day] = datetime.fromtimestamp(day * 86400, UTC).strftime(
                "%Y-%m-%d ")
        return text + self.tod[rest]


Rows = dict[str, list[tuple[Any, ...]]]


def _rows() -> Rows:
    return {t: [] for t in _COLUMNS}


@dataclass
class _Params:
    """Everything the generator needs; plain values, so it can run in another process."""

    orgs: int
    seed: int
    now: int
    overdue: int
    expiry: int
    sqlite: bool
    staff: list[StaffRef]
    me: StaffRef | None
    next_id: dict[str, int]
    chunk: int


@dataclass
class _Chunk:
    rows: Rows
    ranges: dict[str, tuple[int, int]]  # first and last id written per table
    orgs_done: int


@dataclass
class _Gen:
    p: _Params
    rng: random.Random = field(init=False)
    t: _Times = field(init=False)
    candidates: list[tuple[Any, ...]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.p.seed)
        self.t = _Times(self.p.sqlite)
        self.next_id = dict(self.p.next_id)

    def id(self, table: str) -> int:
        n = self.next_id[table]
        self.next_id[table] = n + 1
        return n

    def chunks(self) -> Iterator[_Chunk]:
        done = 0
        while done < self.p.orgs:
            rows = _rows()
            first = {t: self.next_id[t] for t in _RANGED}
            n = min(self.p.chunk, self.p.orgs - done)
            for _ in range(n):
                self.organization(rows)
            done += n
            yield _Chunk(rows, {t: (first[t], self.next_id[t] - 1) for t in _RANGED}, done)

    # -- one organization with its licenses, people and invitations -----------------------

    def organization(self, b: Rows) -> None:
        rng, t, now = self.rng, self.t, self.p.now
        company = f"{rng.choice(_ADJ)} {rng.choice(_NOUN)}"
        name = f"{company} {rng.choice(_SUFFIX)}".strip()
        org_id = self.id("organization")
        domain = f"{company.lower().replace(' ', '-')}-{org_id}.example"  # never a real inbox
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        client_name = f"{first} {last}"
        client_email = f"{first.lower()}.{last.lower()}@{domain}"
        dc = "eu" if rng.random() < 0.35 else "us"
        creator = rng.choice(self.p.staff)
        org_age = rng.randint(20 * 86400, 720 * 86400)
        created = now - org_age
        b["organization"].append((
            org_id, name, name.casefold(), client_name, client_email, client_email,
            f"{name} {client_name} {client_email}".casefold(), dc, t(created), creator.id))
        n_lic = rng.choices((1, 2, 3), cum_weights=(55, 85, 100))[0]
        for _ in range(n_lic):
            self.license(b, org_id, name, domain, dc, client_name, client_email, org_age,
                         rng.randint(1, round(20 / n_lic) - 1))

    def license(self, b: Rows, org_id: int, org_name: str, domain: str, dc: str,
                client_name: str, client_email: str, org_age: int, n_inv: int) -> None:
        rng, t, now = self.rng, self.t, self.p.now
        key = rng.choice(_PRODUCT_KEYS)
        prod = PRODUCTS[key]
        kind = rng.choices(("trial", "paid", "expired"), cum_weights=(30, 85, 100))[0]
        trial_days = rng.randint(14, 30)
        if kind == "trial":
            age = rng.randint(2 * 86400, trial_days * 86400 - 3600)
        else:
            age = rng.randint(min(org_age, (trial_days + 2) * 86400), org_age)
        age = min(age, org_age)
        created = now - age
        lic_id = self.id("license")
        creator = rng.choice(self.p.staff)
        payer = "client" if rng.random() < 0.3 else "partner"
        # The Owner: every license has one, the client.
        b["account"].append((lic_id, client_email, client_email, client_name, OWNER.name, None,
                             None, t(created)))
        used = {client_email}
        billable = 1
        for _ in range(n_inv):
            rnd = rng.random
            first, last = _FIRST[int(rnd() * len(_FIRST))], _LAST[int(rnd() * len(_LAST))]
            local = f"{first.lower()}.{last.lower()}"
            email = f"{local}@{domain}"
            n = 2
            while email in used:
                email = f"{local}{n}@{domain}"
                n += 1
            used.add(email)
            roll = rng.random()
            if key == "helpdesk" and roll < 0.12:
                role = "Viewer"
            else:
                role = ADMIN.name if roll < 0.3 else AGENT.name
            billable += role != "Viewer"
            self.invitation(b, org_id, org_name, lic_id, prod.label, role, f"{first} {last}",
                            email, age)
        plan, seats = "trial", billable
        trial_end: int | None = created + trial_days * 86400
        if kind == "paid":
            plan, trial_end = rng.choice(PLANS), None
            seats = billable + rng.randint(0, 10)
        elif kind == "expired":
            trial_end = min(created + trial_days * 86400, now - 3600)
        b["license"].append((lic_id, org_id, key, kind, plan, seats, t(trial_end), payer, dc,
                             t(created), creator.id))

    def invitation(self, b: Rows, org_id: int, org_name: str, lic_id: int, product: str,
                   role: str, person: str, email: str, lic_age: int) -> None:
        rng, t, now, overdue, expiry = self.rng, self.t, self.p.now, self.p.overdue, self.p.expiry
        status = _STATUSES[bisect.bisect(_STATUS_CUM, rng.random() * _STATUS_CUM[-1])]
        if status == "pending":
            lo, hi = 60, overdue - 60
        elif status == "overdue":
            lo, hi = overdue + 60, expiry - 60
        elif status == "failed":
            lo, hi = 60, expiry - 60
        elif status == "expired":
            lo, hi = expiry + 60, expiry + 90 * 86400
        else:  # accepted, revoked
            lo, hi = 3600, 400 * 86400
        hi = min(hi, lic_age - 60)
        if lo > hi:  # a young license: not every story fits yet
            status, lo, hi = "pending", 60, min(overdue - 60, lic_age - 60)
        rnd = rng.random  # random() and arithmetic: randint/choice cost 3x on a hot path
        age = lo + int(rnd() * (hi - lo + 1))
        sent = now - age
        times_sent = _SENDS[bisect.bisect(_SENDS_CUM, rng.random() * 100)]
        created = sent
        if times_sent > 1:
            created = max(now - lic_age, sent - (times_sent - 1) * rng.randint(3600, 3 * 86400))
        accepted_at: int | None = None
        failed_reason: str | None = None
        if status == "accepted":
            accepted_at = sent + 300 + int(rnd() * (min(expiry - 600, age - 30) - 299))
        elif status == "failed":
            failed_reason = rng.choice(_BOUNCES)
        inviter = self.p.staff[int(rnd() * len(self.p.staff))]
        inv_id = self.id("invitation")
        token_hash = hashlib.sha256(rng.randbytes(32) + inv_id.to_bytes(8, "big")).hexdigest()
        b["invitation"].append((
            inv_id, lic_id, org_id, email, email, role, status, token_hash, times_sent,
            times_sent, t(sent), t(sent + overdue), t(sent + expiry), t(accepted_at),
            failed_reason, inviter.id, t(created)))
        # Its outbox row and its audit rows other than a revocation are derived in SQL.
        if status == "accepted":
            assert accepted_at is not None
            b["account"].append((lic_id, email, email, person, role, None, inv_id,
                                 t(accepted_at)))
        elif status == "revoked":
            b["audit_event"].append((t(min(now - 60, sent + rng.randint(600, 5 * 86400))),
                                     *revoked_audit(inviter.email, email), org_id, lic_id,
                                     inv_id))
        me = self.p.me
        if (me is not None and inviter.id == me.id and status in ("accepted", "overdue", "failed")
                and len(self.candidates) < 4 * NOTIFICATIONS):
            when = {"accepted": accepted_at, "overdue": sent + overdue, "failed": sent}
            self.candidates.append((when[status], status, inv_id, lic_id, times_sent, email,
                                    org_name, product, role, failed_reason))

    def notifications(self) -> Rows:
        """A few alerts for the acting staff member, newest unread, each with its sent mail."""
        me, t, b = self.p.me, self.t, _rows()
        assert me is not None
        picked = sorted(self.candidates, key=lambda c: c[0])[-NOTIFICATIONS:]
        for i, (when, kind, inv_id, lic_id, send_no, email, org, product, role,
                reason) in enumerate(picked):
            said = notice(kind, email=email, role=role, organization=org, product=product,
                          license_id=lic_id, staff_name=me.name,
                          overdue_after=timedelta(seconds=self.p.overdue), extra=reason or "")
            note_id = self.id("notification")
            read = None if i >= len(picked) - 5 else t(min(self.p.now, when + 3600))
            b["notification"].append((note_id, me.id, kind, inv_id, lic_id, send_no, said.text,
                                      t(when), read))
            b["outbox_mail"].append((
                f"notify_{kind}", me.email, me.name, None, said.subject,
                f"<demo-n{1000000000000 + note_id}@licensedesk.local>",
                payload_text(said.payload), None, "sent", 1, t(when), None, None, t(when + 5),
                None, None, None, note_id, None, t(when)))
        return b


_PRODUCT_KEYS = tuple(PRODUCTS)


def _produce(params: _Params, out: Any, parents_end: Any) -> None:
    """Child process: generate chunks while the parent writes the previous one."""
    # A forked child holds the parent's reading end too: closed, a parent that dies
    # mid-load breaks the pipe, and this process ends instead of waiting forever to send.
    parents_end.close()
    gc.disable()  # millions of short-lived tuples, no cycles: collections only cost time
    gen = _Gen(params)
    for chunk in gen.chunks():
        out.send(chunk)
    out.send(gen.notifications() if params.me is not None else None)
    out.close()


def _staff(ctx: Ctx) -> tuple[list[StaffRef], StaffRef | None]:
    # The login running it, if registered; demo data is still useful before that.
    me = registered(ctx)
    colleagues = [ensure_staff(ctx, f"{local}@partner.example", name, role="agent")
                  for name, local in _COLLEAGUES]
    # The acting person sends about a third of the invitations, so their Alerts fill up.
    return ([me, me] if me else []) + colleagues, me


class _Writer:
    def __init__(self, conn: Connection, sqlite: bool, counts: dict[str, int],
                 stamps: _Stamps) -> None:
        self.conn = conn
        self.mark = "?" if sqlite else "%s"
        self.named = ("?", "?") if sqlite else ("%(lo)s", "%(hi)s")
        self.counts = counts
        # The outbox first, as the services write a mail before its audit row.
        self.sql = [*_DERIVED[:3], ("invitation", "outbox_mail", stamps.outbox_sql(sqlite)),
                    *_DERIVED[3:]]

    def chunk(self, rows: Rows, ranges: dict[str, tuple[int, int]]) -> None:
        """A chunk's rows and those derived from them; the revocations (the audit rows made in
        Python) last, so a license's history runs creation, sends, then what followed."""
        before = self._top("account")
        self.rows(rows, skip="audit_event")
        self.derived(ranges, accounts=(before + 1, self._top("account")))
        self.rows({"audit_event": rows["audit_event"]})

    def _top(self, table: str) -> int:
        return int(self.conn.exec_driver_sql(
            f"SELECT COALESCE(MAX(id), 0) FROM {table}").scalar_one())  # noqa: S608

    def rows(self, rows: Rows, skip: str = "") -> None:
        for table, cols in _COLUMNS.items():  # parents first: foreign keys hold throughout
            if table != skip and rows.get(table):
                names = cols.split()
                marks = ", ".join([self.mark] * len(names))
                sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"  # noqa: S608
                # The driver's own executemany, inside the transaction `conn` began:
                # SQLAlchemy's per-row parameter handling would cost ~70% more here.
                raw = self.conn.connection.driver_connection
                assert raw is not None
                cur = raw.cursor()
                try:
                    cur.executemany(sql, rows[table])
                finally:
                    cur.close()
                self.counts[table] += len(rows[table])

    def derived(self, ranges: dict[str, tuple[int, int]], accounts: tuple[int, int]) -> None:
        for source, table, sql in self.sql:
            lo, hi = ranges[source]
            if hi < lo:
                continue
            sql = sql.replace(":lo", self.named[0]).replace(":hi", self.named[1]).replace(
                "{accounts}", f"{accounts[0]:d} AND {accounts[1]:d}")
            params: Any = (lo, hi) if self.mark == "?" else {"lo": lo, "hi": hi}
            res = self.conn.exec_driver_sql(sql, params)
            self.counts[table] += max(res.rowcount, 0)


def _indexes(conn: Connection) -> list[tuple[str, str]]:
    """The big tables' secondary indexes (not the unique constraints' own)."""
    return [(r[0], r[1]) for r in conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('invitation', 'outbox_mail', 'audit_event', 'account')")]


def make_demo_data(ctx: Ctx, orgs: int = 200, seed: int = 1,
                   progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Add `orgs` organizations with ~10 invitations each; returns rows written per table."""
    if orgs < 0:
        raise Refused(f"the number of organizations must be 0 or more, not {orgs}")
    staff, me = _staff(ctx)
    stamps = _Stamps(staff)
    db = ctx.db
    sqlite = db.is_sqlite
    engine = db.engine.execution_options(sqlite_begin="IMMEDIATE") if sqlite else db.engine
    counts = dict.fromkeys(TABLES, 0)
    counts["staff"] = len({s.id for s in staff})
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        if sqlite:
            # A lost demo load is simply made again; durability per chunk buys nothing here.
            raw.execute("PRAGMA synchronous=OFF")
        try:
            with conn.begin():
                next_id = {t: int(conn.exec_driver_sql(
                    f"SELECT COALESCE(MAX(id), 0) FROM {t}").scalar_one()) + 1  # noqa: S608
                    for t in TABLES}
                existing = next_id["organization"] - 1
                stamps.create(conn, "?" if sqlite else "%s")
            bulk = sqlite and orgs >= BULK_ORGS and orgs > existing
            params = _Params(orgs=orgs, seed=seed, now=int(ctx.now().timestamp()),
                             overdue=int(ctx.settings.overdue_after.total_seconds()),
                             expiry=int(ctx.settings.invite_expiry.total_seconds()),
                             sqlite=sqlite, staff=staff, me=me, next_id=next_id,
                             chunk=CHUNK_ORGS)
            w = _Writer(conn, sqlite, counts, stamps)
            if bulk:
                _bulk_load(conn, w, params, progress)
            else:
                gen = _Gen(params)
                for chunk in gen.chunks():
                    with conn.begin():
                        w.chunk(chunk.rows, chunk.ranges)
                    if progress:
                        progress(chunk.orgs_done)
                if me is not None:
                    with conn.begin():
                        w.rows(gen.notifications())
            if not sqlite:
                with conn.begin():
                    for table in _EXPLICIT_IDS:
                        # Rows came with their ids; the sequences must move past them.
                        top = f"SELECT COALESCE(MAX(id), 1) FROM {table}"  # noqa: S608
                        conn.exec_driver_sql(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), ({top}))")
        finally:
            # Cleanup that must not hide why the load failed (the table goes with the
            # connection anyway; create() drops a pooled connection's leftover).
            with contextlib.suppress(Exception):
                if sqlite:  # a temporary table: no need to wait for the database's write lock
                    raw.execute("DROP TABLE IF EXISTS temp.demo_stamp")
                else:
                    with conn.begin():
                        conn.exec_driver_sql("DROP TABLE IF EXISTS demo_stamp")
            if sqlite:
                raw.execute("PRAGMA synchronous=NORMAL")
    return counts


def _rollback_journal(raw: Any) -> bool:
    """Switch the file to a rollback journal for the load, when no other connection has it
    open (else SQLite refuses at once, and the load goes through the WAL as always).

    Through the WAL, every page of a 2 GB load is written twice (to the WAL, then into the
    file at the checkpoint). A rollback journal keeps only the pages the load changes that
    were there before (the file only grows): a crash mid-load leaves that journal, which
    the next open plays back, so a half-done load is never seen. synchronous=FULL keeps
    that true after a power cut too; the few syncs of one transaction cost nothing."""
    raw.execute("PRAGMA busy_timeout=0")
    try:
        mode = raw.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
    except sqlite3.OperationalError:
        return False
    finally:
        raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    if mode != "delete":
        return False
    raw.execute("PRAGMA synchronous=FULL")
    return True


def _back_to_wal(raw: Any) -> None:
    """Best effort: every connection the app opens asks for WAL again anyway (models/db.py),
    so a console that connected meanwhile and holds the file only delays it."""
    with contextlib.suppress(sqlite3.OperationalError):
        raw.execute("PRAGMA journal_mode=WAL")


def _bulk_load(conn: Connection, w: _Writer, params: _Params,
               progress: Callable[[int], None] | None) -> None:
    """A big load into a small SQLite database: one transaction, generated in a second
    process while this one writes, secondary indexes dropped and built once at the end
    (sorting once beats a million random index updates), through a rollback journal when
    the file is ours alone (_rollback_journal). All or nothing."""
    raw = conn.connection.driver_connection
    assert raw is not None
    journal = _rollback_journal(raw)
    # fork needs no importable __main__; with other threads alive only spawn is safe.
    single = threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()
    ctx_mp = multiprocessing.get_context("fork") if single else multiprocessing.get_context("spawn")
    receive, send = ctx_mp.Pipe(duplex=False)
    child = ctx_mp.Process(target=_produce, args=(params, send, receive), daemon=True)
    child.start()
    send.close()
    # The generator keeps every reference valid (a test runs foreign_key_check on its output);
    # checking ~12 million parent lookups again here is most of a bulk load's cost.
    raw.execute("PRAGMA foreign_keys=OFF")
    raw.execute("PRAGMA cache_size=-1048576")  # 1 GiB while loading: no spill mid-transaction
    raw.execute("PRAGMA threads=4")  # helper threads sort for CREATE INDEX once the child is done
    collecting = gc.isenabled()
    gc.disable()  # the received rows are millions of tuples without cycles
    try:
        with conn.begin():
            indexes = _indexes(conn)
            for name, _sql in indexes:
                conn.exec_driver_sql(f"DROP INDEX {name}")
            while True:
                item = receive.recv()
                if not isinstance(item, _Chunk):
                    break
                w.chunk(item.rows, item.ranges)
                if progress:
                    progress(item.orgs_done)
            if item is not None:
                w.rows(item)
            for _name, sql in indexes:
                conn.exec_driver_sql(sql)
    finally:
        if collecting:
            gc.enable()
        raw.execute("PRAGMA foreign_keys=ON")
        raw.execute("PRAGMA cache_size=-2000")
        raw.execute("PRAGMA threads=0")
        if journal:
            _back_to_wal(raw)
        child.join(timeout=5)
        if child.is_alive():
            child.kill()
