"""The Big List of Naughty Strings (../shared/data/blns.json), for hostile-input tests."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

_CANDIDATES = [Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "blns.json",
               Path(__file__).resolve().parent / "data" / "blns.json"]


@cache
def naughty_strings() -> list[str]:
    for path in _CANDIDATES:
        if path.exists():
            return [s for s in json.loads(path.read_text("utf-8")) if isinstance(s, str)]
    raise FileNotFoundError("blns.json not found beside the project (../shared/data) nor in tests/data")
