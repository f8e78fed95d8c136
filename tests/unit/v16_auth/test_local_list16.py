"""LocalAuthList16 in process: SendLocalList's rules and GetLocalListVersion on a real store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from everest_ocpp.authorization import LocalList, token_key
from everest_ocpp.v16.local_list import LocalAuthList16

from .conftest import config


@pytest.fixture
def block(tmp_path: Path) -> Iterator[LocalAuthList16]:
    store = LocalList(tmp_path / "local_list16.db")
    yield LocalAuthList16(config(send_local_list_max_length=3, local_auth_list_max_length=4), store)  # type: ignore[arg-type]
    store.close()


def entry(tag: str, status: str | None = "Accepted", **more: Any) -> dict[str, Any]:
    return {"id_tag": tag} if status is None else {"id_tag": tag, "id_tag_info": {"status": status, **more}}


def send(block: LocalAuthList16, version: int, kind: str, items: list[dict[str, Any]] | None = None) -> str:
    return str(
        block.on_send_local_list(
            list_version=version, update_type=kind, local_authorization_list=items
        ).status
    )


def version(block: LocalAuthList16) -> int:
    return int(block.on_get_local_list_version().list_version)


TAGS = ["A", "B", "C", "Z", "1", "2", "3", "4"]


def listed(block: LocalAuthList16) -> dict[str, dict[str, Any]]:
    """The list by idTag (the store keeps only their keys)."""
    by_key = {e.key: e for e in block.store.entries()}
    assert all(e.token == {} for e in by_key.values())
    return {t: by_key[token_key(t)].info for t in TAGS if token_key(t) in by_key}


def test_full_and_differential_updates_with_their_versions(block: LocalAuthList16) -> None:
    assert version(block) == 0
    assert send(
        block, 3, "Full", [entry("A"), entry("B", "Blocked", parent_id_tag="P", expiry_date="x")]
    ) == ("Accepted")
    assert version(block) == 3
    assert listed(block) == {
        "A": {"status": "Accepted"},
        "B": {"status": "Blocked", "parent_id_tag": "P", "expiry_date": "x"},
    }
    assert block.store.get(token_key("A")) is not None
    assert send(block, 3, "Differential", [entry("C")]) == "VersionMismatch"
    assert send(block, 1, "Differential", []) == "VersionMismatch"
    assert send(block, 4, "Differential", [entry("C"), entry("B", None), entry("A", "Expired")]) == "Accepted"
    assert listed(block) == {"A": {"status": "Expired"}, "C": {"status": "Accepted"}}
    assert send(block, 5, "Differential") == "Accepted"
    assert (version(block), len(listed(block))) == (5, 2)
    assert send(block, 2, "Full", [entry("Z")]) == "Accepted"  # a Full update may go back
    assert (version(block), listed(block)) == (2, {"Z": {"status": "Accepted"}})
    assert send(block, 7, "Full") == "Accepted"
    assert (version(block), block.store.version()) == (0, 7)  # empty: 0


@pytest.mark.parametrize(
    ("kind", "items"),
    [
        ("Differential", [entry("1"), entry("2"), entry("3"), entry("4")]),  # SendLocalListMaxLength 3
        ("Differential", [entry("1"), entry("1", "Blocked")]),  # listed twice
        ("Full", [entry("1"), entry("2", None)]),  # a Full entry without idTagInfo
        ("Differential", [entry("1"), entry("2"), entry("3")]),  # 2 + 3 > LocalAuthListMaxLength 4
    ],
)
def test_failed_updates_leave_the_list_alone(
    block: LocalAuthList16, kind: str, items: list[dict[str, Any]]
) -> None:
    send(block, 1, "Full", [entry("A"), entry("B")])
    assert send(block, 2, kind, items) == "Failed"
    assert (version(block), sorted(listed(block))) == (1, ["A", "B"])


def test_not_supported_while_disabled(block: LocalAuthList16) -> None:
    send(block, 1, "Full", [entry("A")])
    block._config.local_auth_list_enabled = False  # type: ignore[attr-defined]
    assert version(block) == -1
    assert send(block, 2, "Full", [entry("B")]) == "NotSupported"
    block._config.local_auth_list_enabled = True  # type: ignore[attr-defined]
    assert (version(block), sorted(listed(block))) == (1, ["A"])


def test_without_limits_configured(tmp_path: Path) -> None:
    store = LocalList(tmp_path / "l.db")
    block = LocalAuthList16(config(send_local_list_max_length=None, local_auth_list_max_length=None), store)  # type: ignore[arg-type]
    assert send(block, 1, "Full", [entry(str(i)) for i in range(100)]) == "Accepted"
    assert store.count() == 100
    store.close()
