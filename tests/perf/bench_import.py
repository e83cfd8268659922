"""CSV import speed (issue 13): a 10,000-row file checked (the dry run: read, every row
through the invitation rules against a license that already has 1,000 users), and, as the
bare figure beside it, the same file read by Python's csv module alone.

Prints `import_dry_run_10000 <ms> ms <=2000 ok|short` and `csv_read_10000 <ms> ms (bare)`.
Run: .venv/bin/python tests/perf/bench_import.py
"""

from __future__ import annotations

import csv
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
_tmp = tempfile.mkdtemp(prefix="bench-import-")
os.environ["LICENSEDESK_CONFIG"] = f"{_tmp}/config.toml"
os.environ["LICENSEDESK_DATA_DIR"] = _tmp

from models.context import Ctx  # noqa: E402
from models.desk import Desk  # noqa: E402
from models.invitations import invite  # noqa: E402
from models.licenses import create_license  # noqa: E402
from models.organizations import create_organization  # noqa: E402
from models.settings import Settings  # noqa: E402
from models.staff import ensure_staff  # noqa: E402
from models.views import InviteRequest  # noqa: E402

ROWS = 10_000
TARGET_MS = 2000.0


def sheet() -> bytes:
    """A realistic file: a header, names with commas and accents, a few of every verdict."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["E-mail", "Role", "Name", "Language"])
    for i in range(ROWS):
        email = f"person.{i}@client.example"
        if i % 500 == 1:
            email = f"user{i}@gmial.com"  # a typo
        if i % 700 == 2:
            email = "not an address"
        if i % 900 == 3:
            email = f"member{i % 1000}@client.example"  # already on the license
        role = "Viewer" if i % 3 == 0 else ("Owner" if i % 1000 == 4 else "Agent")
        language = "xx" if i % 250 == 5 else ("de", "", "pt-BR")[i % 3]
        w.writerow([email, role, f"Nowak, Zoë {i}", language])
    return out.getvalue().encode()


def main() -> None:
    settings = Settings(data_dir=Path(_tmp), staff_email="bench@partner.example",
                        staff_name="Bench", rate_limit_per_org=1_000_000)
    ctx = Ctx.open(settings, create=True)
    me = ensure_staff(ctx)
    org = create_organization(ctx, me, name="Client Corp", client_name="Owner",
                              client_email="owner@client.example")
    lic, _ = create_license(ctx, me, organization_id=org, product_key="helpdesk")
    invite(ctx, me, lic, [InviteRequest(f"member{i}@client.example", "Agent")
                          for i in range(1000)])
    desk = Desk(ctx, me)
    data = sheet()
    times, bare = [], []
    preview = None
    for _ in range(3):
        t = time.perf_counter()
        preview = desk.preview_import(lic, data)
        times.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        bare.append((time.perf_counter() - t) * 1000)
    assert preview is not None and len(preview.lines) == ROWS and len(rows) == ROWS + 1
    best = statistics.median(times)
    print(f"import_dry_run_{ROWS} {best:.0f} ms <={TARGET_MS:.0f} "
          f"{'ok' if best <= TARGET_MS else 'short'}")
    print(f"csv_read_{ROWS} {statistics.median(bare):.0f} ms (bare)")
    verdicts: dict[str, int] = {}
    for x in preview.lines:
        verdicts[x.verdict] = verdicts.get(x.verdict, 0) + 1
    print("# verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(verdicts.items())))
    ctx.db.dispose()


if __name__ == "__main__":
    main()
