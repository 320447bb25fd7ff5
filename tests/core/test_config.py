"""The three configuration layers, and a malformed setting stopping the start with a clear message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from consult.config import ConfigError


@pytest.mark.parametrize(("name", "value"), [
    ("DATABASE_URL", "mysql://consult@localhost/consult"),
    ("DATABASE_URL", ""),
    ("REDIS_URL", "http://localhost:6379"),
    ("CONSULT_PAGE_SIZE", "abc"),
    ("CONSULT_PAGE_SIZE", "0"),
    ("CONSULT_MAIL_PORT", "-1"),
    ("CONSULT_MAIL_STARTTLS", "maybe"),
    ("CONSULT_ENV", "staging"),
    ("CONSULT_LOG_FORMAT", "xml"),
    ("CONSULT_BASE_URL", "consult.example.org"),
    ("CONSULT_SECRET_KEY", "short"),
])
def test_a_malformed_setting_stops_the_start_and_names_the_key(make_app, name, value):
    with pytest.raises(ConfigError, match=name):
        make_app(env={name: value})


def test_the_command_line_refuses_to_start_on_a_malformed_setting(tmp_path: Path):
    consult = Path(sys.executable).with_name("consult")
    command = [str(consult)] if consult.exists() else [sys.executable, "-m", "flask", "--app", "consult"]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CONSULT_PAGE_SIZE": "abc"}
    run = subprocess.run([*command, "routes"], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert "CONSULT_PAGE_SIZE must be a whole number, not 'abc'" in run.stderr.strip().splitlines()[-1]


def test_environment_beats_the_instance_file_which_beats_the_defaults(make_app):
    app = make_app(
        instance_config=(
            "CONSULT_PAGE_SIZE = 10\n"
            "CONSULT_MAIL_FROM = 'projet-clinique@cisss.example'\n"
            "REDIS_URL = 'redis://cache.cisss.example:6379/0'\n"
        ),
        env={"CONSULT_PAGE_SIZE": "40", "DATABASE_URL": "postgres://consult@db.cisss.example/consult"},
    )
    assert app.config["CONSULT_PAGE_SIZE"] == 40  # environment over instance/config.py
    assert app.config["CONSULT_MAIL_FROM"] == "projet-clinique@cisss.example"  # instance over default
    assert app.config["CONSULT_TOKEN_HOURS"] == 24  # default
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://consult@db.cisss.example/consult"
    assert app.extensions["celery"].conf.broker_url == "redis://cache.cisss.example:6379/0"
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://cache.cisss.example:6379/0"


def test_an_smtp_server_turns_the_outbox_page_off(make_app):
    app = make_app(env={"CONSULT_OUTBOX_PAGE": "1", "CONSULT_MAIL_SERVER": "smtp.cisss.example"})
    assert app.config["CONSULT_OUTBOX_PAGE"] is False


def test_development_drops_secure_cookies_only_there(make_app):
    assert make_app(env={"CONSULT_ENV": "development"}).config["SESSION_COOKIE_SECURE"] is False
    assert make_app(env={"CONSULT_ENV": "production"}).config["SESSION_COOKIE_SECURE"] is True


def test_with_nothing_set_it_runs_on_sqlite_and_the_filesystem_broker(make_app):
    app = make_app()
    instance = Path(app.instance_path)
    assert app.config["CONSULT_DATA_DIR"] == str(instance)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'consult.sqlite'}"
    celery = app.extensions["celery"].conf
    assert celery.broker_url == "filesystem://"
    assert celery.broker_transport_options["data_folder_in"] == str(instance / "broker" / "queue")
    assert (instance / "broker" / "queue").is_dir()
    assert celery.result_backend == f"file://{instance / 'broker' / 'results'}"
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert app.config["CONSULT_MAIL_SERVER"] is None
    assert (instance / "outbox").is_dir() and (instance / "uploads").is_dir()
    # A production start: secure cookies, and a secret generated for this installation.
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert len(app.config["SECRET_KEY"]) >= 32
    assert (instance / "secret_key").read_text() == app.config["SECRET_KEY"]


def test_the_generated_secret_survives_a_restart(make_app, tmp_path):
    first = make_app(instance=tmp_path / "instance")
    again = make_app(instance=tmp_path / "instance")
    elsewhere = make_app(instance=tmp_path / "other-instance")
    assert again.config["SECRET_KEY"] == first.config["SECRET_KEY"]  # sessions survive a restart
    assert elsewhere.config["SECRET_KEY"] != first.config["SECRET_KEY"]  # each installation has its own
