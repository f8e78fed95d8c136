"""Builders for small component config files used by the device model tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def prop(
    name: str,
    data_type: str = "integer",
    value: Any = None,
    mutability: str = "ReadWrite",
    *,
    instance: str | None = None,
    monitoring: bool = True,
    extra_attributes: list[dict[str, Any]] | None = None,
    **characteristics: Any,
) -> dict[str, Any]:
    attr: dict[str, Any] = {"type": "Actual", "mutability": mutability}
    if value is not None:
        attr["value"] = value
    data: dict[str, Any] = {
        "variable_name": name,
        "characteristics": {"dataType": data_type, "supportsMonitoring": monitoring, **characteristics},
        "attributes": [attr, *(extra_attributes or [])],
    }
    if instance is not None:
        data["instance"] = instance
    return data


def component(name: str, *props: dict[str, Any], **top: Any) -> dict[str, Any]:
    properties = {p["variable_name"] + p.get("instance", ""): p for p in props}
    return {"name": name, "properties": properties, **top}


def write(folder: Path, file_name: str, data: dict[str, Any] | str, level: str = "standardized") -> Path:
    directory = folder / level if level else folder
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / file_name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path
