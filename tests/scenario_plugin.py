"""pytest plugin: each ``tests/scenarios/**/*.yaml`` is a scenario (format: tests/scenarios/README.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.scenario import run_scenario
from harness.session import release, scratch_dir, shared_broker

SCENARIO_DIR = Path(__file__).parent / "scenarios"


def pytest_unconfigure(config: pytest.Config) -> None:
    release(config)


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix == ".yaml" and SCENARIO_DIR in file_path.parents:
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self) -> Any:
        doc = yaml.safe_load(self.path.read_text())
        if not isinstance(doc, dict) or "steps" not in doc:
            raise pytest.UsageError(f"{self.path}: a scenario needs a mapping with 'steps'")
        yield ScenarioItem.from_parent(self, name=self.path.stem, doc=doc)


class ScenarioItem(pytest.Item):
    def __init__(self, *, doc: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.doc = doc
        if doc.get("ocpp_version"):
            self.add_marker(pytest.mark.scenario)

    def runtest(self) -> None:
        workdir = scratch_dir(self.config, self.name)
        run_scenario(self.doc, shared_broker(self.config), workdir)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        return f"scenario {self.path.relative_to(SCENARIO_DIR)}: {excinfo.value}"

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"scenario: {self.doc.get('description', self.name)}"
