"""Files in a folder: <root>/ab/cd/<sha256>. The folder may be a mount shared by every web and worker host
(NFS, CephFS, …): writes go to a temporary file in <root>/.tmp on the same filesystem, then are linked into
place in one step, so a reader on any host sees the whole file or none of it."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from flask_babel import lazy_gettext as _l

from consult.storage.base import Digesting, NotFound, Storage, StorageError, check_key, fan_out, is_key

log = logging.getLogger("consult.storage")


def _failure(exc: OSError) -> StorageError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StorageError(_l("The storage space for files is full. Nothing was saved; please try again "
                               "later or tell the administrators."), detail=f"storage full: {exc}")
    return StorageError(_l("The file could not be saved. Nothing was kept; please try again."),
                        detail=f"storage write failed: {exc}")


class LocalStorage(Storage):
    def __init__(self, root: str | os.PathLike, *, max_bytes: int) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes
        self.tmp = self.root / ".tmp"

    def path(self, key: str) -> Path:
        return self.root / fan_out(check_key(key))

    def put(self, stream: BinaryIO, *, max_bytes: int | None = None) -> str:
        reader = Digesting(stream, max_bytes or self.max_bytes)
        tmp_name: str | None = None
        try:
            self.tmp.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=self.tmp, prefix="put-")
            with os.fdopen(fd, "wb") as out:
                for chunk in reader.chunks():
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())  # on disk before it has a name others can read
            os.chmod(tmp_name, 0o640)
            key = reader.key
            final = self.root / fan_out(key)
            final.parent.mkdir(parents=True, exist_ok=True)
            self._place(Path(tmp_name), final)
            return key
        except OSError as exc:
            raise _failure(exc) from exc
        finally:
            if tmp_name is not None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp_name)

    @staticmethod
    def _place(tmp: Path, final: Path) -> None:
        """Give the temporary file its final name without ever replacing an existing file."""
        if final.exists():
            return  # same digest, same bytes: stored once
        try:
            os.link(tmp, final)  # atomic, and fails rather than overwrite
        except FileExistsError:
            return  # another process stored the same content meanwhile
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise
            # A filesystem without hard links (some network shares): an atomic rename instead; a race can
            # then only replace the file with the very same bytes.
            os.replace(tmp, final)

    def open(self, key: str) -> BinaryIO:
        try:
            return self.path(key).open("rb")
        except FileNotFoundError:
            raise NotFound(key) from None
        except OSError as exc:
            raise StorageError(_l("The file could not be read. Please try again."),
                               detail=f"storage read failed: {exc}") from exc

    def exists(self, key: str) -> bool:
        return is_key(key) and self.path(key).is_file()

    def size(self, key: str) -> int:
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError:
            raise NotFound(key) from None

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(key).unlink()

    def keys(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for first in sorted(self.root.iterdir()):
            if len(first.name) != 2 or not first.is_dir():
                continue  # .tmp and anything that is not ours
            for second in sorted(first.iterdir()):
                if not second.is_dir():
                    continue
                for item in sorted(second.iterdir()):
                    if is_key(item.name) and item.name.startswith(first.name + second.name) and item.is_file():
                        yield item.name
