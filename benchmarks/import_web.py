"""A village's import through the web, as an officer's browser does it: the portal served by
`runserver` and the task worker (`db_worker`) as `make run` starts them, an officer who logs
in, uploads the file, watches the page poll (every 500 ms, as the import page's htmx does)
until the preview is there, confirms, and watches again until the batch is written.

Used by benchmarks/import_households.py (`village_preview_s`, `village_commit_s`): the times
are from the click to the moment the page shows the result, polling included.
"""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from desmigratif.management.commands.run_portal import WORKER_INTERVAL  # the worker as `make run` starts it

POLL_SECONDS = 0.5  # the import page's hx-trigger


@dataclass
class Flow:
    preview_s: float
    commit_s: float
    progress_seen: list[int] = field(default_factory=list)


class Browser:
    """Cookies, CSRF and one keep-alive connection to the portal."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None) -> tuple[int, str, str]:
        headers = {"Host": f"127.0.0.1:{self.port}", "Accept-Language": "id", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers.setdefault("Origin", f"http://127.0.0.1:{self.port}")
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for raw in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = raw.partition("=")
            self.cookies[name.strip()] = rest.split(";")[0]
        return response.status, response.headers.get("Location", ""), text

    def csrf(self) -> str:
        return self.cookies.get("csrftoken", "")

    def form_post(self, path: str, fields: dict[str, str]) -> tuple[int, str, str]:
        body = urlencode({**fields, "csrfmiddlewaretoken": self.csrf()}).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def file_post(self, path: str, name: str, data: bytes) -> tuple[int, str, str]:
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{self.csrf()}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: text/csv\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return self.request("POST", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})


def _wait_until_up(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the portal did not start")


def start_portal(env: dict[str, str], port: int, log: Path) -> list[subprocess.Popen]:
    manage = [sys.executable, str(Path(__file__).resolve().parent.parent / "manage.py")]
    with log.open("ab") as out:
        server = subprocess.Popen(  # noqa: S603 - our own manage.py
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"], env=env, stdout=out, stderr=out
        )
        worker = subprocess.Popen(  # noqa: S603 - our own manage.py
            [*manage, "db_worker", "--no-reload", "--no-startup-delay", "--interval", WORKER_INTERVAL],
            env=env,
            stdout=out,
            stderr=out,
        )
    _wait_until_up(port, time.monotonic() + 60)
    return [server, worker]


def _until_done(browser: Browser, detail: str) -> tuple[str, list[int]]:
    """Poll the batch's part of the page as htmx does until no step runs; its last HTML."""
    seen = []
    while True:
        _status, _location, html = browser.request("GET", detail, headers={"HX-Request": "true"})
        if (match := re.search(r'<progress[^>]*value="(\d+)"', html)) is not None:
            seen.append(int(match.group(1)))
        if "hx-trigger" not in html:
            return html, seen
        time.sleep(POLL_SECONDS)


def village_flow(port: int, username: str, password: str, data: bytes, urls: dict[str, str]) -> Flow:
    """Log in, upload ``data``, wait for the preview, confirm (valid rows only), wait for the write."""
    browser = Browser(port)
    browser.request("GET", urls["login"])
    status, _location, _html = browser.form_post(urls["login"], {"username": username, "password": password})
    if status != 302:
        raise SystemExit(f"login failed ({status})")
    browser.request("GET", urls["import"])
    started = time.perf_counter()
    status, detail, html = browser.file_post(urls["import"], "desa.csv", data)
    if status != 302:
        raise SystemExit(f"upload refused ({status}): {html[:500]}")
    html, seen = _until_done(browser, detail)
    preview = time.perf_counter() - started
    if "Orang yang akan dibuat" not in html:
        raise SystemExit(f"no preview on the page: {html[:800]}")
    started = time.perf_counter()
    status, _location, _html = browser.form_post(detail.rstrip("/") + "/simpan/", {"mode": "valid"})
    html, seen_writing = _until_done(browser, detail)
    written = time.perf_counter() - started
    if "data ditulis" not in html:
        raise SystemExit(f"the batch was not written: {html[:800]}")
    return Flow(preview_s=preview, commit_s=written, progress_seen=seen + seen_writing)
