"""Where the optional everest-core snapshot is: the git directory named by ``EVEREST_CORE_GIT``.

Tests that compare against upstream files read them from that snapshot with ``git show`` and are
skipped, with this reason, when the variable is unset or does not name a git directory.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "EVEREST_CORE_GIT"


def everest_core_git() -> Path | None:
    raw = os.environ.get(ENV, "")
    path = Path(raw) if raw else None
    return path if path is not None and (path / "HEAD").exists() else None


MIRROR = everest_core_git() or Path("/nonexistent-everest-core")
SKIP_REASON = f"set {ENV} to an everest-core git directory to compare with upstream files"
