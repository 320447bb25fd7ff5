"""Score the real theme pipeline against a hand-labelled set of passages (`consult summaries evaluate`).

(a) Proposal: `propose_themes` sees the texts alone; the clusters are compared with the labels by normalized
mutual information (NMI, arithmetic mean; 0 = independent, 1 = the same partition).

(b) Assignment, as it happens after a review: stratified, seeded k-fold cross-validation. In each round the
passages of the other folds become the examples of the approved themes (each with its label and
description), and the held-out fold is assigned with `assign`. An input may get several themes or none, so
precision, recall and F1 are computed per theme over the sets of themes given (a passage labelled t counts
as a true positive of t when t is among its themes, each other theme given is a false positive), then
macro-averaged over themes; the same per language.

The labels are only ever read here, from the files named on the command line.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from consult.summaries.analysis import analyse_many
from consult.summaries.themes import DEFAULT, ApprovedTheme, Settings, assign, propose_themes


@dataclass(frozen=True, slots=True)
class Passage:
    id: str
    lang: str
    theme: str
    text: str


def load_passages(path: str | Path) -> list[Passage]:
    passages = []
    for number, line in enumerate(Path(path).read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            passages.append(Passage(str(data["id"]), str(data["lang"]), str(data["theme"]), str(data["text"])))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}, line {number}: not a passage ({exc})") from exc
    return passages


def load_themes(path: str | Path) -> dict[str, dict[str, str]]:
    data = json.loads(Path(path).read_text("utf-8"))
    if not isinstance(data, dict) or not all(isinstance(v, dict) and "label" in v for v in data.values()):
        raise ValueError(f"{path}: expected {{key: {{label, description}}}}")
    return {key: {"label": str(v["label"]), "description": str(v.get("description", ""))}
            for key, v in data.items()}


# ------------------------------------------------------------------------------------------------ proposal


def evaluate_proposal(passages: Sequence[Passage], *, seed: int = 0, max_themes: int = 12,
                      settings: Settings = DEFAULT) -> dict[str, Any]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    analyses = analyse_many([p.text for p in passages])
    themes = propose_themes(analyses, seed=seed, max_themes=max_themes, settings=settings)
    cluster_of = [-1] * len(passages)           # inputs without any content word stay in a cluster of their own
    for number, theme in enumerate(themes):
        for i in theme.members:
            cluster_of[i] = number
    gold = [p.theme for p in passages]
    proposed = []
    for theme in themes:
        labels = Counter(gold[i] for i in theme.members)
        top, count = labels.most_common(1)[0]
        proposed.append({"key": theme.key, "label": theme.label, "language": theme.language, "size": theme.size,
                         "languages": theme.languages, "majority_theme": top,
                         "purity": round(count / theme.size, 3), "keyphrases": list(theme.keyphrases[:5])})
    return {
        "themes_proposed": len(themes),
        "nmi": round(float(normalized_mutual_info_score(gold, cluster_of)), 4),
        "ari": round(float(adjusted_rand_score(gold, cluster_of)), 4),
        "unclustered": cluster_of.count(-1),
        "proposed": proposed,
    }


# ---------------------------------------------------------------------------------------------- assignment


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "support": tp + fn}


def score_assignments(gold: Sequence[str], predicted: Sequence[Sequence[str]], keys: Sequence[str]
                      ) -> dict[str, Any]:
    """Precision, recall and F1 per theme and macro-averaged, for multi-theme predictions of single labels."""
    per_theme = {}
    for key in keys:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == key and key in p)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if g != key and key in p)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == key and key not in p)
        per_theme[key] = _prf(tp, fp, fn)
    present = [key for key in keys if per_theme[key]["support"]]
    macro = {metric: round(sum(per_theme[k][metric] for k in present) / len(present), 4) if present else 0.0
             for metric in ("precision", "recall", "f1")}
    n = len(gold)
    return {
        "macro": macro,
        "per_theme": per_theme,
        "top1_accuracy": round(sum(1 for g, p in zip(gold, predicted, strict=True) if p and p[0] == g) / n, 4)
        if n else 0.0,
        "no_theme": sum(1 for p in predicted if not p),
        "several_themes": sum(1 for p in predicted if len(p) > 1),
        "passages": n,
    }


def cross_validate(passages: Sequence[Passage], themes: dict[str, dict[str, str]], *, folds: int = 5,
                   seed: int = 0, settings: Settings = DEFAULT) -> list[list[str]]:
    """The themes assigned to each passage when its fold was held out (stratified by theme, seeded)."""
    from sklearn.model_selection import StratifiedKFold

    gold = [p.theme for p in passages]
    analyses = analyse_many([p.text for p in passages])
    predicted: list[list[str]] = [[] for _ in passages]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(passages, gold):
        approved = [ApprovedTheme(key=key, label=theme["label"], description=theme["description"],
                                  examples=tuple(passages[i].text for i in train if gold[i] == key))
                    for key, theme in themes.items()]
        assigned = assign([analyses[i] for i in test], approved, settings=settings)
        for i, fits in zip(test, assigned, strict=True):
            predicted[i] = [key for key, _ in fits]
    return predicted


def evaluate_assignment(passages: Sequence[Passage], themes: dict[str, dict[str, str]], *, folds: int = 5,
                        seed: int = 0, settings: Settings = DEFAULT) -> dict[str, Any]:
    predicted = cross_validate(passages, themes, folds=folds, seed=seed, settings=settings)
    keys = list(themes)
    gold = [p.theme for p in passages]
    result = score_assignments(gold, predicted, keys)
    result["folds"] = folds
    result["by_language"] = {}
    for lang in sorted({p.lang for p in passages}):
        rows = [i for i, p in enumerate(passages) if p.lang == lang]
        scored = score_assignments([gold[i] for i in rows], [predicted[i] for i in rows], keys)
        result["by_language"][lang] = {name: scored[name] for name in
                                       ("macro", "per_theme", "top1_accuracy", "no_theme", "passages")}
    return result


def evaluate(passages_path: str | Path, themes_path: str | Path, *, folds: int = 5, seed: int = 0,
             settings: Settings = DEFAULT) -> dict[str, Any]:
    """Everything `consult summaries evaluate` reports, as one JSON-ready object."""
    passages = load_passages(passages_path)
    themes = load_themes(themes_path)
    unknown = sorted({p.theme for p in passages} - set(themes))
    if unknown:
        raise ValueError(f"passages use themes missing from the themes file: {', '.join(unknown)}")
    started = time.perf_counter()
    analyse_many([p.text for p in passages] + [f"{t['label']}.\n{t['description']}" for t in themes.values()])
    analysed = time.perf_counter()
    proposal = evaluate_proposal(passages, seed=seed, settings=settings)
    proposed = time.perf_counter()
    assignment = evaluate_assignment(passages, themes, folds=folds, seed=seed, settings=settings)
    done = time.perf_counter()
    return {
        "passages": len(passages),
        "languages": dict(sorted(Counter(p.lang for p in passages).items())),
        "themes": len(themes),
        "seed": seed,
        "proposal": proposal,
        "assignment": assignment,
        "seconds": {"analysis": round(analysed - started, 2), "proposal": round(proposed - analysed, 2),
                    "assignment": round(done - proposed, 2)},
    }


def render_text(report: dict[str, Any]) -> str:
    """The report as a person reads it in a terminal."""
    lines = []
    proposal, assignment = report["proposal"], report["assignment"]
    languages = ", ".join(f"{count} {lang}" for lang, count in report["languages"].items())
    lines.append(f"{report['passages']} passages ({languages}), {report['themes']} labelled themes, "
                 f"seed {report['seed']}")
    lines.append("")
    lines.append(f"(a) Proposed themes from the texts alone: {proposal['themes_proposed']}")
    lines.append(f"    NMI against the labels: {proposal['nmi']:.3f}   (ARI {proposal['ari']:.3f})")
    for theme in proposal["proposed"]:
        lines.append(f"    - {theme['label']} [{theme['size']}]: mostly {theme['majority_theme']} "
                     f"({theme['purity']:.0%})")
    lines.append("")
    lines.append(f"(b) Assignment, {assignment['folds']}-fold cross-validation "
                 f"(examples = the other folds' passages)")
    macro = assignment["macro"]
    lines.append(f"    macro precision {macro['precision']:.3f}  recall {macro['recall']:.3f}  "
                 f"F1 {macro['f1']:.3f}   top-1 accuracy {assignment['top1_accuracy']:.3f}")
    lines.append(f"    passages with no theme: {assignment['no_theme']}, with several: "
                 f"{assignment['several_themes']}")
    for lang, scored in assignment["by_language"].items():
        m = scored["macro"]
        lines.append(f"    {lang}: precision {m['precision']:.3f}  recall {m['recall']:.3f}  F1 {m['f1']:.3f}"
                     f"   ({scored['passages']} passages, top-1 {scored['top1_accuracy']:.3f})")
    lines.append("")
    width = max(len(key) for key in assignment["per_theme"])
    lines.append(f"    {'theme':<{width}}  precision  recall     F1  support")
    for key, scored in assignment["per_theme"].items():
        lines.append(f"    {key:<{width}}  {scored['precision']:9.3f}  {scored['recall']:6.3f}  "
                     f"{scored['f1']:5.3f}  {scored['support']:7d}")
    seconds = report["seconds"]
    lines.append("")
    lines.append(f"Time: analysis {seconds['analysis']} s, proposal {seconds['proposal']} s, "
                 f"assignment {seconds['assignment']} s")
    return "\n".join(lines)
