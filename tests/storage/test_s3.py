"""The S3-compatible storage, against a real S3 server (moto's) on loopback."""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Iterator

import pytest
from flask_babel import force_locale

from consult.config import ConfigError
from consult.storage import FileTooLarge, NotFound, StorageError, get_storage
from consult.storage.s3 import S3Storage
from tests.fixtures.services import free_port

pytestmark = pytest.mark.integration

BRIEF = "Mémoire sur le soutien à domicile des aînés\n".encode() * 5000
CREDENTIALS = {"CONSULT_S3_ACCESS_KEY": "consult-test", "CONSULT_S3_SECRET_KEY": "consult-test-secret",
               "CONSULT_S3_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_endpoint: str, request) -> str:
    import boto3

    name = f"consult-{request.node.name.replace('_', '-')[:40].lower()}-{time.monotonic_ns() % 10**6}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", aws_access_key_id="consult-test",
                 aws_secret_access_key="consult-test-secret").create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3_app(make_app, tmp_path, s3_endpoint, bucket):
    def build(name: str = "web", **env: str):
        return make_app({"SECRET_KEY": "storage-test-secret-key", "CONSULT_DATA_DIR": str(tmp_path / name)},
                        env={"CONSULT_STORAGE": "s3", "CONSULT_S3_BUCKET": bucket,
                             "CONSULT_S3_ENDPOINT_URL": s3_endpoint, "CONSULT_S3_PREFIX": "pieces-jointes",
                             "CONSULT_STORAGE_MAX_BYTES": str(1024 * 1024), **CREDENTIALS, **env})

    return build


def objects(app) -> list[str]:
    storage = app.extensions["storage"]
    listing = storage.client.list_objects_v2(Bucket=storage.bucket)
    return [item["Key"] for item in listing.get("Contents", [])]


def test_configuration_chooses_the_bucket(s3_app):
    app = s3_app()
    assert isinstance(app.extensions["storage"], S3Storage)


def test_a_file_is_stored_under_its_digest_and_read_back(s3_app):
    app = s3_app()
    with app.app_context():
        storage = get_storage()
        key = storage.put(io.BytesIO(BRIEF))
        assert key == hashlib.sha256(BRIEF).hexdigest()
        assert storage.exists(key)
        assert storage.size(key) == len(BRIEF)
        with storage.open(key) as handle:
            assert handle.read() == BRIEF
        assert list(storage.keys()) == [key]
    assert objects(app) == [f"pieces-jointes/{key[:2]}/{key[2:4]}/{key}"]


def test_the_same_content_is_uploaded_once(s3_app):
    app = s3_app()
    with app.app_context():
        storage = get_storage()
        key = storage.put(io.BytesIO(BRIEF))
        first = storage.client.head_object(Bucket=storage.bucket, Key=storage.object_key(key))
        assert storage.put(io.BytesIO(BRIEF)) == key
        again = storage.client.head_object(Bucket=storage.bucket, Key=storage.object_key(key))
    assert again["LastModified"] == first["LastModified"]
    assert again["ETag"] == first["ETag"]
    assert len(objects(app)) == 1


def test_a_worker_on_another_host_reads_what_the_web_app_stored(s3_app):
    web, worker = s3_app("web"), s3_app("worker")
    with web.app_context():
        key = get_storage().put_bytes(BRIEF)
    with worker.app_context():
        assert get_storage().read(key) == BRIEF


def test_a_file_over_the_limit_is_refused_and_nothing_is_uploaded(s3_app):
    app = s3_app()
    with app.app_context(), pytest.raises(FileTooLarge):
        get_storage().put(io.BytesIO(b"x" * (1024 * 1024 + 1)))
    assert objects(app) == []


def test_missing_files_and_bad_keys(s3_app):
    with s3_app().app_context():
        storage = get_storage()
        assert not storage.exists("0" * 64)
        with pytest.raises(NotFound):
            storage.open("0" * 64)
        with pytest.raises(NotFound):
            storage.size("../../etc/passwd")
        key = storage.put_bytes(b"annexe")
        storage.delete(key)
        storage.delete(key)
        assert not storage.exists(key)


def test_an_unreachable_bucket_is_a_clear_error_soon(make_app, tmp_path, bucket):
    app = make_app({"SECRET_KEY": "storage-test-secret-key", "CONSULT_DATA_DIR": str(tmp_path / "d")},
                   env={"CONSULT_STORAGE": "s3", "CONSULT_S3_BUCKET": bucket,
                        "CONSULT_S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}", **CREDENTIALS})
    started = time.monotonic()
    with app.app_context(), pytest.raises(StorageError) as failed:
        get_storage().put_bytes(BRIEF)
    assert time.monotonic() - started < 30
    with force_locale("en_CA"):
        assert str(failed.value.message).startswith("The file storage is unavailable.")


def test_s3_needs_a_bucket(make_app):
    with pytest.raises(ConfigError, match="CONSULT_S3_BUCKET"):
        make_app(env={"CONSULT_STORAGE": "s3"})
