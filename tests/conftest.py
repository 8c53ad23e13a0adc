"""Shared fixtures: a real simulator on 127.0.0.1, a real crawl into a temporary archive."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _find_corpus() -> Path:
    """../shared/corpus beside the checkout, or beside a parent directory (a git worktree under
    work/wt/NAME sees it two levels up); XXGK_CORPUS names it explicitly."""
    if os.environ.get("XXGK_CORPUS"):
        return Path(os.environ["XXGK_CORPUS"])
    for parent in ROOT.parents:
        if (parent / "shared" / "corpus").is_dir():
            return parent / "shared" / "corpus"
    return ROOT.parent / "shared" / "corpus"


CORPUS = _find_corpus()
XXGK = [sys.executable, "-m", "crawler.cli"]


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
def universe(simulator, tmp_path_factory):
    """An archive built by one real crawl of every simulated portal, through the registry."""
    from crawler.registry import dump

    tmp = tmp_path_factory.mktemp("universe")
    dump(simulator.registry(), tmp / "portals.yml")
    start = len(simulator.requests)
    out = run_xxgk("crawl", "--data", tmp / "data", "--fast", "-q", "--registry", tmp / "portals.yml")
    # The requests of this crawl alone: other tests crawl the same simulator.
    return tmp / "data", out, simulator.requests[start:]


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


HOSTILE_REPORT = """<html><head><title>云溪县测试镇2024年政府信息公开工作年度报告</title></head><body>
<h1>云溪县测试镇2024年政府信息公开工作年度报告</h1><div class="TRS_Editor">
<p>一、总体情况。本镇认真落实政务公开。&lt;script&gt;alert("xss")&lt;/script&gt; 页面上的脚本必须作为文字显示。</p>
<p>&lt;img src=x onerror=alert(2)&gt; 复议 诉讼 不予公开。</p>
<script>alert("raw")</script>
<table><tr><td>本年新收政府信息公开申请数量</td><td>1</td></tr></table>
</div></body></html>"""

SIM_PORTAL = {"name": "云溪县人民政府", "code": "350128000000", "level": "county", "parent": None, "platform": "trs"}
CORPUS_PORTALS = {
    "shanghai_city_govoffice_2019.html": {"name": "上海市人民政府", "code": "310000000000", "level": "province"},
    "pingtan_zone_2024.html": {"name": "平潭综合实验区管委会", "code": "350128000000", "level": "county",
                               "province": "福建省", "city": "福州市"},
}


def build_web_archive(data: Path) -> Path:
    """An archive for the browser tests, stored through the same Archive.store as a crawl: every
    simulator report (seed 2024) under its county portal, the corpus HTML reports under theirs
    (where ../shared/corpus is present), and one report whose text carries <script>."""
    from archive.parse import parse_html
    from archive.store import Archive, now
    from crawler.simulator import trs
    from crawler.simulator.world import SimReport, build_world

    archive = Archive(data)
    world = build_world(2024)
    for col in world.columns:
        for item in col.items:
            if isinstance(item, SimReport):
                html = trs.article_page(world, col, item)
                archive.store(parse_html(html), url=f"http://sim.test{world.url_of(item)}", body=html.encode(),
                              fetched_at=now(), published=item.pub_date.isoformat(), portal=SIM_PORTAL)
    if CORPUS.is_dir():
        for name, portal in CORPUS_PORTALS.items():
            body = (CORPUS / "reports" / name).read_bytes()
            archive.store(parse_html(body.decode("utf-8")), url=f"http://corpus.test/{name}", body=body,
                          fetched_at=now(), portal=portal)
    archive.store(parse_html(HOSTILE_REPORT), url="http://sim.test/hostile.html", body=HOSTILE_REPORT.encode(),
                  fetched_at=now(), portal=SIM_PORTAL)
    archive.close()
    from archive.derived import refresh

    refresh(data)  # region totals and bulk downloads, as `xxgk serve` builds them
    return data


@pytest.fixture(scope="session")
def web_archive(tmp_path_factory):
    return build_web_archive(tmp_path_factory.mktemp("web"))


@contextlib.contextmanager
def datasette(data: Path):
    """A real Datasette serving an archive exactly as `xxgk serve` does; yields its base URL."""
    from archive.publish import datasette_command

    port = free_port()
    with serving(datasette_command(data, port=port), port) as base:
        yield base


@contextlib.contextmanager
def serving(cmd: list[str], port: int):
    """Runs a server command until the block ends; yields its base URL once it answers."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + "/-/versions.json")
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="session")
def web_site(web_archive):
    with datasette(web_archive) as base:
        yield base
