"""notifications"""

from flask import Flask


def init_app(app: Flask) -> None:
    from consult.notifications import models  # noqa: F401
