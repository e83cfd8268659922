"""Reading a spreadsheet of invitations: delimiters, headers, quoted line breaks, hostile
cells and files that are not what they claim, each with a clear verdict and its line."""

from __future__ import annotations

import pytest

from models.csv_import import ImportProblem, ImportRow, read_invite_file


def rows(text: str | bytes) -> list[ImportRow]:
    return read_invite_file(text.encode() if isinstance(text, str) else text)


@pytest.mark.parametrize("text", [
    "email,role\na@x.example,Agent\nb@x.example,Administrator\n",
    "E-Mail;Rolle\r\na@x.example;Agent\r\nb@x.example;Administrator\r\n",
    "role\tmail\nAgent\ta@x.example\nAdministrator\tb@x.example\n",
    "a@x.example|Agent\nb@x.example|Administrator\n",
    "\ufeffEmail Address,Role\na@x.example,Agent\nb@x.example,Administrator\n",
])
def test_delimiter_and_header_are_found(text: str) -> None:
    got = rows(text)
    assert [(r.email, r.role) for r in got] == [("a@x.example", "Agent"),
                                                 ("b@x.example", "Administrator")]


def test_columns_by_name_in_any_order_with_name_and_language() -> None:
    got = rows("Language,Name,Role,E-mail\npl,\"Nowak, Jan\",Agent,jan@x.example\n")
    assert got == [ImportRow(2, "jan@x.example", "Agent", "Nowak, Jan", "pl")]


def test_lines_are_where_the_row_starts_even_after_a_quoted_line_break() -> None:
    got = rows("email,role,name\na@x.example,Agent,\"two\r\nlines\"\n\nb@x.example,Agent,\n")
    assert [(r.line, r.email) for r in got] == [(2, "a@x.example"), (5, "b@x.example")]
    assert got[0].name == "two\r\nlines"  # kept as typed: the address rules judge the row


def test_hostile_cells_are_values_not_instructions() -> None:
    got = rows("email,role,name\n=HYPERLINK(\"x\"),Agent,\"@SUM(1)\"\n"
               "‮moc.elpmaxe@a,Agent,x\n")
    assert got[0].email == "=HYPERLINK(\"x\")" and got[0].name == "@SUM(1)"
    assert got[1].email.startswith("\u202e")


@pytest.mark.parametrize(("data", "words"), [
    ("émile@x.example,Agent\n".encode("latin-1"), "not UTF-8 (line 1"),
    (b"a@x.example,Agent\n\xff\xfeb@x,Agent\n", "line 2"),
    (b"", "no rows"),
    (b"\n ,\n", "no rows"),
    (b"a@x.example\x00,Agent\n", "NUL"),
    (b"email,role\n", "no rows"),
])
def test_files_that_cannot_be_read_say_why(data: bytes, words: str) -> None:
    with pytest.raises(ImportProblem, match=words.replace("(", r"\(")):
        read_invite_file(data)


def test_too_many_rows_is_refused() -> None:
    big = "".join(f"u{i}@x.example,Agent\n" for i in range(20_001)).encode()
    with pytest.raises(ImportProblem, match="more than 20000 rows"):
        read_invite_file(big)


def test_ten_thousand_rows_all_read() -> None:
    # The time it takes is measured in tests/perf/bench_import.py, not here.
    data = ("email,role,name\n" + "".join(
        f"user{i}@client.example,Agent,User {i}\n" for i in range(10_000))).encode()
    got = read_invite_file(data)
    assert len(got) == 10_000 and got[-1].line == 10_001
