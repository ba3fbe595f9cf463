"""Browser-test fixtures: a real uvicorn on loopback, and Debian's headless Chromium.

The server runs as a subprocess on a fresh port with a temporary, migrated SQLite database; the
browser is driven by Playwright for Python (Playwright waits for elements by itself and records
screenshots, and it drives the distribution's Chromium, so nothing is downloaded).
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from service import users
from service.domain.enums import Role
from service.store.db import make_engine, make_session_factory, session_scope
from service.store.migrate import upgrade

CHROMIUM = Path(os.environ.get("HERALD_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives headless Chromium (select with -m browser)")


@dataclass
class LiveServer:
    """A running Herald: its base URL and a token per role."""

    url: str
    tokens: dict[Role, str]

    def api(self, role: Role) -> httpx.Client:
        """An API client for `role`."""
        headers = {"Authorization": f"Bearer {self.tokens[role]}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Herald under uvicorn on 127.0.0.1, fresh SQLite, delivery and scoring workers in process."""
    folder = tmp_path_factory.mktemp("live")
    db_url = f"sqlite:///{folder / 'herald.db'}"
    upgrade(db_url)
    engine = make_engine(db_url)
    with session_scope(make_session_factory(engine)) as session:
        tokens = {
            role: users.create_user(session, f"{role.value}-user", role, actor="test").token
            for role in Role
        }
    engine.dispose()
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "HERALD_CONSOLE_SECRET": "browser-test-secret",
        "HERALD_FEED_INTERVAL_S": "1",
        "HERALD_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    log = (folder / "server.log").open("w")
    command = [sys.executable, "-m", "uvicorn", "--factory", "service.app:create_app"]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {(folder / 'server.log').read_text()}")
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not become healthy within 60 s")
            time.sleep(0.2)
        yield LiveServer(url=url, tokens=tokens)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


# Package scope, not session: sync Playwright keeps an event loop running on the main thread
# while it is open, which would break later tests that call asyncio.run().
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium (`make browser-deps` installs it); never a downloaded browser."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (apt-get install chromium)")
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield launched
    launched.close()


def shot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as a test artifact."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Page, server: LiveServer, role: Role) -> None:
    """Sign in through the form, as a person would."""
    page.goto(f"{server.url}/console/login")
    page.get_by_label("API token").fill(server.tokens[role])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.url}/console")
