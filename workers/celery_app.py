"""The Celery app of the worker and of beat, built from the same Flask app as the web process.

    celery -A workers.celery_app worker -Q default,mail
    celery -A workers.celery_app beat

Configuration comes from the same three layers as the web app (consult/config.py, instance/config.py,
environment), so a worker started with the same DATABASE_URL, REDIS_URL and CONSULT_DATA_DIR sees the
same rows and the same queues. No business logic here: tasks live in consult/<module>/tasks.py.
"""

from __future__ import annotations

import importlib
import importlib.util

from consult import MODULES, create_app

flask_app = create_app()

# create_app's module init already imports the tasks it wires; importing every module's tasks.py
# here as well means a module that forgets to do so still has its tasks registered in the worker.
for _name in MODULES:
    if importlib.util.find_spec(f"consult.{_name}.tasks") is not None:
        importlib.import_module(f"consult.{_name}.tasks")

celery = flask_app.extensions["celery"]
# `celery -A workers.celery_app` looks for a Celery instance named `app` first, then `celery`; `app`
# must therefore be the Celery app, never the Flask one.
app = celery

__all__ = ["app", "celery", "flask_app"]
