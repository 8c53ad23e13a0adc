"""A crawl killed with SIGKILL mid-way and started again ends with exactly the archive of an
uninterrupted crawl: no duplicate and no lost report, cell or snapshot; WARC files readable."""
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
import sqlite_utils
from warcio.archiveiterator import ArchiveIterator

from archive.store import DB_NAME
from crawler.simulator.server import Simulator

from .conftest import ROOT, XXGK, run_xxgk

TABLES = ("organs", "reports", "sources", "versions", "cells", "checks", "applications_wide", "active_wide",
          "reviews_wide", "report_texts")
# Where and when a thing was fetched differs between two crawls; what was archived must not.
VOLATILE = {"fetched_at", "warc_file", "warc_offset", "warc_record_id", "first_seen_run", "last_seen_run"}


def content(data: Path) -> dict:
    db = sqlite_utils.Database(data / DB_NAME)
    out = {}
    for t in TABLES:
        cols = [c.name for c in db[t].columns if c.name not in VOLATILE]
        out[t] = sorted(map(tuple, db.execute(f"select {', '.join(f'[{c}]' for c in cols)} from [{t}]")))
    return out


def warc_records(data: Path) -> list[str]:
    urls = []
    for path in sorted((data / "warc").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            urls += [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh)]
    return urls


def archived(data: Path) -> int:
    try:
        with sqlite3.connect(f"file:{data / DB_NAME}?mode=ro", uri=True, timeout=1) as con:
            return con.execute("select count(*) from sources").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.fixture(scope="module")
def crashed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crash")
    with Simulator(seed=2024, only=["yunxi"]) as sim:
        url = sim.url + sim.world.start_path
        run_xxgk("crawl", "--data", tmp / "clean", "--fast", "-q", url)
        # Slow enough to be caught mid-way: reports commit in batches (up to 1 s apart, 8 requests
        # at a time), so a crawl of 63 reports must span several batches.
        sim.portal("yunxi").delay = 0.4
        proc = subprocess.Popen([*XXGK, "crawl", "--data", str(tmp / "killed"), "--fast", "-q", url], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 120
        while archived(tmp / "killed") < 15 and time.time() < deadline and proc.poll() is None:
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        at_kill = archived(tmp / "killed")
        sim.portal("yunxi").delay = 0
        resumed = run_xxgk("crawl", "--data", tmp / "killed", "--fast", "-q", url)
    return tmp / "clean", tmp / "killed", at_kill, resumed


def test_killed_mid_way(crashed):
    _, _, at_kill, _ = crashed
    assert 15 <= at_kill < 63


def test_resumed_run_skips_what_was_archived(crashed):
    _, _, at_kill, resumed = crashed
    assert f"{at_kill} already archived by the interrupted run" in resumed.stdout
    assert f"{63 - at_kill} new" in resumed.stdout


def test_same_archive_as_uninterrupted_crawl(crashed):
    clean, killed, _, _ = crashed
    a, b = content(clean), content(killed)
    assert {t: len(r) for t, r in b.items()} == {t: len(r) for t, r in a.items()}
    assert b == a


def test_one_snapshot_per_report_and_all_readable(crashed):
    clean, killed, _, _ = crashed
    assert sorted(warc_records(killed)) == sorted(warc_records(clean))
    assert len(warc_records(killed)) == 63


def test_interrupted_run_recorded(crashed):
    db = sqlite_utils.Database(crashed[1] / DB_NAME)
    assert [s for (s,) in db.execute("select status from crawl_runs order by id")] == ["interrupted", "finished"]
