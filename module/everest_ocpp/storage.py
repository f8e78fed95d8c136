"""Files of the state folder: small JSON files written durably, SQLite files opened with errors that
name the file.

A JSON file is written whole to a temporary file, fsynced and renamed over the original: a crash
leaves either the old or the new file, never a torn one (some flash file systems still leave an empty
one after a power cut: :func:`read_state` reads such a file as no state, and says so).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class StorageError(Exception):
    """A file of the state folder cannot be used; the message names it and what to do."""


def atomic_write_json(path: Path, data: Any) -> None:
    """Replace ``path`` with ``data`` as JSON; raises OSError and leaves the old file on failure."""
    directory = path.parent
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    tmp_name: str | None = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp_name, stat.S_IMODE(path.stat().st_mode))
        os.replace(tmp_name, path)
        tmp_name = None
        _fsync_directory(directory)
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


def read_json(path: Path, default: Any) -> Any:
    """The JSON content of ``path``, or ``default`` when the file does not exist."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default


def read_state(path: Path, fallback: str) -> dict[str, Any]:
    """A state file's JSON object: ``{}`` when the file does not exist, and ``{}`` with an error naming
    the file (and ``fallback``, what happens instead) when it is unreadable or not an object."""
    try:
        data = read_json(path, {})
    except (OSError, ValueError) as exc:
        log.error("cannot read %s (%s); %s", path, exc, fallback)
        return {}
    if not isinstance(data, dict):
        log.error("%s holds no JSON object; %s", path, fallback)
        return {}
    return data


@contextlib.contextmanager
def sqlite_file(path: Path | str, what: str) -> Iterator[None]:
    """Around opening a SQLite file: its errors become a StorageError naming the file."""
    try:
        yield
    except sqlite3.Error as exc:
        raise StorageError(
            f"{what} {path}: {exc}; if the file is damaged, move it aside (or delete it) to start with "
            "an empty one; if it cannot be written, make the state folder writable"
        ) from None


def set_aside(path: Path, exc: Exception) -> None:
    """Rename a damaged file that only holds what can be rebuilt (a cache) out of the way."""
    aside = path.with_name(f"{path.name}.damaged-{int(time.time())}")
    log.error("%s is damaged (%s); moved to %s and started empty", path, exc, aside.name)
    os.replace(path, aside)


def damaged(exc: sqlite3.Error) -> bool:
    """The file is not (or no longer) a SQLite database, as opposed to one that cannot be opened or
    written (OperationalError: permissions, a directory, a full disk)."""
    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable; some filesystems cannot fsync a directory, which is fine."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
