"""Run a real OSRM server (``osrm-routed`` from the ``osrm-bindings`` wheel) on loopback.

The wheel needs Python >= 3.12 while the project runs on 3.11, so it is installed in its own
virtualenv inside the cache directory. Data preparation follows OSRM's MLD pipeline:
``extract -p <profile>.lua``, ``partition``, ``customize``, then ``routed --algorithm mld``.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from .exceptions import RoutingError, RoutingServerUnavailable
from .settings import default_cache_dir

#: OSRM profile file per travel mode (OSRM ships no e-bike or moped profile).
OSRM_PROFILE_OF_MODE = {"walk": "foot", "bike": "bicycle", "e_bike": "bicycle",
                        "two_wheel_motor": "car", "car": "car"}


class OSRMSetupError(RoutingError):
    """The OSRM virtualenv or data could not be prepared."""


def _works(python: str) -> bool:
    try:
        proc = subprocess.run([python, "-c", "import sys; assert sys.version_info >= (3, 12)"],
                              capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


def find_python312() -> str | None:
    """A working Python >= 3.12: ``$OSRM_PYTHON``, a pyenv version, or ``python3.12`` on PATH.

    Each candidate is run once (pyenv shims on PATH may exist without working).
    """
    env = os.environ.get("OSRM_PYTHON")
    if env:
        return env if _works(env) else None
    pyenv = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates = sorted(glob.glob(f"{pyenv}/versions/3.1[2-9]*/bin/python"))
    candidates += [p for p in (shutil.which("python3.12"), shutil.which("python3.13")) if p]
    return next((c for c in candidates if _works(c)), None)


def ensure_osrm_venv(cache_dir: str | Path | None = None, *, python: str | None = None) -> Path:
    """Create ``<cache>/osrm-venv`` with ``osrm-bindings`` installed; return its python."""
    venv = Path(cache_dir or default_cache_dir()) / "osrm-venv"
    vpy = venv / "bin" / "python"
    if vpy.exists() and _run([str(vpy), "-c", "import osrm"], check=False).returncode == 0:
        return vpy
    python = python or find_python312()
    if python is None:
        raise OSRMSetupError("no Python >= 3.12 found (set OSRM_PYTHON) for osrm-bindings")
    venv.parent.mkdir(parents=True, exist_ok=True)
    _run([python, "-m", "venv", "--clear", str(venv)])
    _run([str(vpy), "-m", "pip", "install", "--quiet", "osrm-bindings"])
    return vpy


def _run(cmd: list[str], *, check: bool = True, cwd: Path | None = None):
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
    if check and proc.returncode != 0:
        raise OSRMSetupError(
            f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return proc


def profiles_dir(venv_python: str | Path) -> Path:
    """Directory of the ``.lua`` profiles shipped inside the osrm package."""
    out = _run([str(venv_python), "-c",
                "import osrm, os; print(os.path.join(os.path.dirname(osrm.__file__), 'share', "
                "'profiles'))"]).stdout.strip()
    return Path(out)


def prepare_osrm_data(pbf_path: str | Path, *, profile: str = "car",
                      cache_dir: str | Path | None = None,
                      venv_python: str | Path | None = None) -> Path:
    """Extract, partition and customize ``pbf_path`` for ``profile``; return the ``.osrm`` path.

    Reuses earlier output when the extract has not changed.
    """
    pbf = Path(pbf_path).resolve()
    vpy = Path(venv_python) if venv_python else ensure_osrm_venv(cache_dir)
    work = Path(cache_dir or default_cache_dir()) / "osrm" / profile
    work.mkdir(parents=True, exist_ok=True)
    base = work / pbf.name.replace(".osm.pbf", "").replace(".pbf", "")
    osrm_file = base.with_suffix(".osrm")
    stamp = work / "source.txt"
    fingerprint = f"{pbf} {pbf.stat().st_size} {int(pbf.stat().st_mtime)}"
    if stamp.exists() and stamp.read_text() == fingerprint and Path(f"{osrm_file}.mldgr").exists():
        return osrm_file
    local_pbf = work / pbf.name
    shutil.copyfile(pbf, local_pbf)
    lua = profiles_dir(vpy) / f"{profile}.lua"
    _run([str(vpy), "-m", "osrm", "extract", "-p", str(lua), str(local_pbf)], cwd=work)
    _run([str(vpy), "-m", "osrm", "partition", str(osrm_file)], cwd=work)
    _run([str(vpy), "-m", "osrm", "customize", str(osrm_file)], cwd=work)
    local_pbf.unlink()
    stamp.write_text(fingerprint)
    return osrm_file


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: Process id of each running osrm-routed by base URL (benchmarks read its memory).
SERVER_PIDS: dict[str, int] = {}


#: a port found free may be taken by another process before osrm-routed binds it: try again
START_ATTEMPTS = 3


def _start_routed(osrm_file: str | Path, venv_python: str | Path, port: int,
                  startup_timeout_s: float) -> tuple[subprocess.Popen | None, str]:
    """osrm-routed on `port` once it answers, or None and why it exited at start (the port
    taken by another program in between, most often)."""
    cmd = [str(venv_python), "-m", "osrm", "routed", "--algorithm", "mld", "--ip", "127.0.0.1",
           "--port", str(port), str(osrm_file)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + startup_timeout_s
    while True:
        if proc.poll() is not None:
            why = f"exited with {proc.returncode}: {proc.stderr.read()[-2000:]!r}"
            _stop(proc)
            return None, why
        try:
            requests.get(f"{url}/nearest/v1/car/7.42,43.73", timeout=1)
        except requests.RequestException:
            if time.monotonic() > deadline:
                _stop(proc)
                raise RoutingServerUnavailable("osrm-routed did not start in time") from None
            time.sleep(0.1)
            continue
        if proc.poll() is None:  # what answered is ours, not another program on the port
            return proc, ""


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # the process group we created
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if proc.stderr:
        proc.stderr.close()


@contextmanager
def run_osrm_server(osrm_file: str | Path, *, venv_python: str | Path, port: int | None = None,
                    startup_timeout_s: float = 30.0) -> Iterator[str]:
    """Start ``osrm-routed`` on 127.0.0.1 for the block; yields its base URL. Without a given
    `port`, a free one is chosen, and another if osrm-routed could not bind it."""
    for _ in range(1 if port else START_ATTEMPTS):
        chosen = port or free_port()
        proc, why = _start_routed(osrm_file, venv_python, chosen, startup_timeout_s)
        if proc is not None:
            break
    else:
        raise RoutingServerUnavailable(f"osrm-routed {why}")
    url = f"http://127.0.0.1:{chosen}"
    SERVER_PIDS[url] = proc.pid
    try:
        yield url
    finally:
        SERVER_PIDS.pop(url, None)
        _stop(proc)


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - thin CLI helper
    """``python -m routing.osrm_server PBF [PROFILE]``: prepare data and serve until Ctrl-C."""
    args = argv if argv is not None else sys.argv[1:]
    vpy = ensure_osrm_venv()
    osrm_file = prepare_osrm_data(args[0], profile=args[1] if len(args) > 1 else "car",
                                  venv_python=vpy)
    with run_osrm_server(osrm_file, venv_python=vpy, port=5000) as url:
        print(f"OSRM serving {osrm_file} at {url}; Ctrl-C to stop")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
