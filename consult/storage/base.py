"""What every storage backend offers, and the errors it raises."""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import BinaryIO

from flask_babel import lazy_gettext as _l

CHUNK = 1024 * 1024
_KEY = re.compile(r"^[0-9a-f]{64}$")


class StorageError(Exception):
    """The storage could not keep or give back a file; `message` is fit to show a person."""

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(detail or str(message))
        self.message = message


class FileTooLarge(StorageError):
    def __init__(self, limit: int) -> None:
        super().__init__(_l("The file is larger than the limit of %(mb)s MB.", mb=round(limit / 1024 / 1024)),
                         detail=f"file larger than {limit} bytes")
        self.limit = limit


class NotFound(StorageError):
    def __init__(self, key: str) -> None:
        super().__init__(_l("The file is no longer available."), detail=f"no stored file {key}")
        self.key = key


def is_key(key: object) -> bool:
    """A key is a lower-case SHA-256 hex digest; anything else never reaches a path or a bucket."""
    return isinstance(key, str) and bool(_KEY.match(key))


def check_key(key: str) -> str:
    if not is_key(key):
        raise NotFound(str(key)[:80])
    return key


def fan_out(key: str) -> str:
    """ab/cd/abcd…: two levels of folders keep any one folder small."""
    return f"{key[:2]}/{key[2:4]}/{key}"


class Digesting:
    """Reads a stream in chunks, hashing and counting, and stops as soon as the size limit is passed."""

    def __init__(self, stream: BinaryIO, max_bytes: int) -> None:
        self.stream = stream
        self.max_bytes = max_bytes
        self.hash = hashlib.sha256()
        self.size = 0

    def chunks(self) -> Iterator[bytes]:
        while True:
            chunk = self.stream.read(CHUNK)
            if not chunk:
                return
            self.size += len(chunk)
            if self.size > self.max_bytes:
                raise FileTooLarge(self.max_bytes)
            self.hash.update(chunk)
            yield chunk

    @property
    def key(self) -> str:
        return self.hash.hexdigest()


class Storage(ABC):
    """Content-addressed file storage: put() returns the SHA-256 digest of what it stored."""

    max_bytes: int

    @abstractmethod
    def put(self, stream: BinaryIO, *, max_bytes: int | None = None) -> str:
        """Store what `stream` yields and return its key. The same content stored twice is kept once and
        never overwritten. Raises FileTooLarge past the limit, StorageError when the storage fails (a full
        disk, an unreachable bucket); in both cases nothing half-written remains."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A readable binary file object; close it after use. NotFound when there is no such file."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def size(self, key: str) -> int:
        """Size in bytes; NotFound when there is no such file."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the file if it is there (for erasure on request); nothing happens otherwise."""

    @abstractmethod
    def keys(self) -> Iterator[str]:
        """Every stored key (for backups and checks), in no particular order."""

    def read(self, key: str) -> bytes:
        with self.open(key) as handle:
            return handle.read()

    def put_bytes(self, data: bytes) -> str:
        import io

        return self.put(io.BytesIO(data))
