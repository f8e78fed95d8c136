"""Schema versioning: numbered SQL migrations for the device model database.

Files ``migrations/NNNN_name.sql`` are applied in order, each in its own transaction together with
its row in ``schema_version``; opening a database applies whatever is pending.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from .errors import DeviceModelError

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_FILE_NAME = re.compile(r"([0-9]{4})_[A-Za-z0-9_]+\.sql")


def available_migrations(directory: Path = MIGRATIONS_DIR) -> list[tuple[int, Path]]:
    found = sorted(
        (int(match.group(1)), path)
        for path in directory.iterdir()
        if (match := _FILE_NAME.fullmatch(path.name)) is not None
    )
    if [number for number, _ in found] != list(range(1, len(found) + 1)):
        raise DeviceModelError(f"migrations in {directory} are not numbered 1..n")
    return found


def current_version(conn: sqlite3.Connection) -> int:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "schema_version" not in tables:
        if tables - {"sqlite_sequence"}:
            raise DeviceModelError(
                "database has tables but no schema_version: not an everest-ocpp device model database"
            )
        return 0
    row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(conn: sqlite3.Connection, target: int | None = None, directory: Path = MIGRATIONS_DIR) -> int:
    """Apply pending migrations up to ``target`` (default: all); returns the resulting version.

    ``conn`` must be in autocommit mode (``isolation_level=None``) so each script controls its transaction.
    """
    migrations = available_migrations(directory)
    latest = len(migrations)
    target = latest if target is None else target
    version = current_version(conn)
    if version > latest:
        raise DeviceModelError(f"database schema version {version} is newer than supported ({latest})")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    for number, path in migrations:
        if number <= version or number > target:
            continue
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        script = path.read_text(encoding="utf-8")
        try:
            conn.executescript(
                f"BEGIN;\n{script}\n"
                f"INSERT INTO schema_version (version, applied_at) VALUES ({number}, '{stamp}');\nCOMMIT;"
            )
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise DeviceModelError(f"migration {path.name} failed: {exc}") from exc
        logger.info("Device model database migrated to version %d (%s)", number, path.name)
        version = number
    return version
