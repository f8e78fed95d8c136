"""Persistence: accepted changes land typed in the user config, atomically; failures change nothing."""

from __future__ import annotations

import logging
import os
import stat

import pytest

from everest_ocpp.v16.configuration import ConfigurationStatus
from everest_ocpp.v16.configuration.persistence import merge_patch
from everest_ocpp.variables import VariableRef

from .conftest import Files


def test_changes_are_written_with_their_json_type(files: Files) -> None:
    files.write({"Core": {"BlinkRepeat": 0}})
    files.write_user({"Core": {"BlinkRepeat": 1}})
    store = files.load()
    # whatever else the file holds by now is kept (it is re-read before every write)
    files.write_user({"Core": {"BlinkRepeat": 1}, "Unrelated": {"kept": [1, 2]}})
    assert store.change_configuration("HeartbeatInterval", "+60") is ConfigurationStatus.ACCEPTED
    assert store.change_configuration("LocalPreAuthorize", "TRUE") is ConfigurationStatus.ACCEPTED
    assert store.change_configuration("MeterValuesSampledData", "Voltage") is ConfigurationStatus.ACCEPTED
    assert (
        store.change_configuration("CompositeScheduleDefaultLimitAmps", "16") is ConfigurationStatus.ACCEPTED
    )
    assert store.change_configuration("CpoName", "cpo") is ConfigurationStatus.ACCEPTED
    assert files.user() == {
        "Core": {
            "BlinkRepeat": 1,
            "HeartbeatInterval": 60,
            "LocalPreAuthorize": True,
            "MeterValuesSampledData": "Voltage",
        },
        "Unrelated": {"kept": [1, 2]},
        "Internal": {"CompositeScheduleDefaultLimitAmps": 16},
        "Security": {"CpoName": "cpo"},
    }


def test_reload_keeps_accepted_values(make_store, files: Files) -> None:
    store = make_store()
    store.change_configuration("HeartbeatInterval", "123")
    store.change_configuration("AuthorizationKey", "persisted-key")
    store.change_configuration("CentralSystemURI", "10.1.1.1:80/cp")
    store.set_heartbeat_interval(321)
    again = files.load()
    assert again.heartbeat_interval == 321
    assert again.authorization_key == "persisted-key"
    assert again.central_system_uri == "10.1.1.1:80/cp"


def test_base_config_file_is_untouched(make_store, files: Files) -> None:
    store = make_store()
    before = files.config_path.read_bytes()
    store.change_configuration("HeartbeatInterval", "5")
    assert files.config_path.read_bytes() == before


def test_write_goes_through_fsynced_temp_file_and_rename(make_store, files: Files, monkeypatch) -> None:
    store = make_store()
    calls: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        calls.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src, dst) -> None:
        calls.append(("replace", f"{src} -> {dst}"))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    assert store.change_configuration("HeartbeatInterval", "5") is ConfigurationStatus.ACCEPTED
    tmp = calls[0][1]
    assert calls[0][0] == "fsync" and os.path.dirname(tmp) == str(files.root) and tmp != str(files.user_path)
    assert calls[1] == ("replace", f"{tmp} -> {files.user_path}")
    assert files.user() == {"Core": {"HeartbeatInterval": 5}}
    assert sorted(p.name for p in files.root.iterdir()) == ["config.json", "user_config.json"]


def test_failed_write_changes_nothing(make_store, files: Files, monkeypatch, caplog) -> None:
    store = make_store()
    changes = []
    store.add_listener(changes.append)
    before = files.user_path.read_bytes()

    def broken_replace(src, dst) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    caplog.set_level(logging.ERROR)
    assert store.change_configuration("HeartbeatInterval", "5") is ConfigurationStatus.REJECTED
    assert store.set(VariableRef("", "HeartbeatInterval"), "6", source="x").reason.startswith(
        "not persisted: cannot write"
    )
    assert store.set_heartbeat_interval(7) is False
    assert store.heartbeat_interval == 86400
    assert files.user_path.read_bytes() == before
    assert changes == []
    assert sorted(p.name for p in files.root.iterdir()) == ["config.json", "user_config.json"]
    assert "HeartbeatInterval not changed" in caplog.text and "No space left on device" in caplog.text


def test_unreadable_user_config_is_not_overwritten(make_store, files: Files) -> None:
    store = make_store()
    files.user_path.write_text("{broken")
    assert store.change_configuration("HeartbeatInterval", "5") is ConfigurationStatus.REJECTED
    assert files.user_path.read_text() == "{broken"
    assert store.heartbeat_interval == 86400


def test_file_mode_is_kept(make_store, files: Files) -> None:
    store = make_store()
    os.chmod(files.user_path, 0o640)
    store.change_configuration("HeartbeatInterval", "5")
    assert stat.S_IMODE(files.user_path.stat().st_mode) == 0o640


@pytest.mark.parametrize(
    "target, patch, result",
    [
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
        ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
        ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
        (["a", "b"], ["c", "d"], ["c", "d"]),
        ({"a": "b"}, ["c"], ["c"]),
        ({"a": "foo"}, None, None),
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
        ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ],
)
def test_merge_patch_follows_rfc_7386(target, patch, result) -> None:
    assert merge_patch(target, patch) == result
