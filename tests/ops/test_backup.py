"""`consult backup` then `consult restore` into an empty database and data folder finds every row and file
again, on SQLite and (with --db=postgresql) on PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile

import pytest
from sqlalchemy import inspect, select, text

from consult.core.db import db
from consult.mail.models import Email, EmailStatus
from consult.ops.backup import table_counts
from consult.storage import get_storage

ATTACHMENTS = [
    "Mémoire du Regroupement des organismes communautaires de Chicoutimi".encode() * 300,
    b"%PDF-1.7\n" + bytes(range(256)) * 400,
    "Annexe : tableau des délais d'accès, CLSC de Jonquière".encode(),
]


@pytest.fixture
def filled(make_user):
    """Users, e-mails and stored files in the suite's database and storage."""
    for number in range(3):
        make_user(f"participante{number}@exemple.ca", name=f"Participante {number}")
    make_user("admin@cisss.example", admin=True)
    for number in range(5):
        db.session.add(Email(to_addr=f"participante{number % 3}@exemple.ca", subject=f"Accusé de réception {number}",
                             body_text="Votre mémoire a été reçu.\n", status=EmailStatus.sent))
    db.session.commit()
    storage = get_storage()
    keys = [storage.put_bytes(content) for content in ATTACHMENTS]
    return keys


def run(app, *args: str):
    # The command runs in whatever app context is current (the suite's is, during every test).
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def rows(app) -> dict[str, int]:
    with app.app_context(), db.engine.connect() as conn:
        return table_counts(conn)


def test_a_backup_restores_into_an_empty_database_with_everything_in_it(app, make_app, filled, tmp_path,
                                                                        empty_database_url):
    source_keys = set(get_storage().keys())
    assert set(filled) <= source_keys
    archive = tmp_path / "consult.tar.gz"
    result = run(app, "backup", str(archive))
    assert result.exit_code == 0, result.output
    assert f"Backup written to {archive}" in result.output
    assert archive.stat().st_mode & 0o077 == 0  # personal information: readable by its owner only

    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    engine = db.engine.dialect.name
    assert names[0] == {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}[engine]
    assert manifest["engine"] == engine
    assert manifest["tables"]["users"] == 4 and manifest["tables"]["emails"] == 5
    assert manifest["files"]["count"] == len(source_keys)
    assert manifest["version"] and manifest["created_at"]

    restored = make_app({"SECRET_KEY": "restore-test-secret-key", "SQLALCHEMY_DATABASE_URI": empty_database_url,
                         "CONSULT_DATA_DIR": str(tmp_path / "restored")})
    result = run(restored, "restore", str(archive))
    assert result.exit_code == 0, result.output
    assert "all checked against its manifest" in result.output

    assert rows(restored) == rows(app)
    with restored.app_context():
        emails = db.session.scalars(select(Email).order_by(Email.id)).all()
        assert [e.subject for e in emails] == [f"Accusé de réception {n}" for n in range(5)]
        from consult.accounts.models import User

        assert db.session.scalar(select(User).filter_by(email="admin@cisss.example")).is_admin
        storage = get_storage()
        assert set(storage.keys()) == source_keys
        for content, key in zip(ATTACHMENTS, filled, strict=True):
            assert hashlib.sha256(storage.read(key)).hexdigest() == key
            assert storage.read(key) == content
    assert (tmp_path / "restored" / "uploads" / filled[0][:2] / filled[0][2:4] / filled[0]).is_file()


def test_restore_refuses_a_database_that_is_not_empty(app, filled, tmp_path):
    archive = tmp_path / "consult.tar.gz"
    assert run(app, "backup", str(archive)).exit_code == 0
    before = rows(app)
    result = run(app, "restore", str(archive))
    assert result.exit_code == 1
    assert "is not empty" in result.output
    assert "Restore only into an empty database" in result.output
    assert rows(app) == before


def test_a_backup_into_a_folder_gets_a_dated_name_and_never_overwrites(app, filled, tmp_path):
    result = run(app, "backup", str(tmp_path))
    assert result.exit_code == 0, result.output
    [archive] = tmp_path.glob("consult-backup-*.tar.gz")
    again = run(app, "backup", str(archive))
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert not list(tmp_path.glob("*.partial"))


def test_a_damaged_archive_is_refused_with_a_clear_message(make_app, tmp_path, empty_database_url):
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(b"\x1f\x8b\x08\x00 this is not a backup")
    restored = make_app({"SECRET_KEY": "restore-test-secret-key", "SQLALCHEMY_DATABASE_URI": empty_database_url,
                         "CONSULT_DATA_DIR": str(tmp_path / "restored")})
    result = run(restored, "restore", str(damaged))
    assert result.exit_code == 1
    assert "damaged, truncated or not a consult backup" in result.output
    with restored.app_context(), db.engine.connect() as conn:
        assert inspect(conn).get_table_names() == []


def test_a_file_whose_content_does_not_match_its_name_is_refused(app, make_app, filled, tmp_path,
                                                               empty_database_url):
    archive = tmp_path / "consult.tar.gz"
    assert run(app, "backup", str(archive)).exit_code == 0
    forged = tmp_path / "forged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(forged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("files/") and member.name.endswith(filled[2]):
                data = b"tampered" + data[8:]
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    restored = make_app({"SECRET_KEY": "restore-test-secret-key", "SQLALCHEMY_DATABASE_URI": empty_database_url,
                         "CONSULT_DATA_DIR": str(tmp_path / "restored")})
    result = run(restored, "restore", str(forged))
    assert result.exit_code == 1
    assert "is damaged: its content does not match its name" in result.output
    assert "drop it and create it again, empty" in result.output  # the dump went in before the files


def test_the_manifest_names_the_database_revision(app, filled, tmp_path):
    # The suite builds its schema with create_all(); a migrated database has an alembic_version table.
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
        conn.execute(text("INSERT INTO alembic_version VALUES ('0001')"))
    try:
        archive = tmp_path / "consult.tar.gz"
        result = run(app, "backup", str(archive))
        assert "database revision 0001" in result.output
        with tarfile.open(archive) as tar:
            assert json.load(tar.extractfile("manifest.json"))["alembic_revision"] == "0001"
    finally:
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE alembic_version"))


def test_a_backup_of_the_demo_restores_with_everything_in_it(app, make_app, tmp_path, empty_database_url):
    seeded = run(app, "seed-demo")
    assert seeded.exit_code == 0, seeded.output
    get_storage().put_bytes("Mémoire de la Table de concertation en habitation".encode())
    summary_id, title = _the_published_summary(app)
    source = rows(app)
    assert source["users"] and source["establishments"] and source["organizations"]
    assert source["summaries"] and source["briefs"] and source["brief_attachments"]
    archive = tmp_path / "demo.tar.gz"
    assert run(app, "backup", str(archive)).exit_code == 0
    restored = make_app({"SECRET_KEY": "restore-test-secret-key", "SQLALCHEMY_DATABASE_URI": empty_database_url,
                         "CONSULT_DATA_DIR": str(tmp_path / "restored")})
    result = run(restored, "restore", str(archive))
    assert result.exit_code == 0, result.output
    assert rows(restored) == source
    with app.app_context():
        source_keys = set(get_storage().keys())
    with restored.app_context():
        assert set(get_storage().keys()) == source_keys
        from consult.summaries.models import Summary, SummaryState

        restored_summary = db.session.get(Summary, summary_id)
        assert restored_summary.state is SummaryState.published and restored_summary.content["title"] == title


def _the_published_summary(app) -> tuple[int, str]:
    """The demo's published consultation summary (seed-demo compiles and publishes one)."""
    from consult.summaries.models import Summary, SummaryState

    with app.app_context():
        summary = db.session.scalar(select(Summary).where(Summary.state == SummaryState.published))
        assert summary is not None, "seed-demo publishes a summary of the closed demo round"
        return summary.id, summary.content["title"]
