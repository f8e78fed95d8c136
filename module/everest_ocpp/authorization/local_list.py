"""The local authorization list: the CSMS's own list of tokens, with its version number.

Each entry is a token key with the token itself (the version's dict, kept for reports) and its info
dict. A full update replaces the whole list, a differential one adds, replaces and removes entries;
either happens completely or not at all (one SQLite transaction), together with the new version.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..storage import sqlite_file

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ListEntry:
    key: str
    token: dict[str, Any]
    info: dict[str, Any]


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, separators=(",", ":"))


class LocalList:
    def __init__(self, path: Path | str) -> None:
        if isinstance(path, Path):
            path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite_file(path, "local authorization list"):
            self._db = sqlite3.connect(path)
            with self._db:
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS local_list (key TEXT PRIMARY KEY, token TEXT NOT NULL,"
                    " info TEXT NOT NULL)"
                )
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS list_version (id INTEGER PRIMARY KEY, version INTEGER)"
                )
                self._db.execute("INSERT OR IGNORE INTO list_version (id, version) VALUES (0, 0)")

    def close(self) -> None:
        self._db.close()

    def version(self) -> int:
        return int(self._db.execute("SELECT version FROM list_version WHERE id = 0").fetchone()[0])

    def get(self, key: str) -> ListEntry | None:
        row = self._db.execute("SELECT token, info FROM local_list WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        try:
            return ListEntry(key, json.loads(row[0]), json.loads(row[1]))
        except ValueError:
            log.warning("local list entry %s… is unreadable; ignoring it", key[:8])
            return None

    def entries(self) -> list[ListEntry]:
        rows = self._db.execute("SELECT key, token, info FROM local_list ORDER BY key").fetchall()
        return [ListEntry(k, json.loads(t), json.loads(i)) for k, t, i in rows]

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM local_list").fetchone()[0])

    def size_bytes(self) -> int:
        """What the entries take: key, token and info per entry."""
        row = self._db.execute(
            "SELECT COALESCE(SUM(LENGTH(key) + LENGTH(token) + LENGTH(info)), 0) FROM local_list"
        )
        return int(row.fetchone()[0])

    def replace(self, version: int, entries: Mapping[str, tuple[dict[str, Any], dict[str, Any]]]) -> None:
        """Full update: the list becomes ``entries`` (key -> (token, info)) at ``version``."""
        with self._db:
            self._db.execute("DELETE FROM local_list")
            self._db.executemany(
                "INSERT INTO local_list (key, token, info) VALUES (?, ?, ?)",
                [(k, _json(t), _json(i)) for k, (t, i) in entries.items()],
            )
            self._db.execute("UPDATE list_version SET version = ? WHERE id = 0", (version,))

    def update(
        self,
        version: int,
        upserts: Mapping[str, tuple[dict[str, Any], dict[str, Any]]],
        removals: Iterable[str] = (),
    ) -> None:
        """Differential update: add or replace ``upserts``, remove ``removals``, set ``version``."""
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO local_list (key, token, info) VALUES (?, ?, ?)",
                [(k, _json(t), _json(i)) for k, (t, i) in upserts.items()],
            )
            self._db.executemany("DELETE FROM local_list WHERE key = ?", [(k,) for k in removals])
            self._db.execute("UPDATE list_version SET version = ? WHERE id = 0", (version,))

    def count_after(self, upserts: Iterable[str], removals: Iterable[str] = ()) -> int:
        """How many entries a differential update would leave (to check a size limit first)."""
        keys = {row[0] for row in self._db.execute("SELECT key FROM local_list")}
        keys.update(upserts)
        keys.difference_update(removals)
        return len(keys)
