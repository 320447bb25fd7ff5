"""Every UI string has a French translation, and the English catalog is complete too.

The catalogs are extracted from the code and templates at test time, so a string added without
its translation fails here, not in front of a user.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "consult" / "i18n" / "translations"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(ROOT / "babel.cfg"),
                    "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "--no-location", str(ROOT)],
                   check=True, cwd=ROOT, capture_output=True)
    with pot.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


def _catalog(lang: str):
    with (CATALOGS / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_ui_string_is_translated(extracted: set[str], lang: str) -> None:
    catalog = _catalog(lang)
    missing = []
    for msgid in sorted(extracted):
        message = catalog.get(msgid)
        strings = message.string if message is not None else None
        values = strings if isinstance(strings, tuple) else (strings,)
        if message is None or message.fuzzy or not all(values):
            missing.append(msgid)
    assert not missing, f"{len(missing)} strings lack a {lang} translation, e.g. {missing[:10]}"


def test_french_is_actually_french(extracted: set[str]) -> None:
    """A translation copied from the English msgid is not a translation (a few words like 'Courriel' differ)."""
    catalog = _catalog("fr")
    identical = [m.id for m in catalog if m.id and m.id in extracted and m.string == m.id
                 and len(str(m.id).split()) > 2]
    assert not identical, f"French strings identical to the English source: {identical[:10]}"
