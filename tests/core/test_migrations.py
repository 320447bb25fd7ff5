"""The migrations build exactly the schema the models describe, on the engine the suite runs on."""

from __future__ import annotations

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from consult.core.db import db


def test_upgrade_to_head_gives_the_schema_of_the_models_and_downgrade_removes_it(make_app,
                                                                              empty_database_url):
    migrated = make_app({"SECRET_KEY": "migration-test-secret-key",
                         "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with migrated.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert context.get_current_revision() == _head(migrated)
            # SQLite's FTS5 search table (and its shadow tables) is made by a DDL event, not a model.
            differences = [d for d in compare_metadata(context, db.metadata)
                           if not (d[0] == "remove_table" and d[1].name.startswith("project_search_fts"))]
        assert differences == [], "the models changed without a migration: run `consult db migrate`"

        flask_migrate.downgrade(revision="base")
        db.engine.dispose()
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}


def test_there_is_one_line_of_migrations(make_app, empty_database_url):
    """Two branches written in parallel must be merged (`consult db merge heads`) before they ship."""
    migrated = make_app({"SECRET_KEY": "migration-test-secret-key",
                         "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with migrated.app_context():
        heads = _scripts(migrated).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}"


def _scripts(app) -> ScriptDirectory:
    config = app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config)


def _head(app) -> str:
    return _scripts(app).get_current_head()
