"""The portal served as in production, for the benchmarks and the tests that measure it:
``collectstatic`` into a scratch STATIC_ROOT, then gunicorn with DEBUG=0 (and, when asked, the
task worker) on a given database, over plain HTTP on the loopback."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the database the connection points at, socket directory included."""
    user = quote(settings_dict["USER"] or "", safe="")
    password = quote(settings_dict["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host, port_number = settings_dict["HOST"] or "", settings_dict["PORT"] or ""
    if not host and settings_dict["ENGINE"] == "desmigratif.embedded_db":
        # The embedded server says where it listens only once started (its socket directory).
        from django.conf import settings

        from desmigratif import embedded_postgres

        host, port_number = embedded_postgres.socket_and_port(settings.BASE_DIR)
    if host.startswith("/"):
        host = quote(host, safe="")  # a socket directory, as dj-database-url reads it
    elif ":" in host:
        host = f"[{host}]"
    port = f":{port_number}" if port_number else ""
    options = {key: str(value) for key, value in settings_dict["OPTIONS"].items() if key != "connect_timeout"}
    query = f"?{urlencode(options)}" if options else ""
    return f"postgres://{credentials}{host}{port}/{quote(settings_dict['NAME'], safe='')}{query}"


def production_env(url: str, static_root: str) -> dict[str, str]:
    drop = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CSRF_TRUSTED_ORIGINS", "SECURE_PROXY_SSL_HEADER"}
    env = {key: value for key, value in os.environ.items() if key not in drop and not key.startswith("BENCH_")}
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": url,
            "DATABASE_REPLICA_URLS": "",
            # Plain HTTP on the loopback: no redirect to HTTPS, cookies sent without TLS.
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "STATIC_ROOT": static_root,
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


MISSING_FILE = re.compile(r"The file '([^']+)' could not be found")


def collect_static(env: dict[str, str], scratch: Path) -> list[str]:
    """``collectstatic`` as production runs it. When it fails on a file that a vendored asset
    names but the repository lacks (a source map), collect again from a copy of ``static/``
    with an empty stand-in for it, so that the load can still be measured; the serving
    settings stay the production ones. Returns the stand-ins (empty when none were needed)."""
    command = [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"]
    stand_ins: list[str] = []
    run_env = env
    for _attempt in range(10):
        result = subprocess.run(command, cwd=ROOT, env=run_env, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode == 0:
            return stand_ins
        missing = MISSING_FILE.search(result.stderr)
        if missing is None or missing.group(1) in stand_ins:
            raise SystemExit(f"collectstatic failed:\n{result.stderr[-3000:]}")
        if not stand_ins:
            sources = scratch / "static"
            shutil.copytree(ROOT / "static", sources)
            (scratch / "bench_collectstatic_settings.py").write_text(
                f"from desmigratif.settings import *  # noqa: F403\nSTATICFILES_DIRS = [{str(sources)!r}]\n"
            )
            run_env = {
                **env,
                "DJANGO_SETTINGS_MODULE": "bench_collectstatic_settings",
                "PYTHONPATH": os.pathsep.join([str(scratch), str(ROOT)]),
            }
        stand_ins.append(missing.group(1))
        stand_in = scratch / "static" / missing.group(1)
        stand_in.parent.mkdir(parents=True, exist_ok=True)
        stand_in.write_text("{}" if stand_in.suffix == ".map" else "")
    raise SystemExit("collectstatic kept failing on missing files")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(port: int, server: subprocess.Popen, log: Path) -> None:
    import http.client

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            status = connection.getresponse().status
            connection.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer /healthz with 200 within 90 s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen | None, sig: int, grace: float) -> None:
    """Stop one process we started, by its id: ``sig`` first, SIGKILL after ``grace`` seconds."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@dataclass
class Served:
    port: int
    log: Path
    command: list[str]
    stand_ins: list[str]
    collect_s: float
    pids: dict[str, int | None] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.contextmanager
def served(url: str, *, workers: int = 2, threads: int = 1, task_worker: bool = False) -> Iterator[Served]:
    """gunicorn serving the portal on the database at ``url`` under production settings, until
    the block ends. Raises SystemExit with the server's log when it does not come up."""
    port = free_port()
    scratch = Path(tempfile.mkdtemp(prefix="desmigratif-served-"))
    env = production_env(url, str(scratch / "staticfiles"))
    log = scratch / "server.log"
    server = worker = None
    try:
        started = time.perf_counter()
        stand_ins = collect_static(env, scratch)
        collect_s = time.perf_counter() - started
        command = [sys.executable, "-m", "gunicorn", "desmigratif.wsgi", "--bind", f"127.0.0.1:{port}"]
        command += ["--workers", str(workers), "--timeout", "60"]
        if threads > 1:
            command += ["--threads", str(threads)]
        with log.open("w") as output:
            server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603
            if task_worker:
                worker = subprocess.Popen(
                    [sys.executable, "manage.py", "db_worker", "--no-reload"],
                    cwd=ROOT,
                    env=env,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                )
        wait_healthy(port, server, log)
        yield Served(
            port=port,
            log=log,
            command=command,
            stand_ins=stand_ins,
            collect_s=collect_s,
            pids={"gunicorn": server.pid, "task_worker": worker.pid if worker else None},
        )
    finally:
        stop(server, signal.SIGTERM, 30)
        stop(worker, signal.SIGINT, 15)
        shutil.rmtree(scratch, ignore_errors=True)
