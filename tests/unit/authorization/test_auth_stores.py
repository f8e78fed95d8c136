"""The version-neutral authorization stores (cache and local list) on real SQLite files."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from everest_ocpp.authorization import AuthCache, CachePolicy, LocalList, token_key

ACCEPTED = {"status": "Accepted"}


def test_token_key_is_sha256_of_type_and_value() -> None:
    # libocpp's generate_token_hash: sha256(type + idToken), hex
    assert token_key("DEADBEEF", "ISO14443") == hashlib.sha256(b"ISO14443DEADBEEF").hexdigest()
    assert token_key("TAG") == hashlib.sha256(b"TAG").hexdigest()  # 1.6 idTags have no type
    assert token_key("A", "ISO14443") != token_key("A", "KeyCode")


# --------------------------------------------------------------------------- cache


@pytest.fixture
def cache(tmp_path: Path) -> AuthCache:
    return AuthCache(tmp_path / "cache.db")


def test_cache_put_get_touch_and_persistence(tmp_path: Path, cache: AuthCache) -> None:
    cache.put(
        "k1", {"status": "Blocked", "group_id_token": {"id_token": "G", "type": "Central"}}, None, now=100
    )
    entry = cache.get("k1")
    assert entry is not None
    assert (entry.info, entry.stored_at, entry.last_used, entry.uses, entry.expires_at) == (
        {"status": "Blocked", "group_id_token": {"id_token": "G", "type": "Central"}},
        100,
        100,
        0,
        None,
    )
    cache.touch("k1", now=150)
    cache.touch("k1", now=160)
    cache.close()
    reopened = AuthCache(tmp_path / "cache.db")
    entry = reopened.get("k1")
    assert entry is not None and (entry.last_used, entry.uses) == (160, 2)
    assert reopened.get("missing") is None
    reopened.put("k1", ACCEPTED, 999.0, now=200)  # a replaced entry counts as new
    entry = reopened.get("k1")
    assert entry is not None and (entry.info, entry.uses, entry.last_used, entry.expires_at) == (
        ACCEPTED,
        0,
        200,
        999.0,
    )


def test_cache_staleness_by_expiry_and_lifetime(cache: AuthCache) -> None:
    cache.put("k", ACCEPTED, expires_at=500, now=100)
    entry = cache.get("k")
    assert entry is not None
    assert not cache.is_stale(entry, lifetime_s=None, now=499)
    assert cache.is_stale(entry, lifetime_s=None, now=501)
    cache.put("k", ACCEPTED, expires_at=None, now=100)
    entry = cache.get("k")
    assert entry is not None
    assert not cache.is_stale(entry, lifetime_s=60, now=160)
    assert cache.is_stale(entry, lifetime_s=60, now=161)
    assert not cache.is_stale(entry, lifetime_s=0, now=10_000)  # 0: no lifetime


def test_purge_drops_expired_and_unused_entries(cache: AuthCache) -> None:
    cache.put("expired", ACCEPTED, expires_at=150, now=100)
    cache.put("old", ACCEPTED, expires_at=None, now=100)
    cache.put("fresh", ACCEPTED, expires_at=None, now=190)
    assert cache.purge(lifetime_s=50, max_bytes=None, now=200) == 2
    assert [k for k in ("expired", "old", "fresh") if cache.get(k)] == ["fresh"]


@pytest.mark.parametrize(
    ("policy", "evicted"),
    [
        (CachePolicy.LRU, "a"),  # last used: a 5, c 6, b 7
        (CachePolicy.LFU, "c"),  # uses: a 2, b 1, c 1; of b and c, c was used longer ago
        (CachePolicy.FIFO, "a"),  # stored first
    ],
)
def test_purge_evicts_by_policy_until_it_fits(cache: AuthCache, policy: CachePolicy, evicted: str) -> None:
    cache.put("a", ACCEPTED, None, now=1)
    cache.put("b", ACCEPTED, None, now=2)
    cache.put("c", ACCEPTED, None, now=3)
    for key, moment in (("a", 4), ("a", 5), ("c", 6), ("b", 7)):
        cache.touch(key, now=moment)
    one = cache.size_bytes() // 3
    assert cache.purge(lifetime_s=None, max_bytes=2 * one, policy=policy, now=8) == 1
    assert {k for k in "abc" if cache.get(k)} == set("abc") - {evicted}
    assert cache.purge(lifetime_s=None, max_bytes=0, policy=policy, now=9) == 2
    assert cache.count() == 0


def test_size_counts_key_info_and_bookkeeping(cache: AuthCache) -> None:
    assert cache.size_bytes() == 0
    cache.put("k" * 64, ACCEPTED, None)
    assert cache.size_bytes() == 64 + len('{"status":"Accepted"}') + 32
    cache.clear()
    assert (cache.size_bytes(), cache.count()) == (0, 0)


def test_unreadable_cache_entry_is_dropped(tmp_path: Path) -> None:
    cache = AuthCache(tmp_path / "c.db")
    cache.close()
    db = sqlite3.connect(tmp_path / "c.db")
    db.execute("INSERT INTO auth_cache VALUES ('bad', 'not json', 1, 1, 0, NULL)")
    db.commit()
    db.close()
    cache = AuthCache(tmp_path / "c.db")
    assert cache.get("bad") is None
    assert cache.count() == 0


def test_policy_names() -> None:
    assert CachePolicy.parse("lfu") is CachePolicy.LFU
    assert CachePolicy.parse("FIFO") is CachePolicy.FIFO
    assert CachePolicy.parse("CUSTOM") is CachePolicy.LRU
    assert CachePolicy.parse(None) is CachePolicy.LRU


# --------------------------------------------------------------------------- local list


@pytest.fixture
def local_list(tmp_path: Path) -> LocalList:
    return LocalList(tmp_path / "list.db")


def token(value: str) -> dict[str, str]:
    return {"id_token": value, "type": "ISO14443"}


def test_full_update_replaces_everything_with_the_version(tmp_path: Path, local_list: LocalList) -> None:
    assert (local_list.version(), local_list.count()) == (0, 0)
    local_list.replace(3, {"a": (token("A"), ACCEPTED), "b": (token("B"), {"status": "Blocked"})})
    local_list.replace(5, {"c": (token("C"), ACCEPTED)})
    assert (local_list.version(), local_list.count()) == (5, 1)
    assert local_list.get("a") is None
    entry = local_list.get("c")
    assert entry is not None and (entry.token, entry.info) == (token("C"), ACCEPTED)
    local_list.close()
    reopened = LocalList(tmp_path / "list.db")
    assert (reopened.version(), [e.key for e in reopened.entries()]) == (5, ["c"])


def test_differential_update_adds_replaces_and_removes(local_list: LocalList) -> None:
    local_list.replace(1, {"a": (token("A"), ACCEPTED), "b": (token("B"), ACCEPTED)})
    assert local_list.count_after(["c", "a"], ["b"]) == 2
    local_list.update(2, {"a": (token("A"), {"status": "Blocked"}), "c": (token("C"), ACCEPTED)}, ["b"])
    assert local_list.version() == 2
    assert {e.key: e.info["status"] for e in local_list.entries()} == {"a": "Blocked", "c": "Accepted"}
    local_list.update(3, {})
    assert (local_list.version(), local_list.count()) == (3, 2)


def test_a_failing_update_changes_nothing(local_list: LocalList) -> None:
    local_list.replace(1, {"a": (token("A"), ACCEPTED)})
    with pytest.raises(TypeError):
        local_list.update(2, {"b": (token("B"), {"bad": object()})})  # not JSON: fails before committing
    assert (local_list.version(), [e.key for e in local_list.entries()]) == (1, ["a"])


def test_list_size_in_bytes(local_list: LocalList) -> None:
    local_list.replace(1, {"kk": (token("A"), ACCEPTED)})
    expected = 2 + len('{"id_token":"A","type":"ISO14443"}') + len('{"status":"Accepted"}')
    assert local_list.size_bytes() == expected


def test_a_cache_file_that_cannot_be_written_is_best_effort(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = AuthCache(tmp_path / "cache.db")
    cache.put("A", {"status": "Accepted"}, None, now=100.0)
    cache._db.close()
    cache._db = sqlite3.connect(f"file:{tmp_path / 'cache.db'}?mode=ro", uri=True)  # a read-only flash
    cache.put("B", {"status": "Accepted"}, None, now=101.0)
    cache.touch("A", now=102.0)
    assert cache.purge(lifetime_s=1, max_bytes=0, now=200.0) == 0  # nothing can go; no endless loop
    assert [r.getMessage().split(" failed")[0] for r in caplog.records] == [
        f"authorization cache {tmp_path / 'cache.db'}: storing an entry",
        f"authorization cache {tmp_path / 'cache.db'}: counting a use",
        f"authorization cache {tmp_path / 'cache.db'}: purging",
        f"authorization cache {tmp_path / 'cache.db'}: evicting",
    ]
    entry = cache.get("A")
    assert entry is not None and entry.uses == 0
    cache.close()


def test_a_damaged_cache_file_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    path.write_bytes(b"not a database at all" * 200)
    cache = AuthCache(path)
    assert cache.count() == 0
    cache.close()
    assert [p.name.split("-")[0] for p in tmp_path.iterdir() if p.name != "cache.db"] == ["cache.db.damaged"]
