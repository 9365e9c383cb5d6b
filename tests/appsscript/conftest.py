"""The Apps Script tests run under Node.js; the service's world comes from tests/serve."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "serve"))
