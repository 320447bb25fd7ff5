"""`consult summaries evaluate`: the scores it computes and what it prints, on a small subset of the labelled set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from consult.summaries.cli import summaries
from consult.summaries.evaluate import score_assignments

pytestmark = pytest.mark.dialect_free  # text and files only: run once, on SQLite

ROOT = Path(__file__).resolve().parents[2]
THEMES = ("logement_itinerance", "transport_mobilite", "securite_alimentaire", "proches_aidants")


@pytest.fixture(scope="module")
def subset(tmp_path_factory):
    """Four themes of the evaluation set, five French and one or two English passages each."""
    folder = tmp_path_factory.mktemp("evaluation")
    passages = [json.loads(line) for line in (ROOT / "evaluation/passages.jsonl").read_text("utf-8").splitlines()]
    themes = json.loads((ROOT / "evaluation/themes.json").read_text("utf-8"))
    chosen = []
    for key in THEMES:
        chosen += [p for p in passages if p["theme"] == key and p["lang"] == "fr"][:5]
        chosen += [p for p in passages if p["theme"] == key and p["lang"] == "en"][:2]
    (folder / "passages.jsonl").write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in chosen), "utf-8")
    (folder / "themes.json").write_text(json.dumps({key: themes[key] for key in THEMES}, ensure_ascii=False),
                                        "utf-8")
    return folder / "passages.jsonl", folder / "themes.json", len(chosen)


def test_scores_count_every_extra_theme_as_a_false_positive():
    gold = ["a", "a", "b", "b"]
    predicted = [["a"], ["a", "b"], [], ["b"]]
    scored = score_assignments(gold, predicted, ["a", "b"])

    assert scored["per_theme"]["a"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 2}
    assert scored["per_theme"]["b"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert scored["macro"] == {"precision": 0.75, "recall": 0.75, "f1": 0.75}
    assert scored["no_theme"] == 1 and scored["several_themes"] == 1
    assert scored["top1_accuracy"] == 0.75


def test_evaluate_prints_nmi_and_cross_validated_scores(subset):
    passages, themes, count = subset
    result = CliRunner().invoke(summaries, ["evaluate", str(passages), "--themes", str(themes)])

    assert result.exit_code == 0, result.output
    out = result.output
    assert f"{count} passages" in out
    assert "NMI against the labels:" in out
    assert "5-fold cross-validation" in out
    assert "macro precision" in out and "F1" in out
    assert "en: precision" in out and "fr: precision" in out
    for key in THEMES:
        assert key in out


def test_evaluate_json_is_machine_readable(subset):
    passages, themes, count = subset
    result = CliRunner().invoke(summaries, ["evaluate", str(passages), "--themes", str(themes), "--json",
                                            "--folds", "3"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["passages"] == count and report["themes"] == len(THEMES)
    assert 0.0 <= report["proposal"]["nmi"] <= 1.0
    assignment = report["assignment"]
    assert assignment["folds"] == 3
    assert set(assignment["per_theme"]) == set(THEMES)
    assert set(assignment["macro"]) == {"precision", "recall", "f1"}
    assert set(assignment["by_language"]) == {"en", "fr"}
    # Four well-separated themes with their descriptions: assignment is clearly better than chance.
    assert assignment["macro"]["f1"] > 0.6


def test_evaluate_rejects_a_theme_missing_from_the_themes_file(subset, tmp_path):
    passages, _themes, _count = subset
    themes = tmp_path / "themes.json"
    themes.write_text(json.dumps({"logement_itinerance": {"label": "Logement", "description": "Logement."}}))
    result = CliRunner().invoke(summaries, ["evaluate", str(passages), "--themes", str(themes)])

    assert result.exit_code != 0
    assert "missing from the themes file" in result.output
