"""Shared fixtures: a real simulator on 127.0.0.1, a real crawl into a temporary archive."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
XXGK = [sys.executable, "-m", "archive.cli"]


def run_xxgk(*args, check=True, timeout=600, env=None) -> subprocess.CompletedProcess:
    """Run the real `xxgk` command line in a child process (Twisted's reactor runs once a process)."""
    p = subprocess.run([*XXGK, *map(str, args)], capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                       env={**os.environ, **(env or {})})
    if check and p.returncode != 0:
        raise AssertionError(f"xxgk {' '.join(map(str, args))} exited {p.returncode}:\n{p.stdout}\n{p.stderr}")
    return p


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 30) -> None:
    import httpx

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


@pytest.fixture(scope="session")
def simulator():
    from crawler.simulator.server import Simulator

    with Simulator(seed=2024) as sim:
        yield sim


@pytest.fixture(scope="session")
def crawled(simulator, tmp_path_factory):
    """An archive built by one real crawl of the simulator (county column URL only)."""
    data = tmp_path_factory.mktemp("archive")
    first = run_xxgk("crawl", "--data", data, "--fast", "-q", f"{simulator.url}{simulator.world.start_path}")
    return data, first


@pytest.fixture(scope="session")
def corpus():
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not beside this checkout")
    return CORPUS


@pytest.fixture()
def copy_archive(crawled, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(crawled[0], data)
    return data
