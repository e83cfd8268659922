"""Invitations from a spreadsheet: a CSV file read into invite rows, each with its line.

The file must be UTF-8 (with or without a byte-order mark): a guess at another encoding could
turn a name into something else without anyone noticing, so a file that is not UTF-8 is
refused with the line where it stops being readable and how to save it. The delimiter (comma,
semicolon, tab or bar) is detected; a first row naming the columns (e-mail, role, name,
language, in any order and common spellings) is a header, otherwise the columns are e-mail,
role, name, language in that order. What each row would do is the invitation rules' business
(`invitations.plan_invites`), not this module's.
"""

from __future__ import annotations

import csv
import io
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from models.errors import FileProblem

MAX_BYTES = 5_000_000
MAX_ROWS = 20_000
_DELIMITERS = ",;\t|"
_NAMES = {
    "email": ("email", "e-mail", "e_mail", "mail", "address", "email address",
              "e-mail address", "adresse", "correo"),
    "role": ("role", "rolle", "rôle", "rol"),
    "name": ("name", "full name", "nom", "nombre", "imię", "nome"),
    "language": ("language", "lang", "locale", "sprache", "langue", "idioma", "język"),
}
ORDER = ("email", "role", "name", "language")


class ImportProblem(FileProblem):
    """The file as a whole cannot be read; the message says why and where."""


@dataclass(frozen=True)
class ImportRow:
    line: int          # the line in the file where the row starts (1-based)
    email: str
    role: str
    name: str = ""
    language: str = ""


def read_file(path: str | Path) -> bytes:
    """The bytes of a file to import, refused in one sentence when it is not a regular file
    (a directory, a pipe, a device such as /dev/zero behind a link) or is too large: it is
    opened without blocking and looked at before a byte is read, so a FIFO cannot hang."""
    shown = repr(str(path))[:200]
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise ImportProblem(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise ImportProblem(f"{shown} is a directory, not a CSV file") from None
    except PermissionError:
        raise ImportProblem(f"{shown} cannot be read (permission denied)") from None
    except (OSError, ValueError) as err:  # a name too long, a NUL, a loop of links
        reason = getattr(err, "strerror", None) or str(err)
        raise ImportProblem(f"{shown} cannot be opened: {reason}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ImportProblem(f"{shown} is a directory, not a CSV file")
        if not stat.S_ISREG(info.st_mode):
            raise ImportProblem(f"{shown} is not a regular file (a pipe or a device); "
                                "save the spreadsheet as a file and give its path")
        if info.st_size > MAX_BYTES:
            raise ImportProblem(f"{shown} is larger than {MAX_BYTES // 1_000_000} MB; "
                                "split it into smaller files")
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_BYTES:
            chunk = os.read(fd, MAX_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    except OSError as err:
        raise ImportProblem(f"{shown} cannot be read: {err.strerror or err}") from None
    finally:
        os.close(fd)


def _text(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ImportProblem(f"the file is larger than {MAX_BYTES // 1_000_000} MB; "
                            "split it into smaller files")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise ImportProblem(
            f"the file is not UTF-8 (line {line} cannot be read); save it as "
            "\"CSV UTF-8\" in your spreadsheet program") from None


def _dialect(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        counts = {d: first.count(d) for d in _DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _header(cells: list[str]) -> dict[str, int] | None:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        folded = cell.strip().casefold()
        for column, names in _NAMES.items():
            if folded in names and column not in found:
                found[column] = index
    return found if "email" in found else None


def _column(cells: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return cells[index].strip() if index is not None and index < len(cells) else ""


def read_invite_file(data: bytes) -> list[ImportRow]:
    """Every non-empty row of the file, with the line it starts on."""
    text = _text(data)
    if "\x00" in text:
        raise ImportProblem("the file holds NUL bytes: it is not a CSV text file")
    delimiter = _dialect(text[:8192])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    rows: list[ImportRow] = []
    columns: dict[str, int] | None = None
    try:
        line = reader.line_num + 1
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if columns is None:
                columns = _header(cells)
                if columns is not None:
                    continue
                columns = {name: i for i, name in enumerate(ORDER)}
            if len(rows) >= MAX_ROWS:
                raise ImportProblem(f"the file has more than {MAX_ROWS} rows; split it")
            rows.append(ImportRow(start, *(_column(cells, columns, name) for name in ORDER)))
    except csv.Error as err:
        raise ImportProblem(f"line {reader.line_num}: {err}") from None
    if not rows:
        raise ImportProblem("the file has no rows to import")
    return rows
