"""Monthly re-crawls with delta-fetch: a report whose list entry is unchanged is not fetched
again, except in its month of the rotation; so a report corrected in place (same URL, same list
entry, new numbers) is found in exactly the month the rotation gives it, every archived report
is re-checked exactly once in twelve monthly runs, and a month that finds nothing new reads a
fraction of what the first crawl read."""
from collections import Counter
from urllib.parse import urlsplit

import pytest
import sqlite_utils

from archive.store import DB_NAME
from crawler.recrawl import in_rotation
from crawler.registry import dump
from crawler.simulator.server import Simulator

from .conftest import run_xxgk

PORTALS = ["yunxi", "danxi"]  # TRS (ETags: re-checks are conditional) and Hanweb (no validators)
MONTHS = [f"2027-{m:02d}" for m in range(1, 13)]
SHARE = 1 / 12


def in_place(sim) -> list:
    """5% of the reports, corrected in place: a number restated, the page at the same URL,
    its list entry (title, date) untouched."""
    eligible = [r for key in PORTALS for r in sim.portal(key).expected_reports()
                if r.template == "2021" and getattr(r, "file", None) is None]
    total = sum(len(sim.portal(key).expected_reports()) for key in PORTALS)
    chosen = eligible[::len(eligible) // round(total * 0.05)][:round(total * 0.05)]
    for r in chosen:
        r.values["active"]["licensing"]["decisions"] += 7
    return chosen


def current(db, organ, year):
    return db.execute(
        "select r.version, c.value, r.url from reports r join cells c on c.report_id = r.id and c.table_name = 'active'"
        " and c.row_key = 'licensing' and c.col_key = 'decisions' where r.organ = ? and r.year = ?",
        [organ, year]).fetchone()


@pytest.fixture(scope="module")
def year_of_months(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("months")
    data = tmp / "data"
    with Simulator(seed=2024, only=PORTALS) as sim:
        registry = tmp / "portals.yml"
        dump(sim.registry(), registry)
        run_xxgk("crawl", "--data", data, "--fast", "-q", "--registry", registry, "--month", "2026-12")
        first_requests = list(sim.requests)
        db = sqlite_utils.Database(data / DB_NAME)
        entries = [u for (u,) in db.execute("select distinct entry_url from sources")]
        archived = (db["sources"].count, sum(sim.portal(k).expected_found() for k in PORTALS))
        changed = in_place(sim)
        before = {(r.organ.name, r.year): current(db, r.organ.name, r.year) for r in changed}
        months = []
        for month in MONTHS:
            start = len(sim.requests)
            p = run_xxgk("crawl", "--data", data, "--fast", "-q", "--registry", registry, "--month", month)
            db = sqlite_utils.Database(data / DB_NAME)
            found = {k for k in before if current(db, *k)[0] == 2}
            months.append((month, sim.requests[start:], p.stdout, found))
    return first_requests, entries, archived, changed, before, months, data


def test_five_percent_changed_in_place(year_of_months):
    _, entries, archived, changed, before, *_ = year_of_months
    stored, truth = archived
    assert stored == truth
    assert len(changed) == round(truth * 0.05) > 0
    assert all(v[0] == 1 for v in before.values())


def test_each_correction_found_in_its_month(year_of_months):
    *_, changed, before, months, data = year_of_months
    found_so_far = set()
    for month, _, stdout, found in months:
        due = {k for k, (_, _, url) in before.items() if in_rotation(url, month, SHARE)}
        assert found - found_so_far == due, month
        assert f"{len(due)} corrected (new version)" in stdout if due else "corrected" not in stdout
        found_so_far = found
    assert found_so_far == set(before)


def test_corrections_archived_as_second_versions(year_of_months):
    *_, changed, before, months, data = year_of_months
    db = sqlite_utils.Database(data / DB_NAME)
    for r in changed:
        version, value, _ = current(db, r.organ.name, r.year)
        assert (version, value) == (2, before[(r.organ.name, r.year)][1] + 7)
        assert value == int(r.values["active"]["licensing"]["decisions"])


def test_every_report_rechecked_once_a_year(year_of_months):
    _, entries, _, _, _, months, _ = year_of_months
    asked = Counter(p for _, requests, _, _ in months for _, method, p in requests)
    paths = {urlsplit(u).path + (f"?{urlsplit(u).query}" if urlsplit(u).query else "") for u in entries}
    assert {p: asked[p] for p in paths} == {p: 1 for p in paths}
    for month, requests, stdout, _ in months:
        due = sum(in_rotation(u, month, SHARE) for u in entries)
        assert sum(1 for _, _, p in requests if p in paths) == due, month
        assert f"{due} known re-checked" in stdout


def test_a_month_reads_a_fraction_of_the_first_crawl(year_of_months):
    first, _, _, _, _, months, _ = year_of_months
    for month, requests, stdout, _ in months:
        assert "0 new" in stdout and "known with an unchanged list entry (not fetched)" in stdout
        assert len(requests) < 0.25 * len(first), month
