"""Per-session shared resources (one broker and one scratch root per pytest session / xdist worker)."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest

from .broker import Mosquitto

_BROKER = pytest.StashKey[Mosquitto]()
_TMP = pytest.StashKey[Path]()


def scratch_dir(config: pytest.Config, name: str) -> Path:
    """A fresh directory under this session's scratch root (removed when the session ends)."""
    root = config.stash.get(_TMP, None)
    if root is None:
        root = Path(tempfile.mkdtemp(prefix="everest-ocpp-tests-"))
        config.stash[_TMP] = root
    return Path(tempfile.mkdtemp(prefix=re.sub(r"\W", "_", name)[:40] + "-", dir=root))


def shared_broker(config: pytest.Config) -> Mosquitto:
    """One mosquitto per test session (per xdist worker), shared by fixtures and scenarios."""
    broker = config.stash.get(_BROKER, None)
    if broker is None:
        broker = Mosquitto(Path(tempfile.mkdtemp(prefix="mosquitto-")))
        broker.start()
        config.stash[_BROKER] = broker
    return broker


def release(config: pytest.Config) -> None:
    """Stop the broker and remove the scratch root (called when the session ends)."""
    broker = config.stash.get(_BROKER, None)
    if broker is not None:
        broker.stop()
    root = config.stash.get(_TMP, None)
    if root is not None:
        shutil.rmtree(root, ignore_errors=True)
