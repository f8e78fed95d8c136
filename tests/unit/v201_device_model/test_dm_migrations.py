"""Schema versioning of the device model database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from everest_ocpp.v201.device_model import DeviceModel, DeviceModelError, SqliteDeviceModelStorage
from everest_ocpp.v201.device_model.schema import available_migrations, current_version, migrate
from everest_ocpp.variables import VariableRef

from .helpers import component, prop, write


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def test_new_database_gets_every_migration(tmp_path: Path) -> None:
    storage = SqliteDeviceModelStorage(tmp_path / "sub" / "dm.db")
    storage.close()
    latest = len(available_migrations())
    assert latest >= 2
    assert storage.schema_version == latest
    with _connect(tmp_path / "sub" / "dm.db") as conn:
        assert [
            row[0] for row in conn.execute("SELECT version FROM schema_version ORDER BY version")
        ] == list(range(1, latest + 1))
        columns = [row[1] for row in conn.execute("PRAGMA table_info(variable)")]
    assert "source" in columns


def test_database_created_by_migration_1_is_upgraded(tmp_path: Path) -> None:
    db = tmp_path / "dm.db"
    conn = _connect(db)
    assert migrate(conn, target=1) == 1
    conn.executescript(
        "INSERT INTO component (id, name) VALUES (1, 'Ctrl');"
        "INSERT INTO variable (id, component_id, name, data_type, supports_monitoring) "
        "VALUES (1, 1, 'A', 'integer', 1);"
        "INSERT INTO attribute (variable_id, type, mutability, value, value_source) "
        "VALUES (1, 'Actual', 'ReadWrite', '77', 'csms');"
    )
    assert "source" not in [row[1] for row in conn.execute("PRAGMA table_info(variable)")]
    conn.close()

    write(tmp_path / "cc", "Ctrl.json", component("Ctrl", {**prop("A", value=1), "source": "OCPP"}))
    with DeviceModel.open(tmp_path / "cc", db, check_required=False) as dm:
        assert dm.get(VariableRef("Ctrl", "A")).value == "77"  # csms value survived the upgrade
        variable = dm.variable(VariableRef("Ctrl", "A"))
        assert variable is not None and variable.source == "OCPP"
    with _connect(db) as conn:
        assert current_version(conn) == len(available_migrations())
        assert conn.execute("SELECT source FROM variable WHERE name = 'A'").fetchone() == ("OCPP",)


def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    SqliteDeviceModelStorage(tmp_path / "dm.db").close()
    SqliteDeviceModelStorage(tmp_path / "dm.db").close()
    with _connect(tmp_path / "dm.db") as conn:
        assert conn.execute("SELECT count(*) FROM schema_version").fetchone() == (
            len(available_migrations()),
        )


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    SqliteDeviceModelStorage(tmp_path / "dm.db").close()
    with _connect(tmp_path / "dm.db") as conn:
        conn.execute("INSERT INTO schema_version VALUES (99, 'later')")
    with pytest.raises(DeviceModelError, match=r"schema version 99 is newer than supported"):
        SqliteDeviceModelStorage(tmp_path / "dm.db")


def test_foreign_database_is_refused(tmp_path: Path) -> None:
    with _connect(tmp_path / "libocpp.db") as conn:
        conn.execute("CREATE TABLE COMPONENT (ID INTEGER PRIMARY KEY, NAME TEXT)")
    with pytest.raises(DeviceModelError, match="not an everest-ocpp device model database"):
        SqliteDeviceModelStorage(tmp_path / "libocpp.db")


def test_failed_migration_is_rolled_back(tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001_first.sql").write_text("CREATE TABLE t (x INTEGER);")
    (migrations / "0002_broken.sql").write_text("CREATE TABLE u (y INTEGER); INSERT INTO nowhere VALUES (1);")
    conn = _connect(tmp_path / "x.db")
    with pytest.raises(DeviceModelError, match=r"migration 0002_broken\.sql failed"):
        migrate(conn, directory=migrations)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"schema_version", "t"}
    assert current_version(conn) == 1
    conn.close()


def test_gaps_in_numbering_are_refused(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("")
    (tmp_path / "0003_c.sql").write_text("")
    with pytest.raises(DeviceModelError, match=r"not numbered 1\.\.n"):
        available_migrations(tmp_path)
