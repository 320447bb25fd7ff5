"""Attachments through one storage interface: a local folder (the default, or a mount shared by every
host) or an S3-compatible bucket, chosen by configuration. Files are stored under their SHA-256 digest and
never overwritten, so a web host and a worker on another host read the same bytes by the same key."""

from __future__ import annotations

from flask import Flask, current_app

from consult.storage.base import FileTooLarge, NotFound, Storage, StorageError, is_key

__all__ = ["FileTooLarge", "NotFound", "Storage", "StorageError", "build", "get_storage", "init_app", "is_key"]


def build(config) -> Storage:
    """The backend named by CONSULT_STORAGE, from a Flask config mapping."""
    if config["CONSULT_STORAGE"] == "s3":
        from consult.storage.s3 import S3Storage

        return S3Storage(
            bucket=config["CONSULT_S3_BUCKET"], prefix=config["CONSULT_S3_PREFIX"],
            endpoint_url=config["CONSULT_S3_ENDPOINT_URL"], region=config["CONSULT_S3_REGION"],
            access_key=config["CONSULT_S3_ACCESS_KEY"], secret_key=config["CONSULT_S3_SECRET_KEY"],
            max_bytes=config["CONSULT_STORAGE_MAX_BYTES"],
        )
    from pathlib import Path

    from consult.storage.local import LocalStorage

    root = config["CONSULT_STORAGE_PATH"] or str(Path(config["CONSULT_DATA_DIR"]) / "uploads")
    return LocalStorage(root, max_bytes=config["CONSULT_STORAGE_MAX_BYTES"])


def init_app(app: Flask) -> None:
    app.extensions["storage"] = build(app.config)


def get_storage() -> Storage:
    """The current app's storage (web request, task or command)."""
    return current_app.extensions["storage"]
