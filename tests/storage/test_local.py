"""The local-folder storage: content digests as keys, stored once, never overwritten, nothing half-written."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import threading
from pathlib import Path

import pytest
from flask_babel import force_locale

from consult.storage import FileTooLarge, NotFound, StorageError, get_storage
from consult.storage.local import LocalStorage

PDF = b"%PDF-1.7\n" + "Mémoire du Regroupement des organismes communautaires\n".encode() * 2000


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "uploads", max_bytes=1024 * 1024)


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_a_file_is_stored_under_its_digest_and_read_back(storage):
    key = storage.put(io.BytesIO(PDF))
    assert key == hashlib.sha256(PDF).hexdigest()
    assert (storage.root / key[:2] / key[2:4] / key).read_bytes() == PDF
    assert storage.exists(key)
    assert storage.size(key) == len(PDF)
    with storage.open(key) as handle:
        assert handle.read() == PDF
    assert list(storage.keys()) == [key]
    assert leftovers(storage.root / ".tmp") == []


def test_the_same_content_is_stored_once_and_never_rewritten(storage):
    key = storage.put(io.BytesIO(PDF))
    path = storage.root / key[:2] / key[2:4] / key
    before = path.stat()
    assert storage.put(io.BytesIO(PDF)) == key
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert len(leftovers(storage.root)) == 1


def test_two_hosts_storing_the_same_file_at_once_end_with_one_copy(storage):
    keys: list[str] = []
    threads = [threading.Thread(target=lambda: keys.append(storage.put(io.BytesIO(PDF)))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(keys) == {hashlib.sha256(PDF).hexdigest()}
    assert len(leftovers(storage.root)) == 1


def test_a_file_over_the_limit_is_refused_while_it_streams_and_leaves_nothing(storage):
    class Endless(io.RawIOBase):
        """A client that would send forever: the limit must stop reading, not the end of the stream."""

        read_bytes = 0

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            self.read_bytes += 1024 * 1024
            return b"x" * (1024 * 1024)

    endless = Endless()
    with pytest.raises(FileTooLarge) as refused:
        storage.put(endless)
    with force_locale("en_CA"):
        assert str(refused.value.message) == "The file is larger than the limit of 1 MB."
    assert endless.read_bytes <= 2 * 1024 * 1024
    assert leftovers(storage.root) == []
    assert storage.put(io.BytesIO(b"small"), max_bytes=5)  # exactly at the limit is fine


def test_a_full_disk_gives_a_clear_error_and_leaves_nothing(storage, monkeypatch):
    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(StorageError) as failed:
        storage.put(io.BytesIO(PDF))
    with force_locale("en_CA"):
        assert str(failed.value.message).startswith("The storage space for files is full.")
    assert "storage full" in str(failed.value)
    assert leftovers(storage.root) == []
    assert not storage.exists(hashlib.sha256(PDF).hexdigest())


def test_a_stream_that_breaks_midway_leaves_nothing(storage):
    class Broken(io.RawIOBase):
        sent = False

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            if self.sent:
                raise OSError(errno.ECONNRESET, "connection reset by peer")
            self.sent = True
            return b"first part"

    with pytest.raises(StorageError):
        storage.put(Broken())
    assert leftovers(storage.root) == []


def test_keys_that_are_not_digests_never_reach_the_filesystem(storage, tmp_path):
    (tmp_path / "secret").write_text("not for you")
    for key in ("../secret", "../../secret", "/etc/passwd", "A" * 64, "abc", "", None):
        assert not storage.exists(key)
        with pytest.raises(NotFound):
            storage.open(key)
    with pytest.raises(NotFound):
        storage.size("0" * 64)


def test_delete_removes_the_file_and_is_quiet_when_it_is_gone(storage):
    key = storage.put(io.BytesIO(PDF))
    storage.delete(key)
    assert not storage.exists(key)
    storage.delete(key)
    assert list(storage.keys()) == []


def test_the_app_stores_in_the_data_folder_by_default(make_app, tmp_path):
    app = make_app({"SECRET_KEY": "storage-test-secret-key", "CONSULT_DATA_DIR": str(tmp_path / "data")})
    with app.app_context():
        key = get_storage().put_bytes(b"annexe")
        assert (tmp_path / "data" / "uploads" / key[:2] / key[2:4] / key).read_bytes() == b"annexe"


def test_a_shared_path_is_used_by_every_app_that_names_it(make_app, tmp_path):
    shared = tmp_path / "nfs" / "consult-files"
    web = make_app({"SECRET_KEY": "storage-test-secret-key", "CONSULT_DATA_DIR": str(tmp_path / "web")},
                   env={"CONSULT_STORAGE_PATH": str(shared)})
    worker = make_app({"SECRET_KEY": "storage-test-secret-key", "CONSULT_DATA_DIR": str(tmp_path / "worker")},
                      env={"CONSULT_STORAGE_PATH": str(shared)})
    with web.app_context():
        key = get_storage().put_bytes(PDF)
    with worker.app_context():
        assert get_storage().read(key) == PDF
