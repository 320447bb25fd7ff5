"""`consult tokens …`: personal API tokens from the command line, for whoever runs the server.

    consult tokens create EMAIL --scope read|participate [--name NAME] [--days N]
    consult tokens revoke PREFIX

The secret is printed once and never stored: copy it then.
"""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import select

from consult.accounts.models import User
from consult.accounts.services import find_by_email
from consult.api import tokens as api_tokens
from consult.api.models import ApiToken, Scope
from consult.core.db import db, now_utc


@click.group("tokens", cls=AppGroup)
def tokens() -> None:
    """Personal API tokens."""


@tokens.command("create")
@click.argument("email")
@click.option("--scope", type=click.Choice([s.value for s in Scope]), required=True,
              help="read: public reads only; participate: also comment, support, propose and submit briefs.")
@click.option("--name", default="command line", show_default=True, help="To recognise the token in lists.")
@click.option("--days", type=click.IntRange(min=1, max=3650), default=None,
              help="Days until it expires (never, unless given).")
def create(email: str, scope: str, name: str, days: int | None) -> None:
    """Create a token for the account EMAIL and print it once."""
    user: User | None = find_by_email(email)
    if user is None or user.is_deleted:
        raise click.ClickException(f"no account with the e-mail address {email}")
    created = api_tokens.create(user, name=name, scope=Scope(scope),
                                expires_at=now_utc() + timedelta(days=days) if days else None)
    db.session.commit()
    click.echo(created.secret)
    click.echo(f"Token “{created.token.name}” ({scope}) for {user.email}: copy it now, it is not shown again.",
               err=True)


@tokens.command("revoke")
@click.argument("prefix")
def revoke(prefix: str) -> None:
    """Revoke the token(s) whose shown prefix is PREFIX (as listed on the account page)."""
    found = list(db.session.scalars(select(ApiToken).where(ApiToken.prefix == prefix.strip())))
    if not found:
        raise click.ClickException(f"no token starts with {prefix}")
    changed = sum(api_tokens.revoke(t) for t in found)
    db.session.commit()
    click.echo(f"{changed} token(s) revoked.")
