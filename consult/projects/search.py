"""Search across a project, French-aware: accents and plurals do not matter ("hébergement" finds
"hebergements").

One table, `project_search_entries`, holds a text per item of the working copy and of every frozen
version; the services keep it up to date. On PostgreSQL the 'french' text-search configuration stems the
accent-free text; on SQLite an FTS5 table (`project_search_fts`, created with the entries table and kept
in step by triggers) indexes the text stemmed in Python with the Snowball French stemmer.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import snowballstemmer
from sqlalchemy import Table, delete, event, func, select, text
from sqlalchemy.orm import Query

from consult.core.db import db
from consult.projects.kinds import search_text
from consult.projects.models import SEARCH_VECTOR, SearchEntry

FTS_TABLE = "project_search_fts"
_WORD = re.compile(r"\w+", re.UNICODE)
_stemmer = snowballstemmer.stemmer("french")
_stemmer_lock = threading.Lock()

# SQLite only: the FTS5 index and the triggers that keep it equal to the entries table, so that deleting
# entries (a project removed, a test cleaning up) can never leave a stale match behind.
SQLITE_DDL = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(stems, content='project_search_entries', "
    "content_rowid='id', tokenize = \"unicode61 remove_diacritics 2\")",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON project_search_entries BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, stems) VALUES (new.id, new.stems); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON project_search_entries BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, stems) VALUES ('delete', old.id, old.stems); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE ON project_search_entries BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, stems) VALUES ('delete', old.id, old.stems); "
    f"INSERT INTO {FTS_TABLE}(rowid, stems) VALUES (new.id, new.stems); END",
]



# Listening on the Table class, not on our Table object: Alembic's op.create_table() builds its own Table
# for project_search_entries and fires these events on it, so a migrated SQLite database gets the index
# too, without anyone editing the generated migration.
@event.listens_for(Table, "after_create")
def _create_index(table: Table, connection, **_kw) -> None:
    if table.name == SearchEntry.__tablename__ and connection.dialect.name == "sqlite":
        for statement in SQLITE_DDL:
            connection.exec_driver_sql(statement)


@event.listens_for(Table, "before_drop")
def _drop_index(table: Table, connection, **_kw) -> None:
    if table.name == SearchEntry.__tablename__ and connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def install_sqlite_index(execute) -> None:
    """For a migration: `install_sqlite_index(op.execute)` when the dialect is SQLite. The FTS5 table and
    its triggers are not models, so autogenerate never writes them; this writes them, then indexes the
    entries already there."""
    for statement in SQLITE_DDL:
        execute(statement)
    execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def drop_sqlite_index(execute) -> None:
    """For a migration's downgrade on SQLite: the FTS5 table (its shadow tables and triggers go with it)."""
    execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def strip_accents(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(value: str) -> list[str]:
    return _WORD.findall(value.lower())


def plain(value: str) -> str:
    """Lowercase, no accents: what PostgreSQL's 'french' configuration reads."""
    return " ".join(strip_accents(w) for w in words(value))


@lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    # The pure-Python stemmer costs about 0.1 ms a word and texts reuse few words: remembering them makes
    # indexing a 2,000-item version many times faster. The stemmer keeps its word in itself: one at a time.
    with _stemmer_lock:
        return strip_accents(_stemmer.stemWord(word))


def stems(value: str) -> str:
    """Each word stemmed in French, then stripped of accents: plural and accented forms meet."""
    return " ".join(_stem(w) for w in words(value))


def _entry(project_id: int, version_id: int | None, kind: str, uid: str, data: dict[str, Any]) -> dict:
    title, body = search_text(kind, data)
    full = f"{title} {body}"
    return {"project_id": project_id, "version_id": version_id, "kind": kind, "uid": uid,
            "title": title[:300] or "—", "text": plain(full), "stems": stems(full)}


def index_item(project_id: int, kind: str, uid: str, data: dict[str, Any]) -> None:
    """(Re)index one working item."""
    remove_item(uid)
    db.session.add(SearchEntry(**_entry(project_id, None, kind, uid, data)))


def remove_item(uid: str) -> None:
    db.session.execute(delete(SearchEntry).where(SearchEntry.uid == uid, SearchEntry.version_id.is_(None)))


def index_version(project_id: int, version_id: int, items: Iterable[tuple[str, str, dict]]) -> None:
    rows = [_entry(project_id, version_id, kind, uid, data) for kind, uid, data in items]
    if rows:
        db.session.execute(SearchEntry.__table__.insert(), rows)


def _match(stmt, query: str):
    """Restrict `stmt` (over SearchEntry) to the entries matching every word of `query`."""
    if db.engine.dialect.name == "postgresql":
        tsquery = func.plainto_tsquery("french", plain(query))
        # The GIN index on SEARCH_VECTOR finds the matching entries in a couple of milliseconds. Left to
        # itself the planner would rather read the project's entries and compute to_tsvector on each
        # (some 40 µs apiece, which it underprices: 150 ms for a project of 200 needs and 1,000 services).
        # A MATERIALIZED common table expression keeps the index lookup apart, and first.
        matching = (select(SearchEntry.id).where(SEARCH_VECTOR.op("@@")(tsquery))
                    .cte("matching").prefix_with("MATERIALIZED"))
        return stmt.where(SearchEntry.id.in_(select(matching.c.id)))
    tokens = stems(query).split()
    fts = " AND ".join('"' + t.replace('"', "") + '"*' for t in tokens)
    matching = text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts").bindparams(fts=fts)
    return stmt.where(SearchEntry.id.in_(matching))


def search(project_id: int, query: str, version_ids: list[int] | None) -> Query:
    """Entries of the project matching `query`: in the working copy (`version_ids` None) or in the given
    published versions. Returns a select() ready to paginate."""
    stmt = select(SearchEntry).where(SearchEntry.project_id == project_id)
    if version_ids is None:
        stmt = stmt.where(SearchEntry.version_id.is_(None))
    else:
        stmt = stmt.where(SearchEntry.version_id.in_(version_ids or [-1]))
    if not stems(query).strip():
        return stmt.where(SearchEntry.id == -1)
    return _match(stmt, query).order_by(SearchEntry.kind, SearchEntry.title, SearchEntry.id)
