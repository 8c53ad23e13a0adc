"""One writer per archive: a second crawl on the same data directory refuses (or, with --wait,
waits for the first) with a clear message, and never touches what the first is writing. The
command line on a corrupt or locked archive says so in one line."""
from __future__ import annotations

import sqlite3
import subprocess
import time

from .conftest import ROOT, XXGK, run_xxgk
from .hostile import Site, html, sim_reports


def slow_portal(site: Site, reports, delay: float = 1.2) -> None:
    """A list of three pages, each answering after `delay` s: a crawl of a few seconds."""
    def slow(answer):
        def route(_site, _handler):
            time.sleep(delay)
            return answer
        return route

    for page in range(3):
        items = "".join(f'<li><a href="/r{i}.html">{t}</a></li>' for i, (t, _, _) in enumerate(reports) if i % 3 == page)
        nxt = f'<a href="/list{page + 1}.html">下一页</a>' if page < 2 else ""
        site.routes[f"/list{page}.html"] = slow(html(f"<ul>{items}</ul>{nxt}", "政府信息公开年报"))
    for i, (_, body, _) in enumerate(reports):
        site.routes[f"/r{i}.html"] = (200, {"Content-Type": "text/html; charset=utf-8"}, body.encode())


def test_second_crawl_refuses_then_waits(tmp_path):
    from crawler.registry import dump

    reports = sim_reports(6)
    data = tmp_path / "data"
    with Site() as site:
        slow_portal(site, reports)
        dump([{"name": "慢县", "level": "county", "platform": "longtail", "start_urls": [f"{site.base}/list0.html"]}],
             tmp_path / "portals.yml")
        crawl = ["crawl", "--data", str(data), "--fast", "-q", "--timeout", "10", "--registry", str(tmp_path / "portals.yml")]
        first = subprocess.Popen([*XXGK, *crawl], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lock = data / "crawl.lock"
        for _ in range(300):
            if lock.exists() and lock.read_text().startswith("pid"):
                break
            time.sleep(0.05)
        second = run_xxgk(*crawl, check=False)
        assert first.poll() is None  # the first was still running when the second gave up
        assert second.returncode == 1
        assert second.stderr.strip().splitlines() == [
            f"Error: {data}: another crawl is writing this archive (pid {first.pid}, since "
            f"{lock.read_text().split('since ')[1].strip()}); wait for it to finish (or use --wait SECONDS)"]
        third = subprocess.Popen([*XXGK, *crawl, "--verify", "--wait", "120"], cwd=ROOT, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        out1, err1 = first.communicate(timeout=300)
        out3, err3 = third.communicate(timeout=300)
    assert first.returncode == 0, err1
    assert third.returncode == 0, err3
    db = sqlite3.connect(data / "xxgk.db")
    # two runs, both finished: the refused crawl left no run, none was marked interrupted
    assert db.execute("select status from crawl_runs order by id").fetchall() == [("finished",), ("finished",)]
    assert db.execute("select count(*) from reports").fetchone()[0] == 6
    assert "6 new" in out1 and "0 new, 0 changed, 6 unchanged" in out3


def test_corrupt_and_locked_archive_is_one_line(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "xxgk.db").write_bytes(b"not a database, just bytes " * 1000)
    for args in (["export"], ["portals", "--status"], ["crawl", "http://127.0.0.1:9/"], ["serve", "--port", "9"]):
        p = run_xxgk(*args, "--data", bad, check=False, timeout=120)
        assert p.returncode == 1
        assert p.stderr.splitlines() == [f"Error: {bad / 'xxgk.db'} is not a readable archive "
                                         "(damaged, or not an xxgk database): file is not a database"], args
    good = tmp_path / "good"
    run_xxgk("export", "--data", good)  # an empty archive
    holder = sqlite3.connect(good / "xxgk.db", isolation_level=None)
    holder.execute("begin exclusive")
    try:
        p = run_xxgk("export", "--data", good, check=False, timeout=120)
    finally:
        holder.execute("rollback")
    assert p.returncode == 1
    assert p.stderr.splitlines() == [f"Error: {good / 'xxgk.db'} is locked by another process (a crawl writing it?): "
                                     "database is locked"]
