"""Shared plumbing of the benchmarks: throwaway databases, a gunicorn server, results and tables.

Nothing here runs under ``make test``. Every benchmark works on its own database
(``var/bench.sqlite3`` or ``gridacademy_bench`` on PostgreSQL), never on the dev database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PY = sys.executable
SQLITE_PATH = ROOT / "var" / "bench.sqlite3"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/gridacademy_bench"
# Shared services the drills may touch: only these, only on 127.0.0.1.
PG_HOST = "127.0.0.1"
REDIS_URL_DEFAULT = "redis://127.0.0.1:6379/7"


# --- databases ---------------------------------------------------------------------------------


def pg_url(name: str | None = None) -> str:
    """A PostgreSQL URL for a benchmark database: BENCH_PG_URL, else DATABASE_URL's server
    with the database renamed (never the dev/CI database itself), else the local default."""
    base = os.environ.get("BENCH_PG_URL")
    if not base:
        env_url = os.environ.get("DATABASE_URL", "")
        if env_url.startswith(("postgres://", "postgresql://")):
            parts = urlsplit(env_url)
            base = urlunsplit(parts._replace(path="/gridacademy_bench"))
        else:
            base = DEFAULT_PG
    if name:
        parts = urlsplit(base)
        base = urlunsplit(parts._replace(path=f"/{name}"))
    return base


def default_db_url() -> str:
    """SQLite by default; PostgreSQL (a bench database on that server) when DATABASE_URL is."""
    env_url = os.environ.get("DATABASE_URL", "")
    if env_url.startswith(("postgres://", "postgresql://")):
        return pg_url()
    return f"sqlite:///{SQLITE_PATH}"


def is_pg(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def pg_available(url: str | None = None) -> bool:
    parts = urlsplit(url or pg_url())
    try:
        with socket.create_connection((parts.hostname or PG_HOST, parts.port or 5432), 2):
            return True
    except OSError:
        return False


def _pg_admin(url: str):
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    return psycopg.connect(admin, autocommit=True), parts.path.lstrip("/")


def recreate_database(url: str) -> None:
    """Drop and create the throwaway benchmark database."""
    if is_pg(url):
        name = urlsplit(url).path.lstrip("/")
        if not name.startswith(("gridacademy_bench", "ga_bench")):
            raise SystemExit(
                f"refusing to drop {name!r}: benchmark databases are gridacademy_bench*"
            )
        conn, name = _pg_admin(url)
        with conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)


# --- environment ------------------------------------------------------------------------------


def bench_env(db_url: str, **extra: str) -> dict[str, str]:
    """Environment of every benchmark process: production-like settings (bench.settings)."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": db_url,
            "SECRET_KEY": env.get("BENCH_SECRET_KEY", "bench-only-" + "k3y" * 20),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SECURE_SSL_REDIRECT": "False",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(extra)
    return env


def setup_django(db_url: str, **extra: str) -> None:
    """Configure Django in this process against the benchmark database."""
    os.environ.update(bench_env(db_url, **extra))
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def manage(db_url: str, *args: str, env_extra: dict | None = None, quiet: bool = True) -> None:
    out = subprocess.DEVNULL if quiet else None
    subprocess.run(
        [PY, str(ROOT / "manage.py"), *args],
        env=bench_env(db_url, **(env_extra or {})),
        cwd=ROOT,
        check=True,
        stdout=out,
    )


# --- gunicorn --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn (sync workers) serving bench.ceiling_wsgi on 127.0.0.1."""

    def __init__(self, db_url: str, *, workers: int = 2, port: int | None = None, **env_extra):
        self.db_url = db_url
        self.workers = workers
        self.port = port or free_port()
        self.env_extra = env_extra
        self.proc: subprocess.Popen | None = None
        self.log = RESULTS / f"gunicorn-{self.port}.log.tmp"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        env = bench_env(self.db_url, **self.env_extra)
        self.proc = subprocess.Popen(
            [
                str(Path(PY).parent / "gunicorn"),
                "bench.ceiling_wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--worker-class",
                "sync",
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
                "--backlog",
                "2048",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            try:
                with urllib.request.urlopen(self.base + "/__ceiling__", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        out = subprocess.run(
            ["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True, check=False
        ).stdout
        return [int(p) for p in out.split()]

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# --- results ---------------------------------------------------------------------------------


def machine() -> dict:
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0, 0, 0)
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_mb": mem_kb // 1024,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in load],
    }


def write_result(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {
        "benchmark": name,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        **data,
    }
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")
    return path


def table(headers: list[str], rows: list[list]) -> str:
    cells = [[str(h) for h in headers]] + [[fmt(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, r in enumerate(cells):
        lines.append(
            "  ".join(
                c.rjust(w) if n and i else c.ljust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return str(value)


def percentile(sorted_values: list[float], p: float) -> float | None:
    if not sorted_values:
        return None
    k = (len(sorted_values) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def have(cmd: str) -> bool:
    return shutil.which(cmd) is not None


# --- Celery and Redis --------------------------------------------------------------------------


def redis_url() -> str:
    return os.environ.get("BENCH_REDIS_URL", REDIS_URL_DEFAULT)


def redis_available(url: str | None = None) -> bool:
    parts = urlsplit(url or redis_url())
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class CeleryWorker:
    """``celery -A lms worker`` against the benchmark database and broker."""

    def __init__(self, db_url: str, broker: str, *, concurrency: int = 1, name: str = "bench"):
        self.db_url = db_url
        self.broker = broker
        self.concurrency = concurrency
        self.name = name
        self.proc: subprocess.Popen | None = None
        self.log = RESULTS / f"celery-{name}.log.tmp"

    def start(self) -> CeleryWorker:
        env = bench_env(self.db_url, CELERY_BROKER_URL=self.broker)
        self.proc = subprocess.Popen(
            [
                str(Path(PY).parent / "celery"),
                "-A",
                "lms",
                "worker",
                "--loglevel",
                "warning",
                "--concurrency",
                str(self.concurrency),
                "--pool",
                "prefork",
                "--hostname",
                f"{self.name}-{os.getpid()}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            env=env,
            cwd=ROOT,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def pids(self) -> list[int]:
        """The main process and its pool children."""
        if self.proc is None:
            return []
        out = subprocess.run(
            ["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True, check=False
        ).stdout
        return [self.proc.pid, *(int(p) for p in out.split())]

    def kill9(self) -> None:
        """kill -9 the worker and its pool children (a crashed machine, not a shutdown)."""
        for pid in self.pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.kill9()

    def __enter__(self) -> CeleryWorker:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
