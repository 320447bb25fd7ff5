import click


@click.command("seed-demo")
def seed_demo() -> None:
    """Load the demo territory, establishments, organizations and one login per role (idempotent)."""
