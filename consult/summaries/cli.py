"""`consult summaries …`: commands around consultation summaries.

`consult summaries evaluate FILE.jsonl --themes THEMES.json [--json]` scores the real theme pipeline on a
hand-labelled set (see consult/summaries/evaluate.py and docs/summaries.md). It needs no application
context or database: it reads only the two files it is given.
"""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.group("summaries")
def summaries() -> None:
    """Consultation summaries: themes, quotes and their measured quality."""


@summaries.command("evaluate")
@click.argument("passages", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--themes", "themes_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON object mapping each theme key to its label and description.")
@click.option("--json", "as_json", is_flag=True, help="Print one machine-readable JSON object.")
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2, 20),
              help="Cross-validation folds for assignment.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the folds and of the clustering.")
def evaluate_command(passages: Path, themes_path: Path, as_json: bool, folds: int, seed: int) -> None:
    """Score theme proposal (NMI) and assignment (precision, recall, F1) against labelled PASSAGES.

    Each line of PASSAGES is {"id", "lang": "fr"|"en", "theme": KEY, "text"}."""
    from consult.summaries.evaluate import evaluate, render_text

    try:
        report = evaluate(passages, themes_path, folds=folds, seed=seed)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(render_text(report))
