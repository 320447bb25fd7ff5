"""The hand-labelled evaluation set (evaluation/): its shape, its counts, and that no code knows its answers."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

pytestmark = pytest.mark.dialect_free  # text and files only: run once, on SQLite

ROOT = Path(__file__).resolve().parents[2]
EVALUATION = ROOT / "evaluation"
KEYS = {"id", "lang", "theme", "text"}


def _passages() -> list[dict]:
    lines = (EVALUATION / "passages.jsonl").read_text("utf-8").splitlines()
    assert lines, "passages.jsonl is empty"
    passages = []
    for number, line in enumerate(lines, start=1):
        try:
            passages.append(json.loads(line))
        except json.JSONDecodeError as exc:
            pytest.fail(f"line {number} is not JSON: {exc}")
    return passages


def _themes() -> dict:
    return json.loads((EVALUATION / "themes.json").read_text("utf-8"))


def test_every_passage_has_exactly_the_four_fields_with_valid_values():
    themes = _themes()
    ids = set()
    for passage in _passages():
        assert set(passage) == KEYS, passage
        assert passage["lang"] in ("fr", "en"), passage["id"]
        assert re.fullmatch(rf"{passage['lang']}-\d{{3}}", passage["id"]), passage["id"]
        assert passage["id"] not in ids, f"duplicate id {passage['id']}"
        ids.add(passage["id"])
        assert passage["theme"] in themes, f"{passage['id']}: unknown theme {passage['theme']!r}"
        assert isinstance(passage["text"], str)
        assert passage["text"] == passage["text"].strip() and len(passage["text"]) >= 10, passage["id"]


def test_ids_are_numbered_without_gaps_per_language():
    for lang in ("fr", "en"):
        numbers = sorted(int(p["id"][3:]) for p in _passages() if p["lang"] == lang)
        assert numbers == list(range(1, len(numbers) + 1)), lang


def test_no_passage_is_repeated():
    normalized = Counter(" ".join(p["text"].lower().split()) for p in _passages())
    assert [text for text, count in normalized.items() if count > 1] == []


def test_counts_per_language():
    languages = Counter(p["lang"] for p in _passages())
    assert languages["fr"] >= 110
    assert languages["en"] >= 35


def test_languages_look_right():
    # A cheap guard against a passage labelled with the wrong language.
    french = re.compile(r"\b(le|la|les|des|est|une|pour|que|pas|nous)\b", re.IGNORECASE)
    english = re.compile(r"\b(the|and|is|are|for|to|of|we|not)\b", re.IGNORECASE)
    for passage in _passages():
        text = passage["text"]
        hits_fr, hits_en = len(french.findall(text)), len(english.findall(text))
        if passage["lang"] == "fr":
            assert hits_fr >= hits_en, passage["id"]
        else:
            assert hits_en >= hits_fr, passage["id"]


def test_themes_file_has_8_to_12_themes_with_french_label_and_description():
    themes = _themes()
    assert 8 <= len(themes) <= 12
    for key, theme in themes.items():
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", key), key
        assert set(theme) == {"label", "description"}, key
        assert theme["label"].strip() and len(theme["description"]) >= 40, key
        # Written in French: accents or French function words, never an English description.
        assert re.search(r"\b(de|des|et|la|le|les|du|à)\b", theme["description"]), key


def test_every_theme_has_at_least_8_passages_in_both_languages():
    themes = _themes()
    counts = Counter((p["theme"], p["lang"]) for p in _passages())
    for key in themes:
        assert counts[key, "fr"] + counts[key, "en"] >= 8, key
        assert counts[key, "fr"] >= 6, f"{key}: too few French passages"
        assert counts[key, "en"] >= 2, f"{key}: too few English passages"


def test_passages_vary_in_length():
    lengths = [len(p["text"].split()) for p in _passages()]
    assert min(lengths) <= 6
    assert max(lengths) >= 50
    assert sum(1 for n in lengths if n <= 15) >= 15


def test_the_pipeline_does_not_know_the_themes():
    """The themes are the answer key: no code of the pipeline may contain their keys, labels or descriptions.

    (Elsewhere, demo data may well name a need "Isolement social des aînés"; the pipeline must not.)"""
    themes = _themes()
    needles = set(themes)
    for theme in themes.values():
        needles.add(theme["label"])
        needles.add(theme["description"][:60])
    needles.update({"passages.jsonl", "themes.json"})
    offenders = []
    for folder in ("consult/summaries", "workers"):
        for path in (ROOT / folder).rglob("*"):
            if not path.is_file() or path.suffix not in (".py", ".json", ".txt", ".html", ".cfg", ".toml"):
                continue
            text = path.read_text("utf-8", errors="ignore")
            offenders += [f"{path.relative_to(ROOT)}: {needle}" for needle in needles if needle in text]
    assert offenders == []
