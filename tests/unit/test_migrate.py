"""Opening a database at the newest schema skips Alembic; the quick head check agrees with Alembic's own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from coaching.store.migrate import MIGRATIONS_DIR, head_revision

ROOT = Path(__file__).resolve().parents[2]


def test_the_quick_head_is_alembics_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_heads() == [head_revision()]


def test_a_current_database_opens_without_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    probe = (
        "import sys\nfrom coaching.store.db import Database\n"
        f"Database.open({url!r}).dispose()\nprint('alembic' in sys.modules)"
    )
    first = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    again = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert first.stdout.split()[-1] == "True"  # a new database is migrated with Alembic
    assert again.stdout.split()[-1] == "False"  # an up-to-date one is not touched
