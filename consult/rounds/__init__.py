"""rounds"""

from flask import Flask


def init_app(app: Flask) -> None:
    from consult.rounds import models  # noqa: F401
