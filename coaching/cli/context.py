"""What every command handler gets: :class:`CliContext` (settings, database, acting user, streams)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from coaching.access import SYSTEM_USER, User
from coaching.settings import Settings
from coaching.store.db import Database


@dataclass
class CliContext:
    """What a command handler gets: settings, a lazily opened database, the acting user, streams."""

    settings: Settings
    user: User = SYSTEM_USER
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    _database: Database | None = None

    def database(self) -> Database:
        if self._database is None:
            self._database = Database.open(self.settings.db_url)
        return self._database

    def existing_database(self) -> Database | None:
        """The database if it exists already (None for a SQLite file not created yet): reading the saved
        configuration must not create one."""
        if self._database is None and self.settings.db_url.startswith("sqlite:"):
            path = self.settings.db_url.split(":///", 1)[-1]
            if not path or path == ":memory:" or not Path(path).is_file():
                return None
        return self.database()

    def close(self) -> None:
        if self._database is not None:
            self._database.dispose()


Handler = Callable[[argparse.Namespace, CliContext], int]
