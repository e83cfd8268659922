"""Exports: every value comes back through Python's csv and json modules; nothing a hostile
name holds runs as a formula; the file is for its owner and group only."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.export import neutralize, render, to_csv, write_private

NASTY = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)",
         "\t=1+1", "\r=1", " =1+1", "a\r\nb", "‮evil‬", "\"quoted\"", "semi;colon",
         "=?utf-8?q?A=0D=0ABcc:_e@evil.example?=", "", "plain", "\x00nul", "ünï"]


@dataclass(frozen=True)
class Row:
    id: int
    name: str
    at: datetime | None
    seats: int


def rows_of(names: list[str]) -> list[Row]:
    when = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
    return [Row(i, n, when if i % 2 else None, -i) for i, n in enumerate(names)]


def read_back(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


@pytest.mark.parametrize("name", NASTY)
def test_a_formula_stays_text_and_the_rest_reads_back_as_typed(name: str) -> None:
    (row,) = read_back(to_csv(rows_of([name])))
    starts_formula = name.lstrip(" ")[:1] in ("=", "+", "-", "@") or name[:1] in "\t\r\n"
    if name and starts_formula:
        assert row["name"] == "'" + name
    else:
        assert row["name"] == name


@given(st.lists(st.text() | st.sampled_from(NASTY), max_size=8))
def test_csv_round_trips_every_value(names: list[str]) -> None:
    names = [n.replace("\x00", "") for n in names]  # the csv module itself refuses NUL
    rows = rows_of(names)
    back = read_back(to_csv(rows, bom=True))
    assert [r["name"] for r in back] == [neutralize(n) for n in names]
    assert [int(r["seats"]) for r in back] == [r.seats for r in rows]  # numbers stay numbers
    assert [r["at"] for r in back] == [r.at.isoformat() if r.at else "" for r in rows]


@given(st.lists(st.text() | st.sampled_from(NASTY), max_size=8))
def test_json_round_trips_exactly(names: list[str]) -> None:
    rows = rows_of(names)
    back = json.loads(render(rows, "json"))
    assert [r["name"] for r in back] == names


def test_bom_on_request_only() -> None:
    assert to_csv(rows_of(["a"]), bom=True).startswith("\ufeffid,name,at,seats\r\n")
    assert to_csv(rows_of(["a"])).startswith("id,name,at,seats\r\n")


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="csv, json"):
        render([], "xlsx")


def test_written_for_owner_and_group_and_never_through_a_planted_link(tmp_path) -> None:
    target = tmp_path / "exports" / "users.csv"
    write_private(target, "x\r\n")
    assert stat.S_IMODE(target.stat().st_mode) & 0o007 == 0
    assert target.read_bytes() == b"x\r\n"
    victim = tmp_path / "victim"
    victim.write_text("keep")
    planted = tmp_path / "exports" / "again.csv"
    planted.symlink_to(victim)
    write_private(planted, "new")
    assert victim.read_text() == "keep"  # the link was replaced, not followed
    assert not os.path.islink(planted)
