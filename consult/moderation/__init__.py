"""moderation"""

from flask import Flask


def init_app(app: Flask) -> None:
    from consult.moderation import models  # noqa: F401
