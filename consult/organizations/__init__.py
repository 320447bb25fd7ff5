"""Organizations: profiles, members and representatives (grown by the partnership registry)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from consult.organizations import policies, privacy  # noqa: F401  (registers rules and exporters)
