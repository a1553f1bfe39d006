"""A service process refuses to start with the repository's well-known secret unless
the development flag says so, and without its own token signing key (issue 11 point
14): `nameko run` as a deployment starts it, on a real RabbitMQ vhost."""
import os
import subprocess
import sys
import time

import pytest

from services.launcher import CONFIG, ROOT
from tests.token_keys import KEYS_DIR


def start_notify(amqp_uri, tmp_path, **env_changes):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("EOFFICE_") and k not in ("SECRET_KEY",)}
    env.update(AMQP_URI=amqp_uri, EOFFICE_DATA_DIR=str(tmp_path / "data"),
               WEB_SERVER_ADDRESS="127.0.0.1:0", LOG_LEVEL="INFO", **env_changes)
    log = open(tmp_path / "notify.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "nameko", "run", "--config", CONFIG,
         "services.notify.service:NotifyService"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return process


def outcome(process, tmp_path, seconds=20):
    """The exit code, or None if it was still running after ``seconds``."""
    try:
        code = process.wait(seconds)
    except subprocess.TimeoutExpired:
        code = None
        process.terminate()
        process.wait(15)
    return code, (tmp_path / "notify.log").read_text(errors="replace")


@pytest.mark.parametrize("dev_mode", ["", "false"])
def test_a_service_with_the_default_secret_does_not_start(amqp_uri, tmp_path, dev_mode):
    extra = {"EOFFICE_DEV_MODE": dev_mode} if dev_mode else {}
    code, log = outcome(start_notify(amqp_uri, tmp_path, EOFFICE_KEYS_DIR=KEYS_DIR, **extra),
                        tmp_path)
    assert code not in (None, 0)
    assert "EOFFICE_SECRET_KEY is the well-known development default" in log


def test_the_development_flag_allows_the_default_secret(amqp_uri, tmp_path):
    process = start_notify(amqp_uri, tmp_path, EOFFICE_KEYS_DIR=KEYS_DIR,
                           EOFFICE_DEV_MODE="true")
    time.sleep(6)
    code, log = outcome(process, tmp_path, seconds=0.1)
    assert code is None, log


def test_a_service_without_its_signing_key_does_not_start(amqp_uri, tmp_path):
    code, log = outcome(start_notify(amqp_uri, tmp_path,
                                     EOFFICE_SECRET_KEY="a-random-secret-" + "7" * 32,
                                     EOFFICE_KEYS_DIR=str(tmp_path / "no-keys")), tmp_path)
    assert code not in (None, 0)
    assert "no signing key for notify" in log
