"""Error lists (errors/*.yaml) and the interfaces' ``errors`` references, resolved as the manager does."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from everest_ocpp.everest import metaschema
from everest_ocpp.everest.definition_check import CheckedDefinitions, check_definitions
from everest_ocpp.everest.definitions import Definitions

ROOT = Path(__file__).resolve().parents[2]
INTERFACES = sorted((ROOT / "interfaces").glob("*.yaml"))


@pytest.fixture(scope="module")
def defs() -> CheckedDefinitions:
    return check_definitions(ROOT)


def test_error_references_resolve_like_the_manager(defs: CheckedDefinitions) -> None:
    declared = {
        name: metaschema.resolve_error_refs(doc.get("errors") or [], defs.error_lists)
        for name, doc in defs.interfaces.items()
    }
    assert all(problems == [] for _, problems in declared.values())
    assert {name: sorted(found) for name, (found, _) in declared.items() if found} == {
        "evse_manager": ["evse_manager"],
        "system": ["system"],
        "auth": ["generic"],
        "auth_token_validator": ["generic"],
        "auth_token_provider": ["generic"],
    }
    generic = declared["auth"][0]["generic"]
    assert sorted(generic) == ["CommunicationFault", "VendorError", "VendorWarning"]
    assert generic["VendorError"]["namespace"] == "generic"
    assert len(declared["evse_manager"][0]["evse_manager"]) == 9


def test_error_reference_problems(defs: CheckedDefinitions) -> None:
    one, problems = metaschema.resolve_error_refs(
        [{"reference": "/errors/generic#/VendorWarning"}], defs.error_lists
    )
    assert (list(one["generic"]), problems) == (["VendorWarning"], [])
    _, problems = metaschema.resolve_error_refs(
        [
            {"reference": "/errors/nolist"},
            {"reference": "/errors/generic#/NoSuchError"},
            {"reference": "errors/generic"},
        ],
        defs.error_lists,
    )
    assert problems == [
        "/errors/nolist: no such error list",
        "/errors/generic#/NoSuchError: error list generic has no error NoSuchError",
        "errors/generic: no such error list",
    ]


def test_loader_resolves_error_types() -> None:
    definitions = Definitions(ROOT)
    assert definitions.error_types("system") == ["system/CommunicationFault"]
    assert definitions.error_types("auth_token_validator") == [
        "generic/CommunicationFault",
        "generic/VendorError",
        "generic/VendorWarning",
    ]
    assert "evse_manager/MREC4OverCurrentFailure" in definitions.error_types("evse_manager")
    assert definitions.error_types("ocpp") == []


def test_check_definitions_reports_unresolved_error_reference(tmp_path: Path) -> None:
    for name in ("types", "errors"):
        (tmp_path / name).symlink_to(ROOT / name)
    (tmp_path / "interfaces").mkdir()
    for path in INTERFACES:
        (tmp_path / "interfaces" / path.name).symlink_to(path)
    (tmp_path / "manifest.yaml").symlink_to(ROOT / "manifest.yaml")
    (tmp_path / "interfaces" / "system.yaml").unlink()
    doc = metaschema.load_yaml(ROOT / "interfaces" / "system.yaml")
    doc["errors"] = [{"reference": "/errors/system#/PowerFault"}]
    (tmp_path / "interfaces" / "system.yaml").write_text(yaml.safe_dump(doc))
    with pytest.raises(metaschema.DefinitionError) as info:
        check_definitions(tmp_path)
    assert info.value.problems == [
        "interfaces/system.yaml: /errors/system#/PowerFault: error list system has no error PowerFault"
    ]
