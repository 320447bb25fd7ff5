"""`consult bench seed`: the scale dataset for the benchmark harness (bench/)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from consult.core.db import db


@click.group("bench", help="Data for the benchmark harness.")
def bench() -> None:
    pass


@bench.command("seed")
@click.option("--scale", type=click.Choice(["small", "province"]), default="small", show_default=True,
              help="small: a few thousand rows; province: 50,000 comments, 1,500 briefs, 500 PDFs.")
@with_appcontext
def seed_command(scale: str) -> None:
    """Create a realistic establishment at scale (seeded; runs once)."""
    from consult.sampledata.scale import seed

    seed(scale, report=click.echo)
    db.session.commit()
