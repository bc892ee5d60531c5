"""A real Celery worker against Redis executes a task (not eagerly)."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from celery import Celery

from apps.core.tasks import worker_identity_task

pytestmark = pytest.mark.worker
REDIS_URL = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/15"
ROOT = Path(__file__).resolve().parents[2]


def _redis_reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_worker():
    if not _redis_reachable(REDIS_URL):
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Redis at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    env = {**os.environ, "CELERY_BROKER_URL": REDIS_URL, "CELERY_RESULT_BACKEND": REDIS_URL,
           "DJANGO_SETTINGS_MODULE": "eldercare.settings", "DEBUG": "true"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "eldercare", "worker", "--pool=solo",
         "--loglevel=WARNING", "-Q", "worker-test", "--without-heartbeat", "--without-gossip",
         "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        yield worker
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_a_real_worker_runs_the_task(redis_worker):
    # when a task is sent through Redis
    started = time.monotonic()
    sender = Celery("worker-test", broker=REDIS_URL, backend=REDIS_URL)
    result = sender.send_task(worker_identity_task.name, queue="worker-test")
    # then another process executed it, not this one and not eagerly
    answer = result.get(timeout=60)
    assert answer["pid"] != os.getpid()
    assert answer["pid"] == redis_worker.pid
    assert answer["eager"] is False
    assert time.monotonic() - started < 60
