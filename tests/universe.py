"""Comparing an archive built by crawling the simulator with the simulator's ground truth."""
from __future__ import annotations

from decimal import Decimal

import sqlite_utils

from archive.store import DB_NAME
from crawler.simulator.server import item_path


def db(data) -> sqlite_utils.Database:
    return sqlite_utils.Database(data / DB_NAME)


def truth_cells(reports):
    for r in reports:
        for table, rows in r.values.items():
            for row, cols in rows.items():
                for col, v in cols.items():
                    yield (r.organ.name, r.year, table, row, col), v


def organs_of(portal) -> list[str]:
    return sorted({r.organ.name for r in portal.reports()})


def archived(data, portal):
    """(organ, year) → (template, published, cell_count) of the archived reports of the portal's organs."""
    names = organs_of(portal)
    marks = ",".join("?" * len(names))
    return {(o, y): (t, p, n) for o, y, t, p, n in db(data).execute(
        f"select organ, year, template, published, cell_count from reports where organ in ({marks})", names)}


def check_reports(data, portal, published=True):
    got = archived(data, portal)
    want = {(r.organ.name, r.year): (r.template, r.pub_date.isoformat() if published else None,
                                     sum(len(c) for rows in r.values.values() for c in rows.values()))
            for r in portal.expected_reports()}
    assert got == want


def check_sources(data, sim, portal):
    base = sim.base(portal.key)
    got = {u for (u,) in db(data).execute("select url from sources where url like ?", [base + "/%"])}
    want = {base + item_path(portal, c, it) for c, it in portal.expected_listings()}
    assert got == want


def check_cells(data, portal):
    names = organs_of(portal)
    marks = ",".join("?" * len(names))
    got = {(o, y, t, r, c): v for o, y, t, r, c, v in db(data).execute(
        "select reports.organ, reports.year, table_name, row_key, col_key, value from cells"
        f" join reports on reports.id = cells.report_id where reports.organ in ({marks})", names)}
    want = dict(truth_cells(portal.expected_reports()))
    wrong = {k: (got.get(k), v) for k, v in want.items() if got.get(k) is None or Decimal(str(got[k])) != v}
    assert wrong == {}
    assert len(got) == len(want)
    return len(want)


def check_no_news(data, portal):
    news = {i.title for c in portal.columns for i in c.items if not hasattr(i, "values")}
    titles = {t for (t,) in db(data).execute("select title from sources")}
    assert news and titles & news == set()


def status_of(data, portal) -> tuple:
    row = next(db(data).query("select status, reason from portal_status where portal = ?", [portal.name]))
    return row["status"], row["reason"]
