"""`consult backup DEST` and `consult restore ARCHIVE`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from consult.ops import backup as backups
from consult.storage import StorageError


@click.command("backup")
@click.argument("dest", type=click.Path(path_type=Path))
@with_appcontext
def backup_command(dest: Path) -> None:
    """Write the database and every stored file to DEST (a .tar.gz file, or a folder to put one in)."""
    try:
        result = backups.backup(dest)
    except (backups.BackupError, StorageError) as exc:
        raise click.ClickException(str(exc)) from exc
    manifest = result.manifest
    rows = sum(manifest["tables"].values())
    click.echo(f"Backup written to {result.archive}: {len(manifest['tables'])} tables, {rows} rows, "
               f"{manifest['files']['count']} files ({manifest['files']['bytes']} bytes); "
               f"database revision {manifest['alembic_revision'] or 'none'}.")


@click.command("restore")
@click.argument("archive", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@with_appcontext
def restore_command(archive: Path) -> None:
    """Restore ARCHIVE (from `consult backup`) into the configured database, which must be empty, and into
    the configured file storage."""
    try:
        manifest = backups.restore(archive)
    except (backups.BackupError, StorageError) as exc:
        raise click.ClickException(str(exc)) from exc
    rows = sum(manifest["tables"].values())
    click.echo(f"Restored the backup of {manifest['created_at']} (consult {manifest['version']}): "
               f"{len(manifest['tables'])} tables, {rows} rows and {manifest['files']['count']} files, "
               "all checked against its manifest.")
    if manifest.get("alembic_revision"):
        click.echo(f"Database revision {manifest['alembic_revision']}: run `consult db upgrade` if this "
                   "version of consult is newer than the one that made the backup.")
