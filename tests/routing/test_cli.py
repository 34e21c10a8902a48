import subprocess
import sys

from .routing_data import MONACO_PBF, PROJECT


def run(*args, env_dir):
    import os

    env = {**os.environ, "ROUTING_CACHE_DIR": str(env_dir)}
    return subprocess.run([sys.executable, "-m", "routing", *args], cwd=PROJECT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_cli_build_reuses_an_up_to_date_cache(cache_dir):
    proc = run("build", "--pbf", str(MONACO_PBF), env_dir=cache_dir)
    assert proc.returncode == 0, proc.stderr
    assert str(cache_dir) in proc.stdout
    assert '"car"' in proc.stdout


def test_cli_build_missing_extract(tmp_path):
    proc = run("build", "--pbf", str(tmp_path / "nope.osm.pbf"), "--cache-dir", str(tmp_path),
               env_dir=tmp_path)
    assert proc.returncode == 1
    assert "not found" in proc.stderr
