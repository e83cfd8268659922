"""What every service needs: the database, the settings, the clock, the token sealer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from models.db import Database
from models.settings import Settings, load_settings
from models.timeutil import Clock, SystemClock
from models.tokens import Sealer


@dataclass
class Ctx:
    db: Database
    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    sealer: Sealer | None = None

    def __post_init__(self) -> None:
        if self.sealer is None:
            self.sealer = Sealer(self.settings.resolved_secret_file)

    def now(self) -> datetime:
        return self.clock.now()

    @classmethod
    def open(cls, settings: Settings | None = None, clock: Clock | None = None,
             upgrade: bool = True) -> Ctx:
        settings = settings or load_settings()
        db = Database(settings.resolved_database_url)
        if upgrade:
            db.upgrade()
        return cls(db=db, settings=settings, clock=clock or SystemClock())
