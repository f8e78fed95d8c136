"""The state folder on a misbehaving flash: damaged, empty or read-only files (the module as a process).

A damaged file is named in the error with what to do; a cache is set aside and rebuilt; an empty
state file (what a power cut can leave) is no state; a spawned module never exits over its storage;
what the queue file cannot take is sent from memory (a critical security event still reaches the
CSMS).
Read-only storage is made with ``chattr +i`` (it stops root and descriptors already open too).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from harness.stack import Stack


def _log(stack: Stack) -> str:
    return (stack.workdir / "module.log").read_text(errors="replace")


def _wait_log(stack: Stack, text: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while text not in _log(stack):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{text!r} not in the module log within {timeout} s")
        time.sleep(0.05)


@contextmanager
def _immutable(*paths: Path) -> Iterator[None]:
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", *map(str, paths)], capture_output=True).returncode:
        pytest.skip("chattr +i is not available here (needs root and a file system that supports it)")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", *map(str, paths)], check=True)


def test_a_damaged_queue_file_is_named_and_a_standalone_start_refused(make_stack) -> None:
    stack: Stack = make_stack()
    stack.start()
    stack.stop_module()
    path = stack.workdir / "db" / "queue16.db"
    path.write_bytes(os.urandom(8192))
    stack.start_module()
    assert stack.module is not None and stack.module.proc is not None
    code = stack.module.proc.wait(15)
    stack.module = None
    assert code == 2
    assert (
        f"OCPP cannot start: message queue {path}: file is not a database; if the file is damaged, move "
        "it aside (or delete it) to start with an empty one"
    ) in _log(stack)


def test_a_damaged_authorization_cache_is_set_aside_and_rebuilt(make_stack) -> None:
    stack: Stack = make_stack(ocpp_version="2.0.1")
    stack.start()
    stack.stop_module()
    path = stack.workdir / "db" / "auth_cache201.db"
    path.write_bytes(os.urandom(8192))
    stack.start_module()
    stack.wait_registered(1)
    aside = [p.name for p in path.parent.iterdir() if p.name.startswith("auth_cache201.db.damaged-")]
    assert len(aside) == 1
    assert f"{path} is damaged (file is not a database); moved to {aside[0]} and started empty" in _log(stack)


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
def test_an_empty_availability_file_is_no_state(make_stack, version: str) -> None:
    stack: Stack = make_stack(ocpp_version=version)
    stack.start()
    stack.stop_module()
    path = stack.workdir / "db" / ("availability16.json" if version == "1.6" else "availability201.json")
    path.write_bytes(b"")  # what a power cut can leave on some flash file systems
    stack.start_module()
    stack.wait_registered(1)
    assert f"cannot read {path} (Expecting value: line 1 column 1 (char 0));" in _log(stack)


def test_a_spawned_module_with_a_read_only_queue_file_runs_on(make_stack) -> None:
    """The queue file opens read-only: OCPP starts, and what cannot be stored is sent from memory."""
    stack: Stack = make_stack(spawned=True)
    stack.start()
    stack.stop_module()
    path = stack.workdir / "db" / "queue16.db"
    with _immutable(path):
        stack.start_module()
        stack.wait_registered(1)
        stack.csms.wait_until(
            lambda: len(stack.csms.received("SecurityEventNotification")) >= 2, 15, "StartupOfTheDevice"
        )
        _wait_log(stack, f"message queue {path}: storing SecurityEventNotification failed")
        assert stack.module is not None and stack.module.alive
        assert stack.probe.call("get_variables", {"requests": []}) == []
        stack.stop_module()


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
def test_a_critical_security_event_reaches_the_csms_when_the_queue_cannot_store_it(
    make_stack, version: str
) -> None:
    stack: Stack = make_stack(ocpp_version=version)
    stack.start()
    folder = stack.workdir / "db"
    event = {"type": "TamperDetectionActivated", "info": "lid opened", "critical": True}
    with _immutable(folder, *folder.iterdir()):
        stack.probe.call("security_event", {"event": event})
        stack.csms.wait_until(
            lambda: [
                c
                for c in stack.csms.received("SecurityEventNotification")
                if c.payload["type"] == "TamperDetectionActivated"
            ],
            15,
            "SecurityEventNotification TamperDetectionActivated",
        )
        assert "SecurityEventNotification kept in memory only" in _log(stack)
        stack.stop_module()
