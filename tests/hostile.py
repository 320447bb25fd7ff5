"""The Big List of Naughty Strings (../shared/data/blns.json), for hostile-input tests.

The list runs in full when CONSULT_TEST_BLNS=all (`make test-blns`). By default the suite takes every
third string: the list is grouped by category (reserved words, numbers, quotes, Unicode planes,
right-to-left text, emoji, Zalgo, script and SQL injection, paths…), so a stride keeps every category
while the suite stays fast enough to run on every change.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

_CANDIDATES = [Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "blns.json",
               Path(__file__).resolve().parent / "data" / "blns.json"]
STRIDE = 3


@cache
def all_naughty_strings() -> list[str]:
    for path in _CANDIDATES:
        if path.exists():
            return [s for s in json.loads(path.read_text("utf-8")) if isinstance(s, str)]
    raise FileNotFoundError("blns.json not found beside the project (../shared/data) nor in tests/data")


@cache
def naughty_strings() -> list[str]:
    strings = all_naughty_strings()
    if os.environ.get("CONSULT_TEST_BLNS") == "all":
        return strings
    return strings[::STRIDE]
