"""The authorization cache: what the CSMS last said about a token, kept for offline and pre-authorization.

Each entry is a token key, the version's info dict (JSON), when it was stored, last used and how often
used, and an optional absolute expiry (the CSMS's cacheExpiryDateTime / expiryDate). :meth:`AuthCache.purge`
applies the limits: entries past their expiry or unused for longer than the lifetime go first, then
entries are evicted by the policy until the cache fits its byte budget.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from ..storage import damaged, set_aside, sqlite_file

log = logging.getLogger(__name__)


class CachePolicy(Enum):
    """Which entries go first when the cache is over its size (2.0.1 AuthCacheCtrlr.Policy)."""

    LRU = "LRU"  # least recently used
    LFU = "LFU"  # least frequently used (then least recently)
    FIFO = "FIFO"  # oldest stored

    @classmethod
    def parse(cls, value: str | None) -> CachePolicy:
        """Unknown values (including CUSTOM) mean LRU, which is what libocpp always does."""
        try:
            return cls(str(value or "").upper())
        except ValueError:
            return cls.LRU


_ORDER = {
    CachePolicy.LRU: "last_used ASC",
    CachePolicy.LFU: "uses ASC, last_used ASC",
    CachePolicy.FIFO: "stored_at ASC",
}


@dataclass(frozen=True, slots=True)
class CacheEntry:
    key: str
    info: dict[str, Any]
    stored_at: float  # epoch seconds
    last_used: float
    uses: int
    expires_at: float | None  # epoch seconds; None: no expiry from the CSMS


class AuthCache:
    def __init__(self, path: Path | str) -> None:
        self._path = path
        if isinstance(path, Path):
            path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite_file(path, "authorization cache"):
            try:
                self._db = self._open(path)
            except sqlite3.Error as exc:
                if not (isinstance(path, Path) and path.is_file() and damaged(exc)):
                    raise
                set_aside(path, exc)  # only a cache: the CSMS answers again what it held
                self._db = self._open(path)

    @staticmethod
    def _open(path: Path | str) -> sqlite3.Connection:
        db = sqlite3.connect(path)
        try:
            with db:
                db.execute(
                    "CREATE TABLE IF NOT EXISTS auth_cache (key TEXT PRIMARY KEY, info TEXT NOT NULL,"
                    " stored_at REAL NOT NULL, last_used REAL NOT NULL, uses INTEGER NOT NULL,"
                    " expires_at REAL)"
                )
        except sqlite3.Error:
            db.close()
            raise
        return db

    def close(self) -> None:
        self._db.close()

    @contextlib.contextmanager
    def _writing(self, what: str) -> Iterator[bool]:
        """A write the cache can do without (best effort on a read-only or full flash): logged."""
        try:
            with self._db:
                yield True
        except sqlite3.Error as exc:
            log.error("authorization cache %s: %s failed (%s)", self._path, what, exc)

    def get(self, key: str) -> CacheEntry | None:
        row = self._db.execute(
            "SELECT info, stored_at, last_used, uses, expires_at FROM auth_cache WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            return None
        try:
            info = json.loads(row[0])
        except ValueError:
            log.warning("authorization cache entry %s… is unreadable; dropping it", key[:8])
            self.delete(key)
            return None
        return CacheEntry(key, info, row[1], row[2], row[3], row[4])

    def put(self, key: str, info: dict[str, Any], expires_at: float | None, now: float | None = None) -> None:
        """Store (or replace) the entry; a replaced entry counts as new (stored now, unused)."""
        moment = time.time() if now is None else now
        with self._writing("storing an entry"):
            self._db.execute(
                "INSERT OR REPLACE INTO auth_cache (key, info, stored_at, last_used, uses, expires_at)"
                " VALUES (?, ?, ?, ?, 0, ?)",
                (key, json.dumps(info, separators=(",", ":")), moment, moment, expires_at),
            )

    def touch(self, key: str, now: float | None = None) -> None:
        """The entry authorized a token: it counts as used now."""
        with self._writing("counting a use"):
            self._db.execute(
                "UPDATE auth_cache SET last_used = ?, uses = uses + 1 WHERE key = ?",
                (time.time() if now is None else now, key),
            )

    def delete(self, key: str) -> None:
        with self._writing("deleting an entry"):
            self._db.execute("DELETE FROM auth_cache WHERE key = ?", (key,))

    def clear(self) -> None:
        with self._db:
            self._db.execute("DELETE FROM auth_cache")

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM auth_cache").fetchone()[0])

    def size_bytes(self) -> int:
        """What the entries take: key, info and the four numbers (8 bytes each) per entry."""
        row = self._db.execute("SELECT COALESCE(SUM(LENGTH(key) + LENGTH(info) + 32), 0) FROM auth_cache")
        return int(row.fetchone()[0])

    def is_stale(self, entry: CacheEntry, lifetime_s: int | None, now: float | None = None) -> bool:
        """Past its expiry, or unused for longer than ``lifetime_s`` (None or <= 0: no lifetime)."""
        moment = time.time() if now is None else now
        if entry.expires_at is not None and entry.expires_at < moment:
            return True
        return bool(lifetime_s and lifetime_s > 0 and entry.last_used + lifetime_s < moment)

    def purge(
        self,
        *,
        lifetime_s: int | None,
        max_bytes: int | None,
        policy: CachePolicy = CachePolicy.LRU,
        now: float | None = None,
    ) -> int:
        """Drop stale entries, then evict by ``policy`` until :meth:`size_bytes` <= ``max_bytes``
        (None: no budget). Returns how many entries went."""
        moment = time.time() if now is None else now
        removed = 0
        with self._writing("purging"):
            cur = self._db.execute(
                "DELETE FROM auth_cache WHERE expires_at IS NOT NULL AND expires_at < ?", (moment,)
            )
            removed += cur.rowcount
            if lifetime_s and lifetime_s > 0:
                cur = self._db.execute("DELETE FROM auth_cache WHERE last_used + ? < ?", (lifetime_s, moment))
                removed += cur.rowcount
        if max_bytes is None:
            return removed
        while self.count() and self.size_bytes() > max_bytes:
            before = removed
            with self._writing("evicting"):
                self._db.execute(
                    "DELETE FROM auth_cache WHERE key IN"
                    f" (SELECT key FROM auth_cache ORDER BY {_ORDER[policy]} LIMIT 1)"
                )
                removed += 1
            if removed == before:
                break
        return removed
