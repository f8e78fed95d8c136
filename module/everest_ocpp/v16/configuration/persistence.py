"""The user config overlay file: JSON merge-patch on load, atomic ``[profile][key]`` writes.

A write re-reads the file, sets one key, writes a temporary file in the same directory, fsyncs
it and renames it over the original, so a crash leaves either the old or the new file, never a
torn one. Any failure raises PersistenceError and leaves the file as it was.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from everest_ocpp.storage import atomic_write_json
from everest_ocpp.v16.configuration.model import ConfigError, JsonValue


class PersistenceError(Exception):
    """The user config file could not be updated; the message says why (no values in it)."""


def merge_patch(target: JsonValue, patch: JsonValue) -> JsonValue:
    """RFC 7386 JSON merge patch: objects merge recursively, ``null`` removes, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result: dict[str, Any] = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = merge_patch(result.get(name), value)
    return result


def read_json_object(path: Path, what: str) -> dict[str, JsonValue]:
    """Read a JSON object from ``path`` or raise ConfigError naming the file and the problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read {what}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: {what} is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{path}: {what} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: {what} must be a JSON object")
    return data


class UserConfigFile:
    """Where accepted changes persist. Created as ``{}`` when missing (its directory must exist)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def ensure_exists(self) -> None:
        if self.path.exists():
            return
        try:
            self._replace({})
        except PersistenceError as exc:
            raise ConfigError(f"{self.path}: cannot create the user config: {exc}") from None

    def read(self) -> dict[str, JsonValue]:
        return read_json_object(self.path, "user config")

    def write(self, profile: str, key: str, value: JsonValue) -> None:
        """Persist ``[profile][key] = value``, keeping everything else in the file."""
        try:
            data = self.read()
        except ConfigError as exc:
            raise PersistenceError(str(exc)) from None
        section = data.get(profile)
        if not isinstance(section, dict):
            section = {}
        data[profile] = {**section, key: value}
        self._replace(data)

    def _replace(self, data: dict[str, JsonValue]) -> None:
        try:
            atomic_write_json(self.path, data)
        except OSError as exc:
            raise PersistenceError(f"cannot write {self.path}: {exc.strerror or exc}") from None
