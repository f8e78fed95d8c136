from __future__ import annotations

from v201_backend.conftest import config_dir, open_dm  # noqa: F401  (device model fixtures)
