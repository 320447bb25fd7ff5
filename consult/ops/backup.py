"""`consult backup` and `consult restore`: the database and every stored file in one tar.gz archive.

Archive layout (read in one pass, in this order):
    database.pgdump | database.sqlite   pg_dump --format=custom, or a copy made with SQLite's backup API
    files/ab/cd/<sha256>                every stored attachment, named by its content digest
    manifest.json                       format, app version, alembic revision, rows per table, files

The database is dumped first and the files listed after, so every file a dumped row names is in the
archive (a file is stored before the row naming it is committed, and never changed afterwards).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Connection, Engine

from consult.core.db import db
from consult.storage import Storage, StorageError, get_storage

FORMAT = 1
MANIFEST = "manifest.json"
DUMPS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite"}
_FILE_MEMBER = re.compile(r"^files/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})$")


class BackupError(Exception):
    """What went wrong, in words an operator can act on."""


@dataclass
class Result:
    archive: Path
    manifest: dict[str, Any]


# ---------------------------------------------------------------------------------------------------
# Helpers


def app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("consult")
    except PackageNotFoundError:
        return "unknown"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_counts(conn: Connection) -> dict[str, int]:
    names = sorted(inspect(conn).get_table_names())
    return {name: int(conn.execute(text(f"SELECT count(*) FROM {_quote(name)}")).scalar_one()) for name in names}


def alembic_revision(conn: Connection) -> str | None:
    if "alembic_version" not in inspect(conn).get_table_names():
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def pg_tool(name: str, server_major: int | None = None) -> str:
    """pg_dump / pg_restore: the server's own version when installed, else PATH, else the newest in
    /usr/lib/postgresql/*/bin (a client older than the server refuses to dump it)."""
    candidates: list[Path] = []
    if server_major:
        candidates.append(Path(f"/usr/lib/postgresql/{server_major}/bin") / name)
    found = shutil.which(name)
    if found:
        candidates.append(Path(found))
    candidates += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                         key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
                         reverse=True)
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise BackupError(f"{name} was not found (install PostgreSQL's client programs, e.g. Debian's "
                      f"postgresql-client-{server_major or 15}, or put {name} on PATH)")


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string for `url` (password passed in the environment, not on the command line)."""
    parts = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database}
    parts.update({k: v if isinstance(v, str) else v[-1] for k, v in url.query.items()})

    def value(v: object) -> str:
        return "'" + str(v).replace("\\", "\\\\").replace("'", "\\'") + "'"

    conninfo = " ".join(f"{k}={value(v)}" for k, v in parts.items() if v not in (None, ""))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    env.setdefault("PGCONNECT_TIMEOUT", str(current_app.config["CONSULT_DB_CONNECT_TIMEOUT"]))
    return conninfo, env


def _server_major(conn: Connection) -> int:
    return int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    proc = subprocess.run(command, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BackupError(f"{what} failed (exit {proc.returncode}): {(proc.stderr or proc.stdout).strip()[-2000:]}")


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


# ---------------------------------------------------------------------------------------------------
# Backup


def _dump(engine: Engine, workdir: Path) -> tuple[Path, dict[str, int], str | None]:
    """Dump the database into workdir; return the dump, the rows per table and the alembic revision, all
    from the same moment."""
    dialect = engine.dialect.name
    if dialect == "postgresql":
        target = workdir / DUMPS["postgresql"]
        conninfo, env = _libpq(engine.url)
        # One snapshot for the counts and for pg_dump, so the manifest describes exactly what is dumped.
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            conn.execute(text("SET TRANSACTION READ ONLY"))
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            counts = table_counts(conn)
            revision = alembic_revision(conn)
            tool = pg_tool("pg_dump", _server_major(conn))
            _run([tool, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                  f"--file={target}", f"--dbname={conninfo}"], env, "pg_dump")
            conn.rollback()
        return target, counts, revision
    if dialect == "sqlite":
        target = workdir / DUMPS["sqlite"]
        source = sqlite3.connect(_sqlite_path(engine), timeout=30)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # the online backup API: consistent even while others write
        finally:
            copy.close()
            source.close()
        from sqlalchemy import create_engine

        snapshot_engine = create_engine(f"sqlite:///{target}")
        try:
            with snapshot_engine.connect() as conn:
                return target, table_counts(conn), alembic_revision(conn)
        finally:
            snapshot_engine.dispose()
    raise BackupError(f"backups of a {dialect} database are not supported")


def backup(dest: Path) -> Result:
    """Write a backup archive to `dest` (a .tar.gz path, or a folder to put a dated archive in)."""
    storage = get_storage()
    engine = db.engine
    created = datetime.now(UTC)
    if dest.is_dir():
        dest = dest / f"consult-backup-{created:%Y%m%dT%H%M%SZ}.tar.gz"
    if dest.exists():
        raise BackupError(f"{dest} already exists; choose another name")
    if not dest.parent.is_dir():
        raise BackupError(f"the folder {dest.parent} does not exist")
    partial = dest.with_name(dest.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="consult-backup-", dir=dest.parent) as workdir:
        dump, counts, revision = _dump(engine, Path(workdir))
        keys = sorted(storage.keys())
        total = 0
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # personal information inside
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                tar.add(dump, arcname=dump.name)
                for key in keys:
                    total += _add_file(tar, storage, key)
                manifest = {
                    "format": FORMAT,
                    "app": "consult",
                    "version": app_version(),
                    "alembic_revision": revision,
                    "engine": engine.dialect.name,
                    "created_at": created.isoformat(timespec="seconds"),
                    "tables": counts,
                    "files": {"count": len(keys), "bytes": total},
                }
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode())
                raw.flush()
                os.fsync(raw.fileno())
            partial.replace(dest)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
            raise
    return Result(dest, manifest)


def _add_file(tar: tarfile.TarFile, storage: Storage, key: str) -> int:
    info = tarfile.TarInfo(f"files/{key[:2]}/{key[2:4]}/{key}")
    info.size = storage.size(key)
    info.mtime = int(time.time())
    info.mode = 0o600
    with storage.open(key) as handle:
        tar.addfile(info, handle)
    return info.size


# ---------------------------------------------------------------------------------------------------
# Restore


def _require_empty(engine: Engine) -> None:
    with engine.connect() as conn:
        tables = sorted(inspect(conn).get_table_names())
    if tables:
        shown = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
        raise BackupError(f"the database {engine.url.render_as_string(hide_password=True)} is not empty "
                          f"(it has {len(tables)} tables: {shown}). Restore only into an empty database: "
                          "create a new one, point DATABASE_URL at it, and run the restore again.")


def _restore_database(engine: Engine, member_name: str, stream, workdir: Path) -> None:
    expected = DUMPS.get(engine.dialect.name)
    if member_name != expected:
        other = "PostgreSQL" if member_name == DUMPS["postgresql"] else "SQLite"
        raise BackupError(f"this archive holds a {other} database; it can only be restored into {other} "
                          f"(DATABASE_URL points at {engine.dialect.name})")
    dump = workdir / member_name
    with dump.open("wb") as out:
        shutil.copyfileobj(stream, out, 1024 * 1024)
    engine.dispose()
    if engine.dialect.name == "postgresql":
        conninfo, env = _libpq(engine.url)
        with engine.connect() as conn:
            major = _server_major(conn)
        engine.dispose()
        _run([pg_tool("pg_restore", major), "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", f"--dbname={conninfo}", str(dump)], env, "pg_restore")
        return
    source = sqlite3.connect(dump)
    target = sqlite3.connect(_sqlite_path(engine), timeout=30)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def restore(archive: Path) -> dict[str, Any]:
    """Restore `archive` into the configured (empty) database and storage; return its manifest once every
    table's row count and every file have been checked against it."""
    if not archive.is_file():
        raise BackupError(f"{archive} is not a file")
    engine = db.engine
    _require_empty(engine)
    progress = {"database": False}
    try:
        return _restore(archive, engine, get_storage(), progress)
    except (BackupError, StorageError) as exc:
        if not progress["database"]:
            raise
        # The dump went in before the failure: the database is no longer empty, so say what to do.
        raise BackupError(f"{exc}. The database already holds the restored rows: drop it and create it "
                          "again, empty, before the next attempt.") from exc


def _restore(archive: Path, engine: Engine, storage: Storage, progress: dict[str, bool]) -> dict[str, Any]:
    manifest: dict[str, Any] | None = None
    files = 0
    with tempfile.TemporaryDirectory(prefix="consult-restore-") as workdir:
        try:
            with tarfile.open(archive, mode="r|gz") as tar:
                for member in tar:
                    name = member.name
                    if not member.isfile():
                        continue
                    stream = tar.extractfile(member)
                    if name in DUMPS.values():
                        _restore_database(engine, name, stream, Path(workdir))
                        progress["database"] = True
                    elif match := _FILE_MEMBER.match(name):
                        key = match.group(3)
                        if match.group(1) + match.group(2) != key[:4]:
                            raise BackupError(f"{name}: misplaced file in the archive")
                        # The key put() returns is the digest of what it read: a damaged file shows.
                        if storage.put(stream, max_bytes=max(member.size, 1)) != key:
                            raise BackupError(f"{name} is damaged: its content does not match its name")
                        files += 1
                    elif name == MANIFEST:
                        manifest = json.loads(stream.read().decode())
                    else:
                        raise BackupError(f"{archive} is not a consult backup (unexpected member {name!r})")
        except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
            raise BackupError(f"{archive} is damaged, truncated or not a consult backup: {exc}") from exc
    if not progress["database"] or manifest is None:
        raise BackupError(f"{archive} is not a complete consult backup (no database or no manifest)")
    _check(engine, manifest, files)
    return manifest


def _check(engine: Engine, manifest: dict[str, Any], files: int) -> None:
    with engine.connect() as conn:
        counts = table_counts(conn)
    wrong = {t: (n, counts.get(t)) for t, n in manifest.get("tables", {}).items() if counts.get(t) != n}
    if wrong:
        detail = ", ".join(f"{t}: {got} rows instead of {n}" for t, (n, got) in sorted(wrong.items()))
        raise BackupError(f"the restored database does not match the backup's manifest ({detail})")
    if files != manifest.get("files", {}).get("count"):
        raise BackupError(f"{files} files restored instead of {manifest['files']['count']}")
