"""What the browser tests share: the app started on a free port (and stopped), Chromium's flags, and waiting for
Streamlit to settle, signing in with the demo picker and opening a page."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_app(
    env: Mapping[str, str], *, port: int, log_path: Path, host: str = "127.0.0.1", args: Sequence[str] = ()
) -> Iterator[str]:
    """``streamlit run app.py`` and its job worker (``python -m coaching worker``, as ``make run`` starts them) with
    ``env`` until the block ends; yields the app's address once it answers health."""
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    command += ["--server.port", str(port), "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    worker_command = [sys.executable, "-m", "coaching", "worker", "--poll-s", "0.5"]
    with log_path.open("w") as log, log_path.with_suffix(".worker.log").open("w") as worker_log:
        process = subprocess.Popen([*command, *args], cwd=ROOT, env=dict(env), stdout=log, stderr=subprocess.STDOUT)
        worker = subprocess.Popen(worker_command, cwd=ROOT, env=dict(env), stdout=worker_log, stderr=subprocess.STDOUT)
        url = f"http://{host}:{port}"
        try:
            deadline = time.time() + 60
            while True:
                try:
                    if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                        break
                except OSError:
                    pass
                if time.time() > deadline or process.poll() is not None:
                    raise AssertionError("the app did not start:\n" + log_path.read_text())
                time.sleep(0.5)
            yield url
        finally:
            process.terminate()
            worker.terminate()
            process.wait(timeout=20)
            worker.wait(timeout=20)


def settle(page: Page, timeout_ms: int = 30_000) -> None:
    page.wait_for_timeout(500)  # let the rerun an action asked for begin
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms)
    page.wait_for_function("!document.querySelector(\"[data-testid='stSkeleton']\")", timeout=timeout_ms)
    page.wait_for_timeout(300)


def sign_in(page: Page, name: str, user_id: str) -> None:
    """Pick ``name`` in the demo sign-in; the choice lives in the session only, never in the address."""
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").click()
    page.get_by_role("option", name=name).wait_for()
    page.wait_for_timeout(300)
    page.get_by_role("option", name=name).click()
    settle(page)
    chosen = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox")
    assert name in (chosen.text_content() or "") + " ".join(
        chosen.locator("input").evaluate_all("e => e.map(i => i.value)")
    )
    assert f"as={user_id}" not in page.url


def open_page(page: Page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    settle(page)
    page.get_by_role("heading", name=title, level=1).wait_for()
