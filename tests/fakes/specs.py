"""Where the platforms' published API descriptions are: the team's `shared/specs/` folder, which lies next
to the checkout (`../shared/specs`), or the folder named by P2K2_SPECS_DIR (set by `.ci/run` for a clone
made elsewhere). They are read, never copied into the project."""

from __future__ import annotations

import os
from pathlib import Path

SPECS_DIR = Path(os.environ.get("P2K2_SPECS_DIR") or Path(__file__).resolve().parents[3] / "shared" / "specs")
