"""Participation: briefs (attachments, co-signers, positions), comments, supports, proposed needs,
consented profiles, and the establishment's answers with the "What we heard, what we did" page."""

import importlib
import importlib.util

from flask import Flask

PARTS = ("briefs", "comments", "answers")


def init_app(app: Flask) -> None:
    from consult.participation import models  # noqa: F401
    from consult.participation.blueprint import bp

    for part in PARTS:
        for name in ("policies", "views"):
            if importlib.util.find_spec(f"consult.participation.{part}") and \
                    importlib.util.find_spec(f"consult.participation.{part}.{name}"):
                importlib.import_module(f"consult.participation.{part}.{name}")
    app.register_blueprint(bp)
