"""Typing on in the Clients filter narrows what the shorter filter found.

A filter that matched fewer organizations than a page has had every match read. A longer
filter that contains it can only match among those, or among organizations made since: so
instead of walking all of them again (100,000 names take tens of milliseconds per key), the
next query looks at those few ids and at ids above the highest there was.

Only on SQLite, where that holds: its writers take turns and each new row's id is above every
committed one, and organizations are never renamed or deleted (a deleted one would simply
not come back). PostgreSQL hands out ids before commit, in no commit order.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from weakref import WeakKeyDictionary

from models.db import Database

KEEP = 32  # filters remembered per database (a burst of typing)

Known = tuple[tuple[int, ...], int]  # every match's id, and the highest id then


class FewMatches:
    def __init__(self) -> None:
        self._known: OrderedDict[str, Known] = OrderedDict()
        self._lock = threading.Lock()  # the console reads in worker threads

    def within(self, term: str) -> Known | None:
        """The fewest known matches of a filter that `term` contains, if any."""
        with self._lock:
            found = [known for t, known in self._known.items() if t in term]
        return min(found, key=lambda k: len(k[0]), default=None)

    def remember(self, term: str, ids: tuple[int, ...], top: int) -> None:
        with self._lock:
            self._known[term] = (ids, top)
            self._known.move_to_end(term)
            while len(self._known) > KEEP:
                self._known.popitem(last=False)


_per_db: WeakKeyDictionary[Database, FewMatches] = WeakKeyDictionary()
_made = threading.Lock()


def few_matches(db: Database) -> FewMatches | None:
    """The database's memory of small filters; None where ids say nothing (not SQLite)."""
    if not db.is_sqlite:
        return None
    with _made:
        few = _per_db.get(db)
        if few is None:
            few = _per_db[db] = FewMatches()
    return few
