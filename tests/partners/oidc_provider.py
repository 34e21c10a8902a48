"""Start the loopback OpenID provider (`oidc-provider` from npm, see
scripts/setup.d/20-oidc-provider.sh) in its own process group, wait until it answers, and
kill the whole group afterwards. Start-up has a hard deadline: a provider that does not
answer fails (or skips, outside CI) instead of hanging the run."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("oidc") / "provider.mjs"
MODULE = Path(os.environ.get("OIDC_PROVIDER_DIR", ROOT / ".cache" / "oidc-provider")) \
    / "node_modules" / "oidc-provider" / "lib" / "index.js"
START_TIMEOUT_S = 20
CLIENT_ID = "mobility-test-client"
CLIENT_SECRET = "loopback-secret-not-for-production"


@dataclass
class OidcProvider:
    issuer: str
    process: subprocess.Popen
    accounts: dict = field(default_factory=dict)

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        if self.process.stdout:
            self.process.stdout.close()


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


def start_provider(tmp_path: Path, *, redirect_base: str, accounts: dict) -> OidcProvider:
    """A running provider whose client may come back to `redirect_base`."""
    node = shutil.which("node")
    if node is None or not MODULE.exists():
        _unavailable(f"oidc-provider not installed at {MODULE} (run bin/setup; needs npm)")
    config = tmp_path / "oidc-provider.json"
    config.write_text(json.dumps({
        "module": str(MODULE),
        "client": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                   "redirect_uris": [redirect_base + "/auth/proconnect/callback"],
                   "post_logout_redirect_uris": [redirect_base + "/auth/proconnect/signed-out"]},
        "accounts": accounts,
    }))
    process = subprocess.Popen([node, str(SCRIPT), str(config)], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               start_new_session=True, text=True)
    provider = OidcProvider(issuer="", process=process, accounts=accounts)
    deadline = time.monotonic() + START_TIMEOUT_S
    output: list[str] = []
    # lines read by a thread: a selector on the pipe misses a READY line that Python's buffer
    # already took in with the line before it (both often arrive in one read)
    lines: queue.Queue[str | None] = queue.Queue()

    def read_lines() -> None:
        # it goes on reading after start-up, so a chatty provider never blocks on a full pipe
        with contextlib.suppress(ValueError, OSError):  # the pipe closed by `stop`
            for line in process.stdout:
                lines.put(line)
        lines.put(None)

    threading.Thread(target=read_lines, daemon=True).start()
    try:
        port = None
        while port is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RuntimeError("provider did not start: " + "".join(output)[-2000:])
            try:
                line = lines.get(timeout=min(remaining, 0.5))
            except queue.Empty:
                continue
            if line is None:
                raise RuntimeError("provider stopped: " + "".join(output)[-2000:])
            output.append(line)
            if line.startswith("READY "):
                port = int(line.split()[1])
        provider.issuer = f"http://127.0.0.1:{port}"
        while True:  # readiness: discovery answers
            try:
                if requests.get(provider.issuer + "/.well-known/openid-configuration",
                                timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("provider started but its discovery does not answer")
            time.sleep(0.1)
    except BaseException as error:
        provider.stop()
        if isinstance(error, RuntimeError):
            _unavailable(str(error))
        raise
    return provider


def sign_in_at_provider(authorization_url: str, login: str, redirect_base: str,
                        session: requests.Session | None = None) -> str:
    """What a person does at ProConnect: follow to the login page, submit it, and return the
    callback URL the provider sends the browser back to (not followed)."""
    session = session or requests.Session()
    url = authorization_url
    for _ in range(10):
        response = session.get(url, allow_redirects=False, timeout=5)
        if response.status_code in (302, 303):
            url = urljoin(url, response.headers["Location"])
            if url.startswith(redirect_base):
                return url
            continue
        assert response.status_code == 200, response.text[:500]
        path = urlsplit(url).path
        assert path.startswith("/interaction/"), url
        posted = session.post(urljoin(url, path + "/login"),
                              data={"login": login, "password": "any"},
                              allow_redirects=False, timeout=5)
        assert posted.status_code in (302, 303), posted.text[:500]
        url = urljoin(url, posted.headers["Location"])
        if url.startswith(redirect_base):
            return url
    raise AssertionError("the provider never sent the browser back")
