"""Real Celery workers for the fault tests: `celery -A config worker` subprocesses on the Redis broker and the
test's own PostgreSQL database, each consuming a queue of its own so that no other test's tasks interfere."""

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CELERY = ROOT / ".venv" / "bin" / "celery"


def database_url() -> str:
    """The test database (pytest-django's test_<name>) as a URL the worker's settings understand."""
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(condition, *, timeout: float, interval: float = 0.05, what: str = "condition"):
    """Poll `condition` until it returns something truthy (returned), or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


class Workers:
    """Starts, kills and stops worker processes; send() queues a task where they listen."""

    def __init__(self, broker_url: str, env: dict[str, str]):
        self.broker_url = broker_url
        self.queue = f"faults-{uuid.uuid4().hex[:12]}"
        self.env = env
        self.processes: list[subprocess.Popen] = []

    def start(self, **env: str) -> subprocess.Popen:
        command = [str(CELERY), "-A", "config", "worker", "--pool", "solo", "--queues", self.queue]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"]
        command += ["--hostname", f"{self.queue}-{len(self.processes)}@localhost"]
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": self.broker_url,
            **self.env,
            **env,
        }
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdin=subprocess.DEVNULL)
        self.processes.append(process)
        return process

    def send(self, task, *args) -> None:
        task.apply_async(args, queue=self.queue)

    def kill(self, process: subprocess.Popen) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def forget_queue(self) -> None:
        """Drop this test's queue and the unacknowledged tasks of killed workers (they would come back
        after the visibility timeout, into a queue nobody reads)."""
        import redis

        client = redis.Redis.from_url(self.broker_url)
        client.delete(self.queue, f"_kombu.binding.{self.queue}", f"_kombu.binding_permanent.{self.queue}")
        for tag, payload in client.hgetall("unacked").items():
            if self.queue.encode() in payload:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
        client.close()
