"""The `consult` command: the Flask CLI bound to the app, plus the project's own commands."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup


def _create_app():
    from consult import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """consult: run a clinical project in the open."""


def register_commands(app) -> None:
    """Called by create_app so `flask` and `consult` offer the same commands."""
    from consult.accounts.cli import create_admin
    from consult.api.cli import tokens
    from consult.sampledata.cli import bench
    from consult.seed import seed_demo
    from consult.summaries.cli import summaries

    app.cli.add_command(seed_demo)
    app.cli.add_command(bench)
    app.cli.add_command(summaries)
    app.cli.add_command(tokens)
    app.cli.add_command(create_admin)
