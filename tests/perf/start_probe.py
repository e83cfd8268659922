"""One start in the pseudo-terminal `bench_console` gives it:
`start_probe.py ours|bare T0 OUT ROWS` (ROWS: the bare app's page, the Clients `PAGE`).

Writes to OUT the seconds from T0 (the parent's `time.time()` before it spawned this
process) to the first painted page of Clients rows, then exits. `ours` is the console as
`licensedesk` starts it; `bare` is a stock Textual app of the same shape (`BareStart`).
"""

from __future__ import annotations

import sys
import time


def write(path: str, t0: float) -> None:
    with open(path, "w") as out:
        out.write(str(time.time() - t0))


def ours(t0: float, out: str) -> None:
    import tui.screens.clients as clients

    mounted = clients.ClientsScreen.on_mount

    def on_mount(self: clients.ClientsScreen) -> None:
        mounted(self)
        self.call_after_refresh(lambda: write(out + ".frame", t0))

    shown = clients.ClientsScreen._show

    def _show(self: clients.ClientsScreen, page: clients.OrgPage) -> None:
        shown(self, page)
        if page.rows and not getattr(self.app, "_bench_done", False):
            self.app._bench_done = True  # type: ignore[attr-defined]

            def painted() -> None:
                write(out, t0)
                self.app.exit()

            self.call_after_refresh(painted)

    clients.ClientsScreen.on_mount = on_mount  # type: ignore[method-assign]
    clients.ClientsScreen._show = _show  # type: ignore[method-assign]
    from tui.cli.main import main

    sys.argv[1:] = []  # started as `licensedesk` is: no arguments
    main()


def bare(t0: float, out: str) -> None:
    from tests.perf.bare_textual import BareStart

    app: BareStart

    def painted() -> None:
        write(out, t0)
        app.exit()

    app = BareStart(int(sys.argv[4]), painted)
    app.run()


if __name__ == "__main__":
    kind, start, path = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    (ours if kind == "ours" else bare)(start, path)
