"""The checks the EVerest manager does on a module's config entry, for a standalone start.

Spawned, the manager has checked everything before the module starts. Standalone, nobody has: a
config naming another module, missing a required connection or connecting to an implementation
the target does not have would otherwise start a module that waits forever. These checks refuse
such a start with every problem named, as the manager would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .definitions import Definitions
from .metaschema import load_yaml
from .setup import Connection, ModuleSetup, SetupError

# names under which this module appears in a config: its installation folder as the README
# suggests it and the package name (plus the folder it is actually loaded from, see module_names)
OWN_NAMES = ("EverestOcpp", "EverestOcpp201", "everest-ocpp")  # ...201: the same, speaking 2.0.1
# EVerest's C++ modules this one replaces, with the OCPP version each speaks
REPLACED = {"OCPP": "1.6", "OCPP201": "2.0.1"}


def module_names(defs: Definitions) -> tuple[str, ...]:
    """Every ``module:`` value that means this module."""
    names = list(OWN_NAMES)
    if (defs.root / "module.py").is_file() and defs.root.name not in names:
        names.append(defs.root.name)  # the module directory the manager would load it from
    return (*names, *REPLACED)


def check_standalone_setup(setup: ModuleSetup, defs: Definitions) -> None:
    """Raise SetupError listing every problem of this module's config entry."""
    where = setup.source or f"active_modules.{setup.module_id}"
    problems = list(dict.fromkeys(_module_name_problems(setup, defs) + _connection_problems(setup, defs)))
    if problems:
        raise SetupError(f"{where}: " + "; ".join(problems))


def _module_name_problems(setup: ModuleSetup, defs: Definitions) -> list[str]:
    names = module_names(defs)
    if setup.module_name not in names:
        return [f"module is '{setup.module_name}', not this module (use one of: {', '.join(names)})"]
    needed = REPLACED.get(setup.module_name)
    explicit = str(setup.config.get("OcppVersion") or "")
    if needed is not None and explicit and explicit != needed:
        # without OcppVersion the version follows the module name (settings); a contradiction is a slip
        return [
            f"module {setup.module_name} speaks OCPP {needed}, but config_module.OcppVersion is "
            f'"{explicit}": set OcppVersion: "{needed}" (or leave it out) to run this module in its place'
        ]
    return []


def _connection_problems(setup: ModuleSetup, defs: Definitions) -> list[str]:
    requires = defs.requires
    problems = []
    unknown = sorted(set(setup.connections) - set(requires))
    if unknown:
        problems.append(
            f"connections for {', '.join(repr(u) for u in unknown)}, which the manifest does not require "
            f"(requirements: {', '.join(requires)})"
        )
    for req, spec in requires.items():
        targets = setup.connections.get(req, [])
        low, high = int(spec.get("min_connections", 1)), int(spec.get("max_connections", 1))
        if not low <= len(targets) <= high:
            span = f"exactly {low}" if low == high else f"{low} to {high}"
            problems.append(f"requirement '{req}' needs {span} connection(s), the config has {len(targets)}")
        for target in targets:
            problem = _target_problem(setup, defs, req, str(spec.get("interface", "")), target)
            if problem:
                problems.append(problem)
    return problems


def _target_problem(
    setup: ModuleSetup, defs: Definitions, req: str, interface: str, target: Connection
) -> str | None:
    own = target.module_id == setup.module_id
    if not own and target.module_id not in setup.peers:
        return (
            f"requirement '{req}' connects to module id '{target.module_id}', which is not in active_modules"
        )
    name = setup.module_name if own else setup.peers[target.module_id]
    provides = defs.provides if own else _provides_of(name, defs)
    if provides is None:
        return None  # the target's manifest is not known here: the manager checks the rest
    impl = provides.get(target.implementation_id)
    label = f"'{target.module_id}' ({name})"
    if not isinstance(impl, dict):
        offered = ", ".join(provides) or "nothing"
        return (
            f"requirement '{req}' connects to implementation '{target.implementation_id}' of module {label}, "
            f"which provides only: {offered}"
        )
    if interface and impl.get("interface") != interface:
        return (
            f"requirement '{req}' needs interface '{interface}', but implementation "
            f"'{target.implementation_id}' of module {label} provides '{impl.get('interface')}'"
        )
    return None


def _provides_of(module_name: str, defs: Definitions) -> dict[str, Any] | None:
    """The ``provides`` of a module's manifest: ours, or a sibling module directory's when this
    module sits in an EVerest modules folder; None when unknown."""
    if module_name in REPLACED:
        return None  # EVerest's C++ module: its manifest is not here
    if module_name in module_names(defs):
        return defs.provides
    if not (defs.root / "module.py").is_file() or not module_name or "/" in module_name:
        return None
    manifest = Path(defs.root.parent, module_name, "manifest.yaml")
    try:
        doc = load_yaml(manifest)
    except Exception:  # unreadable or not there: unknown, not an error of this config
        return None
    provides = doc.get("provides") if isinstance(doc, dict) else None
    return provides if isinstance(provides, dict) else None
