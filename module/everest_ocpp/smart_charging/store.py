"""Persistent store of installed charging profiles (all EVSEs of one station).

``ProfileStore`` is the narrow interface the rest of the module uses; ``SqliteProfileStore``
keeps every profile as OCPP JSON (of the station's protocol version) in one SQLite table and
mirrors it in memory, so reads -- done every publication interval -- never touch the disk.
Every write is committed before the method returns.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Protocol

from ..storage import sqlite_file
from .convert import ProfileFormatError, profile_from_ocpp, profile_to_ocpp
from .profile import ChargingProfile, OcppVersion, Purpose, same_slot

log = logging.getLogger(__name__)

DEFAULT_SOURCE = "CSO"  # 2.0.1 chargingLimitSource of profiles set by the CSMS

_SCHEMA = """
CREATE TABLE IF NOT EXISTS charging_profiles (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id INTEGER NOT NULL UNIQUE,
    evse_id INTEGER NOT NULL,
    stack_level INTEGER NOT NULL,
    purpose TEXT NOT NULL,
    transaction_id TEXT,
    source TEXT NOT NULL,
    ocpp_version TEXT NOT NULL,
    profile TEXT NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class StoredProfile:
    profile: ChargingProfile
    source: str = DEFAULT_SOURCE


@dataclass(frozen=True, slots=True)
class ProfileCriteria:
    """Conjunction of filters; ``None`` means "any"."""

    profile_ids: frozenset[int] | None = None
    evse_id: int | None = None
    purpose: Purpose | None = None
    stack_level: int | None = None
    sources: frozenset[str] | None = None
    transaction_id: str | None = None
    exclude_purposes: frozenset[Purpose] = frozenset()

    def matches(self, stored: StoredProfile) -> bool:
        p = stored.profile
        return (
            (self.profile_ids is None or p.id in self.profile_ids)
            and (self.evse_id is None or p.evse_id == self.evse_id)
            and (self.purpose is None or p.purpose == self.purpose)
            and (self.stack_level is None or p.stack_level == self.stack_level)
            and (self.sources is None or stored.source in self.sources)
            and (self.transaction_id is None or p.transaction_id == self.transaction_id)
            and p.purpose not in self.exclude_purposes
        )


class ProfileStore(Protocol):
    def add(
        self, profile: ChargingProfile, *, source: str = DEFAULT_SOURCE, replace_same_slot: bool = False
    ) -> list[int]:
        """Install ``profile``, replacing any profile with its id (on any EVSE) and, with
        ``replace_same_slot`` (1.6), any with the same EVSE + stack level + purpose.
        Returns the ids of the replaced profiles."""
        ...

    def get(self, profile_id: int) -> ChargingProfile | None: ...

    def profiles(self, evse_id: int | None = None) -> list[ChargingProfile]:
        """Installed profiles (of one EVSE, or all), in installation order."""
        ...

    def find(self, criteria: ProfileCriteria) -> list[StoredProfile]: ...

    def remove(self, criteria: ProfileCriteria) -> list[int]:
        """Delete every profile matching ``criteria``; returns the deleted ids."""
        ...

    def count(self) -> int: ...


class SqliteProfileStore:
    """``ProfileStore`` on an SQLite file (e.g. ``<DatabaseDir>/charging_profiles.db``)."""

    def __init__(self, path: str | PathLike[str], version: OcppVersion) -> None:
        self._version = version
        self._lock = threading.Lock()
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        with sqlite_file(str(path), "charging profile store"):
            self._conn = sqlite3.connect(str(path), check_same_thread=False)
            with self._conn:
                self._conn.execute(_SCHEMA)
        self._cache: dict[int, StoredProfile] = {}
        self._load()

    def _load(self) -> None:
        rows = self._conn.execute(
            "SELECT id, evse_id, source, ocpp_version, profile FROM charging_profiles ORDER BY seq"
        ).fetchall()
        for profile_id, evse_id, source, version, text in rows:
            try:
                profile = profile_from_ocpp(json.loads(text), OcppVersion(version), evse_id)
            except (ValueError, ProfileFormatError) as exc:
                log.error("dropping unreadable stored charging profile %s: %s", profile_id, exc)
                continue
            self._cache[profile.id] = StoredProfile(profile, source)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def add(
        self, profile: ChargingProfile, *, source: str = DEFAULT_SOURCE, replace_same_slot: bool = False
    ) -> list[int]:
        with self._lock:
            replaced = [
                pid
                for pid, stored in self._cache.items()
                if pid == profile.id or (replace_same_slot and same_slot(stored.profile, profile))
            ]
            document = json.dumps(profile_to_ocpp(profile, self._version), separators=(",", ":"))
            with self._conn:
                self._delete_rows(replaced)
                self._conn.execute(
                    "INSERT INTO charging_profiles (id, evse_id, stack_level, purpose, transaction_id,"
                    " source, ocpp_version, profile) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        profile.id,
                        profile.evse_id,
                        profile.stack_level,
                        profile.purpose.value,
                        profile.transaction_id,
                        source,
                        self._version.value,
                        document,
                    ),
                )
            for pid in replaced:
                del self._cache[pid]
            self._cache[profile.id] = StoredProfile(profile, source)
            return replaced

    def _delete_rows(self, ids: Iterable[int]) -> None:
        self._conn.executemany("DELETE FROM charging_profiles WHERE id = ?", [(i,) for i in ids])

    def get(self, profile_id: int) -> ChargingProfile | None:
        stored = self._cache.get(profile_id)
        return None if stored is None else stored.profile

    def profiles(self, evse_id: int | None = None) -> list[ChargingProfile]:
        with self._lock:
            return [
                s.profile for s in self._cache.values() if evse_id is None or s.profile.evse_id == evse_id
            ]

    def find(self, criteria: ProfileCriteria) -> list[StoredProfile]:
        with self._lock:
            return [s for s in self._cache.values() if criteria.matches(s)]

    def remove(self, criteria: ProfileCriteria) -> list[int]:
        with self._lock:
            ids = [pid for pid, stored in self._cache.items() if criteria.matches(stored)]
            if ids:
                with self._conn:
                    self._delete_rows(ids)
                for pid in ids:
                    del self._cache[pid]
            return ids

    def count(self) -> int:
        return len(self._cache)
