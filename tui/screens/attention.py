"""Needs attention: every overdue or failed invitation across all clients, oldest first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from tui.cells import cell, clean, status, when
from tui.panes.users import SHORT_ROLE
from tui.screens.base import BaseScreen
from tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from models.context import Ctx
    from models.views import ActionResult, InvitationRow


class AttentionScreen(BaseScreen):
    TITLE = "Needs attention"
    BINDINGS = [
        Binding("space", "mark", "Mark"),
        Binding("s", "resend", "Resend"),
        Binding("m", "remind", "Remind license"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, InvitationRow] = {}
        self.marked: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="attention", cursor_type="row", zebra_stripes=True)
        yield Static("", id="status", markup=False)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#attention", DataTable)
        table.add_column("✓", key="mark")
        table.add_columns("Last sent", "Status", "E-mail", "Role", "Organization", "Product",
                          "Invited by")
        table.focus()
        super().on_mount()

    def load(self) -> None:
        def job(ctx: Ctx) -> list[InvitationRow]:
            from models.queries import needs_attention

            return needs_attention(ctx)

        self.db(job, self._show, group="attention", exclusive=True)

    def _show(self, rows: list[InvitationRow]) -> None:
        table = self.query_one("#attention", DataTable)
        current = table.cursor_row
        table.clear()
        self.rows = {str(r.id): r for r in rows}
        self.marked &= set(self.rows)
        # Below 100 columns the columns that decide (when, status, who, where) come first.
        narrow = self.app.size.width < 100
        for r in rows:
            key = str(r.id)
            sent = r.sent_at.strftime("%d %b") if narrow else when(r.sent_at)
            role = SHORT_ROLE.get(r.role, r.role) if narrow else r.role
            table.add_row(self._mark(key), cell(sent), status(r.status),
                          cell(r.email, 20 if narrow else 26), cell(role),
                          cell(r.organization, 16 if narrow else 22),
                          cell(r.product), cell(r.invited_by, 18), key=key)
        if rows:
            table.move_cursor(row=min(current, len(rows) - 1))
        self._status()

    def _status(self) -> None:
        marked = f" · {len(self.marked)} marked" if self.marked else ""
        self.query_one("#status", Static).update(
            f"{len(self.rows)} invitation(s) overdue or failed, oldest first{marked} · "
            "enter opens the license")

    def _mark(self, key: str) -> Text:
        return Text("✓" if key in self.marked else " ", style="bold")

    def _current(self) -> InvitationRow | None:
        table = self.query_one("#attention", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(key or "")

    def action_mark(self) -> None:
        row = self._current()
        if row is None:
            return
        key = str(row.id)
        self.marked ^= {key}
        table = self.query_one("#attention", DataTable)
        table.update_cell(key, "mark", self._mark(key))
        if table.cursor_row < table.row_count - 1:
            table.move_cursor(row=table.cursor_row + 1)
        self._status()

    def clear_filter(self) -> bool:
        if self.marked:
            self.marked.clear()
            self._show(list(self.rows.values()))
            return True
        return False

    def _done(self, verb: str, result: ActionResult) -> None:
        n = len(result.done)
        text = f"{verb} {n} invitation{'s' if n != 1 else ''}"
        if result.skipped:
            text += "; skipped " + "; ".join(clean(why) for _i, why in result.skipped[:3])
        self.app.notify(text, markup=False)
        self.marked.clear()
        self.app.kick_mail()  # type: ignore[attr-defined]
        self.load()

    def action_resend(self) -> None:
        chosen = [self.rows[k] for k in self.rows if k in self.marked]
        if not chosen:
            row = self._current()
            chosen = [row] if row else []
        if not chosen:
            return
        ids = [r.id for r in chosen]
        staff = self.app.staff  # type: ignore[attr-defined]

        def job(ctx: Ctx) -> ActionResult:
            from models.invitations import resend

            return resend(ctx, staff, ids)

        self.db(job, lambda r: self._done("Sent again", r))

    def action_remind(self) -> None:
        from tui.screens.confirm import ConfirmScreen

        row = self._current()
        if row is None:
            return
        license_id = row.license_id
        staff = self.app.staff  # type: ignore[attr-defined]

        def count(ctx: Ctx) -> int:
            from models.invitations import remindable_count

            return remindable_count(ctx, license_id)

        def ask(n: int) -> None:
            if n == 0:
                self.app.notify("Nobody to remind on that license.", markup=False)
                return
            question = (f"Send a reminder to {n} {'person' if n == 1 else 'people'} who have "
                        f"not picked up their invitation to {clean(row.organization)} "
                        f"({row.product})?")
            self.app.push_screen(ConfirmScreen("Send invitation reminder", question, "Send"),
                                 go)

        def go(yes: bool | None) -> None:
            if not yes:
                return

            def job(ctx: Ctx) -> ActionResult:
                from models.invitations import remind

                return remind(ctx, staff, license_id)

            self.db(job, lambda r: self._done("Reminded", r))

        self.db(count, ask)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        row = self.rows.get(event.row_key.value or "")
        if row is not None:
            self.app.open_license(row.license_id, "users")  # type: ignore[attr-defined]

    def on_screen_resume(self) -> None:
        if self.app.ctx is not None:  # type: ignore[attr-defined]
            self.load()
