from __future__ import annotations

import click

from consult.accounts import passwords, services
from consult.accounts.models import User
from consult.core.db import db, now_utc


@click.command("create-admin")
@click.argument("email")
@click.password_option()
def create_admin(email: str, password: str) -> None:
    """Create (or promote) a platform administrator."""
    problem = passwords.password_problem(password, email)
    if problem:
        raise click.ClickException(problem)
    user = services.find_by_email(email)
    if user is None:
        user = User(email=services.normalize_email(email), password_hash=passwords.hash_password(password),
                    privacy_accepted_at=now_utc(), email_verified_at=now_utc())
        db.session.add(user)
    user.is_admin = True
    db.session.commit()
    click.echo(f"{user.email} is a platform administrator.")
