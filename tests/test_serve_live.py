"""A site that stays up: the served archive, hammered by a bounded request loop while a crawl
writes into the same file, answers every request, and afterwards shows exactly what the
database holds, without a restart. Public serving is safe by default: no custom SQL, no page
that names a file of the server."""
from __future__ import annotations

import sqlite3
import subprocess
import time

import httpx

from .conftest import ROOT, XXGK, datasette


def count(base: str, table: str) -> int:
    return httpx.get(f"{base}/xxgk/{table}.json?_size=0", timeout=30).json()["filtered_table_rows_count"]


def test_served_during_and_after_a_crawl(simulator, tmp_path):
    from crawler.registry import dump

    from archive.store import Archive

    data = tmp_path / "data"
    Archive(data).close()  # what `xxgk serve` does on a new server
    keys = ["yunxi", "danxi", "yunling", "yifeng", "nangang", "hedong"]
    dump(simulator.registry(keys), tmp_path / "portals.yml")
    with datasette(data) as base:  # an empty archive to begin with, as on a new server
        assert count(base, "reports") == 0
        crawl = subprocess.Popen([*XXGK, "crawl", "--data", str(data), "--fast", "-q", "--registry",
                                  str(tmp_path / "portals.yml")], cwd=ROOT, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        answers: dict[int, int] = {}
        seen_counts = []
        paths = ["/xxgk/reports.json?_size=0", "/xxgk/reports?_sort=year", "/xxgk/cells.csv?_size=20",
                 "/xxgk", "/xxgk/crawl_runs.json"]
        with httpx.Client(timeout=30) as client:
            for i in range(3000):  # bounded: the crawl takes well under this many requests
                if crawl.poll() is not None:
                    break
                r = client.get(base + paths[i % len(paths)])
                answers[r.status_code] = answers.get(r.status_code, 0) + 1
                if r.status_code != 200:
                    answers.setdefault("first failure", (paths[i % len(paths)], r.text[:200]))
                if i % len(paths) == 0 and r.status_code == 200:
                    seen_counts.append(r.json()["filtered_table_rows_count"])
                time.sleep(0.01)
        out, err = crawl.communicate(timeout=600)
        assert crawl.returncode == 0, err
        assert set(answers) == {200}, answers  # no 500, during the whole crawl
        assert sum(answers.values()) > 50
        assert seen_counts == sorted(seen_counts) and len(set(seen_counts)) > 1  # it saw the archive grow
        db = sqlite3.connect(data / "xxgk.db")
        for table in ("reports", "cells", "sources", "portal_status"):
            assert count(base, table) == db.execute(f"select count(*) from [{table}]").fetchone()[0]
        # every report the simulator's truth says these portals publish (one organ, one year, one report)
        expected = {(r.organ.name, r.year) for k in keys for r in simulator.portal(k).expected_reports()}
        assert count(base, "reports") == len(expected)


def test_public_serving_is_safe_by_default(web_archive):
    with datasette(web_archive) as base:
        r = httpx.get(f"{base}/xxgk.json", params={"sql": "select file from pragma_database_list"})
        assert r.status_code == 403 and "Custom SQL is off" in r.text
        assert str(web_archive) not in r.text
        # the charts' own queries run (their SQL comes from the browser), with or without a filter
        q = "select count(*) as n from reports where true and province = :province"
        r = httpx.get(f"{base}/xxgk.json", params={"sql": q, "province": "福建省", "_shape": "array"})
        assert r.status_code == 200 and r.json()[0]["n"] == sqlite3.connect(web_archive / "xxgk.db").execute(
            "select count(*) from reports where province = '福建省'").fetchone()[0]
        assert httpx.get(f"{base}/-/databases.json").status_code == 404
        for page in ("/", "/xxgk", "/xxgk/reports", "/-/versions.json", "/-/settings.json", "/-/metadata.json",
                     "/-/plugins.json"):
            r = httpx.get(base + page)
            assert r.status_code == 200 and str(web_archive) not in r.text, page
        # the canned queries still answer
        r = httpx.get(f"{base}/xxgk/failing_checks.json?_shape=array")
        assert r.status_code == 200 and isinstance(r.json(), list)
