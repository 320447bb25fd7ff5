"""Files in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, Garage, …) under <prefix>ab/cd/<sha256>.

The content is spooled to a temporary file while it is hashed and measured, because the key is its digest;
it is uploaded only once complete, so a failed upload leaves no object behind (S3 writes are atomic).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any, BinaryIO

from flask_babel import lazy_gettext as _l

from consult.storage.base import Digesting, NotFound, Storage, StorageError, check_key, fan_out, is_key

SPOOL_IN_MEMORY = 8 * 1024 * 1024


def _unavailable(exc: Exception) -> StorageError:
    return StorageError(_l("The file storage is unavailable. Nothing was saved; please try again later."),
                        detail=f"S3 storage failed: {exc}")


class _Body:
    """A botocore streaming body as a closable binary file object."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def read(self, size: int = -1) -> bytes:
        return self._body.read() if size is None or size < 0 else self._body.read(size)

    def close(self) -> None:
        self._body.close()

    def __enter__(self) -> _Body:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class S3Storage(Storage):
    def __init__(self, *, bucket: str, prefix: str = "", endpoint_url: str | None = None,
                 region: str | None = None, access_key: str | None = None, secret_key: str | None = None,
                 max_bytes: int, client: Any = None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.max_bytes = max_bytes
        if client is None:
            import boto3
            from botocore.config import Config

            client = boto3.client(
                "s3", endpoint_url=endpoint_url or None, region_name=region or None,
                aws_access_key_id=access_key or None, aws_secret_access_key=secret_key or None,
                # Bounded waits, so a bucket that is down fails a request instead of hanging it.
                config=Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3}),
            )
        self.client = client
        from botocore.exceptions import BotoCoreError, ClientError

        self._errors: tuple[type[Exception], ...] = (BotoCoreError, ClientError)

    def object_key(self, key: str) -> str:
        return self.prefix + fan_out(check_key(key))

    def _missing(self, exc: Exception) -> bool:
        code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
        return code in {"404", "NoSuchKey", "NotFound"}

    def put(self, stream: BinaryIO, *, max_bytes: int | None = None) -> str:
        reader = Digesting(stream, max_bytes or self.max_bytes)
        try:
            with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
                for chunk in reader.chunks():
                    spool.write(chunk)
                key = reader.key
                if self.exists(key):
                    return key  # stored once, never overwritten
                spool.seek(0)
                self.client.upload_fileobj(spool, self.bucket, self.object_key(key),
                                           ExtraArgs={"ContentType": "application/octet-stream"})
                return key
        except OSError as exc:  # the local spool itself could not be written
            raise StorageError(_l("The file could not be saved. Nothing was kept; please try again."),
                               detail=f"spooling failed: {exc}") from exc
        except self._errors as exc:
            raise _unavailable(exc) from exc

    def open(self, key: str) -> BinaryIO:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.object_key(key))
        except self._errors as exc:
            if self._missing(exc):
                raise NotFound(key) from None
            raise _unavailable(exc) from exc
        return _Body(response["Body"])  # type: ignore[return-value]

    def _head(self, key: str) -> dict | None:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=self.object_key(key))
        except self._errors as exc:
            if self._missing(exc):
                return None
            raise _unavailable(exc) from exc

    def exists(self, key: str) -> bool:
        return is_key(key) and self._head(key) is not None

    def size(self, key: str) -> int:
        head = self._head(key)
        if head is None:
            raise NotFound(key)
        return int(head["ContentLength"])

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.object_key(key))
        except self._errors as exc:
            if not self._missing(exc):
                raise _unavailable(exc) from exc

    def keys(self) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
                for item in page.get("Contents", []):
                    name = item["Key"].rsplit("/", 1)[-1]
                    if is_key(name) and item["Key"] == self.prefix + fan_out(name):
                        yield name
        except self._errors as exc:
            raise _unavailable(exc) from exc
