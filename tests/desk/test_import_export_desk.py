"""Issue 13 through the desk: a table of CSV files (good, mixed, hostile) with the verdict
of every row; the send takes the ok rows all or nothing; every list exported round-trips
through Python's csv and json modules with hostile names neutralized."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path

import pytest

from models.context import Ctx
from models.csv_import import ImportProblem
from models.desk import Desk
from models.errors import FileProblem, InviteRefused, Refused
from models.licenses import create_license
from models.organizations import create_organization
from models.settings import Settings
from models.staff import ensure_staff
from models.timeutil import FixedClock
from models.views import InviteRequest
from tests.models.helpers import row_counts

HOSTILE_ORG = "=HYPERLINK(\"http://evil.example\",\"x\")"


@pytest.fixture
def ctx(tmp_path: Path, clock: FixedClock) -> Ctx:
    c = Ctx.open(Settings(data_dir=tmp_path / "data", staff_email="sam@partner.example",
                          staff_name="@Sam Support", rate_limit_per_org=50_000), clock=clock)
    yield c  # type: ignore[misc]
    c.db.dispose()


@pytest.fixture
def desk(ctx: Ctx) -> Desk:
    return Desk(ctx, ensure_staff(ctx))


@pytest.fixture
def lic(desk: Desk) -> int:
    org = create_organization(desk.ctx, desk.staff, name=HOSTILE_ORG, client_name="+Olivia",
                              client_email="olivia@acme.example")
    lic, _ = create_license(desk.ctx, desk.staff, organization_id=org,
                            product_key="helpdesk", invites=[
                                InviteRequest("open@acme.example", "Agent")])
    return lic


def verdicts(desk: Desk, lic: int, text: str | bytes) -> list[tuple[int, str]]:
    data = text.encode() if isinstance(text, str) else text
    return [(x.line, x.verdict) for x in desk.preview_import(lic, data).lines]


FILES = [
    ("good, header, commas",
     "email,role,name\nann@acme.example,Agent,Ann\nbo@acme.example,Viewer,Bo\n",
     [(2, "ok"), (3, "ok")]),
    ("good, no header, semicolons, CRLF",
     "ann@acme.example;Agent\r\nbo@acme.example;Administrator\r\n",
     [(1, "ok"), (2, "ok")]),
    ("mixed: every verdict",
     "E-mail\tRole\tName\tLanguage\n"
     "ann@acme.example\tAgent\tAnn\tde\n"
     "ANN@acme.example\tAgent\tAnn again\t\n"
     "open@acme.example\tAgent\t\t\n"
     "olivia@acme.example\tAgent\t\t\n"
     "not an address\tAgent\t\t\n"
     "cy@acme.example\tOwner\t\t\n"
     "di@acme.example\tAgent\t\tklingon\n"
     "ed@gmial.com\tAgent\t\t\n",
     [(2, "ok"), (3, "duplicate"), (4, "open"), (5, "member"), (6, "invalid"), (7, "role"),
      (8, "language"), (9, "typo")]),
    ("hostile: formulas, bidi, quoted CR/LF",
     "email,role,name\n"
     "=HYPERLINK(\"x\"),Agent,x\n"
     "\"@SUM(1)@acme.example\",Agent,\"two\r\nlines\"\n"
     "\u202emoc.emca@evil,Agent,x\n"
     "\"ann@acme.example\r\nbcc@evil.example\",Agent,x\n"
     "fay@acme.example,Agent,\"=1+1\"\n",
     [(2, "invalid"), (3, "invalid"), (5, "invalid"), (6, "invalid"), (8, "ok")]),
]


@pytest.mark.parametrize(("what", "text", "expected"), FILES, ids=[f[0] for f in FILES])
def test_every_row_gets_its_verdict_and_line(desk: Desk, lic: int, what: str, text: str,
                                              expected: list[tuple[int, str]]) -> None:
    before = row_counts(desk.ctx)
    assert verdicts(desk, lic, text) == expected
    assert row_counts(desk.ctx) == before  # a check writes nothing


def test_the_preview_is_the_invitation_rules_own(desk: Desk, lic: int) -> None:
    text = "a@acme.example,Agent\nb@acme.example,Viewer\nbad,Agent\nc@acme.example,Agent\n"
    preview = desk.preview_import(lic, text.encode())
    direct = desk.preview_invites(lic, [InviteRequest(e, r) for e, r in (
        ("a@acme.example", "Agent"), ("b@acme.example", "Viewer"), ("bad", "Agent"),
        ("c@acme.example", "Agent"))])
    assert tuple(x.outcome for x in preview.lines) == direct.outcomes
    # Viewer is free: the seat change counts the two billable ok rows (and the open one).
    assert (preview.seats_before, preview.seats_after) == (direct.seats_before,
                                                           direct.seats_after)
    assert preview.billable_after - preview.billable_before == 2


@pytest.mark.parametrize(("data", "says"), [
    ("émile@acme.example,Agent\n".encode("latin-1"), "not UTF-8"),
    ("émile@acme.example,Agent\n".encode("utf-16"), "not UTF-8"),
    (b"", "no rows"),
    (b"a@acme.example\x00,Agent\n", "NUL"),
])
def test_a_file_that_cannot_be_read_is_one_problem(desk: Desk, lic: int, data: bytes,
                                                   says: str) -> None:
    with pytest.raises(ImportProblem, match=says):
        desk.preview_import(lic, data)


def test_ten_thousand_rows_each_get_a_verdict(desk: Desk, lic: int) -> None:
    text = "email,role\n" + "".join(f"u{i}@acme.example,Agent\n" for i in range(9_999))
    text += "u5@acme.example,Agent\n"
    preview = desk.preview_import(lic, text.encode())
    assert len(preview.lines) == 10_000 and len(preview.ok) == 9_999
    assert preview.lines[-1].verdict == "duplicate" and preview.lines[-1].line == 10_001
    assert preview.seats_after >= preview.billable_after


def test_the_ok_rows_are_sent_in_one_transaction_the_rest_reported(desk: Desk,
                                                                   lic: int) -> None:
    text = b"ann@acme.example,Agent,Ann,de\nopen@acme.example,Agent\nbo@acme.example,Viewer\n"
    preview = desk.preview_import(lic, text)
    result = desk.import_invites(lic, text, expected=preview)
    assert [o.email for o in result.sent.invited] == ["ann@acme.example", "bo@acme.example"]
    assert [x.verdict for x in result.preview.refused] == ["open"]
    users = {u.email: u for u in desk.users(lic)}
    assert users["ann@acme.example"].status == "pending"
    # Sent once: the same file again has nothing left to send, and writes nothing.
    before = row_counts(desk.ctx)
    with pytest.raises(InviteRefused, match="nothing sent"):
        desk.import_invites(lic, text)
    assert row_counts(desk.ctx) == before


def test_a_change_between_the_check_and_the_send_writes_nothing(desk: Desk, lic: int) -> None:
    text = b"ann@acme.example,Agent\nbo@acme.example,Agent\ncy@acme.example,Agent\n"
    preview = desk.preview_import(lic, text)
    # Another console invites one of the ok rows meanwhile.
    desk.invite(lic, [InviteRequest("bo@acme.example", "Agent")])
    before = row_counts(desk.ctx)
    with pytest.raises(Refused, match="changed since"):
        desk.import_invites(lic, text, expected=preview)
    assert row_counts(desk.ctx) == before


def test_a_change_inside_the_window_of_the_send_itself_writes_nothing(
        desk: Desk, lic: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """No `expected`: the check and the send are one call, and the send's own transaction
    checks again; one row gone bad in between refuses them all."""
    import models.invitations

    text = b"ann@acme.example,Agent\nbo@acme.example,Agent\n"
    real = models.invitations.invite

    def racing(ctx: Ctx, actor: object, license_id: int, rows: object, add_me: bool = False):
        real(ctx, actor, license_id, [InviteRequest("bo@acme.example", "Agent")])
        monkeypatch.setattr(models.invitations, "invite", real)
        return real(ctx, actor, license_id, rows, add_me)

    monkeypatch.setattr(models.invitations, "invite", racing)
    with pytest.raises(InviteRefused, match="changed since"):
        desk.import_invites(lic, text)
    emails = {u.email for u in desk.users(lic)}
    assert "bo@acme.example" in emails and "ann@acme.example" not in emails


# reading a file ---------------------------------------------------------------------------

def test_hostile_paths_are_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.csv"
    zero.symlink_to("/dev/zero")
    big = tmp_path / "big.csv"
    big.write_bytes(b"a" * 20_000_000)
    cases = {fifo: "not a regular file", zero: "not a regular file", tmp_path: "directory",
             tmp_path / "missing.csv": "no such file", big: "larger than 5 MB",
             Path("a\x00b"): "cannot be opened", Path("x" * 5000): "cannot be opened"}
    for path, says in cases.items():
        with pytest.raises(FileProblem, match=says):
            Desk.read_import_file(str(path))


def test_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    f = tmp_path / "secret.csv"
    f.write_text("a@b.example,Agent\n")
    f.chmod(0)
    with pytest.raises(FileProblem, match="permission denied"):
        Desk.read_import_file(str(f))


# export -----------------------------------------------------------------------------------

@pytest.fixture
def busy(desk: Desk, lic: int, clock: FixedClock) -> Desk:
    """Every list with a hostile name in it: organization, client, staff, addresses."""
    from datetime import timedelta

    from models.scans import run_scans

    desk.invite(lic, [InviteRequest("-2+3@acme.example", "Agent"),
                      InviteRequest("+cmd@acme.example", "Viewer")])
    clock.advance(timedelta(hours=49))
    run_scans(desk.ctx)  # overdue now: Needs attention, and an alert for the inviter
    return desk


KINDS = ["clients", "licenses", "users", "history", "attention", "alerts", "outbox"]


@pytest.mark.parametrize("what", KINDS)
def test_every_list_round_trips_through_csv_and_json(busy: Desk, lic: int, what: str,
                                                     tmp_path: Path) -> None:
    desk = busy
    rows = desk.export(what, lic if what in ("users", "history") else None)
    assert rows, what
    text = desk.export_text(what, rows, "csv", bom=True)
    assert text.startswith("\ufeff")
    back = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert len(back) == len(rows)
    for row in back:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), (what, value)
    data = json.loads(desk.export_text(what, rows, "json"))
    assert len(data) == len(rows)
    assert data[0]["id"] == rows[0].id
    done = desk.export_file(what, "csv", license_id=lic if what in ("users", "history")
                            else None)
    path = Path(done.path)
    assert path.parent == Path(desk.exports_dir()) and done.rows == len(rows)
    assert stat.S_IMODE(path.stat().st_mode) & 0o007 == 0
    assert path.read_bytes().decode("utf-8") == desk.export_text(what, rows, "csv")


def test_hostile_names_come_back_literally_apostrophe_first(busy: Desk, lic: int) -> None:
    rows = busy.export("clients")
    back = list(csv.DictReader(io.StringIO(busy.export_text("clients", rows), newline="")))
    assert back[0]["name"] == "'" + HOSTILE_ORG and back[0]["client_name"] == "'+Olivia"
    users = {u["email"] for u in csv.DictReader(io.StringIO(
        busy.export_text("users", busy.export("users", lic)), newline=""))}
    assert {"'-2+3@acme.example", "'+cmd@acme.example"} <= users
    raw = json.loads(busy.export_text("clients", rows, "json"))
    assert raw[0]["name"] == HOSTILE_ORG  # JSON is data for scripts: exactly as stored


def test_an_export_is_the_whole_list_not_a_page(desk: Desk) -> None:
    for n in range(130):
        create_organization(desk.ctx, desk.staff, name=f"Org {n:03}", client_name="C",
                            client_email=f"c{n}@c.example")
    assert len(desk.export("clients")) == 130
    assert len(desk.export("clients", search="Org 01")) == 10
    empty = desk.export_text("users", [], "csv")
    assert empty.startswith("kind,id,email")  # the columns even when there is no row


def test_what_an_export_needs(desk: Desk, lic: int, tmp_path: Path) -> None:
    with pytest.raises(Refused, match="needs a license"):
        desk.export("users")
    with pytest.raises(Refused, match="cannot export"):
        desk.export("secrets")
    with pytest.raises(Refused, match="format"):
        desk.export_text("clients", [], "xlsx")
    with pytest.raises(Refused, match="directory"):
        desk.export_file("clients", path=str(tmp_path))
    named = desk.export_file("clients", "json", "mine.json")
    assert named.path == str(Path(desk.exports_dir()) / "mine.json")
    # A link planted where the file goes is replaced, never written through.
    target = tmp_path / "victim.txt"
    target.write_text("keep")
    link = Path(desk.exports_dir()) / "planted.csv"
    link.symlink_to(target)
    desk.export_file("clients", "csv", str(link))
    assert target.read_text() == "keep" and not link.is_symlink()


@pytest.mark.parametrize("name", ["../licensedesk.db", "../licensedesk.db.key",
                                  "../licensedesk.db-wal", "../mailbox/x.csv", "../x.csv"])
def test_an_export_never_replaces_licensedesks_own_files(desk: Desk, name: str) -> None:
    # Found by the attack on issues 12/13: "Export as… ../licensedesk.db.key" replaced the
    # key with CSV and locked the whole team out.
    data = Path(desk.ctx.settings.data_dir)

    def files() -> dict[Path, bytes]:  # SQLite's -shm and -wal move with every read
        return {p: p.read_bytes() for p in data.rglob("*")
                if p.is_file() and not p.name.endswith(("-shm", "-wal"))}

    before = files()
    with pytest.raises(Refused, match="licensedesk's own files"):
        desk.export_file("clients", "csv", name)
    with pytest.raises(Refused, match="licensedesk's own files"):
        desk.export_file("clients", "csv", str((data / "exports" / name).resolve()))
    assert files() == before


def test_an_export_outside_the_team_directory_is_the_owners_alone(desk: Desk,
                                                                  tmp_path: Path) -> None:
    inside = Path(desk.export_file("clients", "csv").path)
    outside = Path(desk.export_file("clients", "csv", str(tmp_path / "mine.csv")).path)
    assert stat.S_IMODE(inside.stat().st_mode) == 0o640  # the team shares the data dir
    assert stat.S_IMODE(outside.stat().st_mode) == 0o600


def test_a_planted_temporary_name_does_not_stop_an_export(desk: Desk, tmp_path: Path) -> None:
    # Another account planting the old predictable ".NAME.PID.tmp" made exports fail.
    (tmp_path / f".report.csv.{os.getpid()}.tmp").symlink_to(tmp_path / "elsewhere")
    done = desk.export_file("clients", "csv", str(tmp_path / "report.csv"))
    assert Path(done.path).read_text(encoding="utf-8").startswith("id,")
    assert not (tmp_path / "elsewhere").exists()


def test_two_exports_in_the_same_second_keep_two_files(desk: Desk) -> None:
    first = desk.export_file("clients", "csv")
    second = desk.export_file("clients", "csv")  # the injected clock has not moved
    third = desk.export_file("clients", "csv")
    assert len({first.path, second.path, third.path}) == 3
    assert all(Path(p.path).exists() for p in (first, second, third))
