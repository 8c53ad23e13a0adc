"""`xxgk export`: CSV per table and per year, UTF-8 with BOM, rows equal to the database."""
import csv

import sqlite_utils

from archive.store import DB_NAME

from .conftest import run_xxgk


def read(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(raw.decode("utf-8-sig").splitlines()))


def test_export_writes_every_table_and_year(web_archive, tmp_path):
    out = tmp_path / "csv"
    run_xxgk("export", "--data", web_archive, "--out", out)
    db = sqlite_utils.Database(web_archive / DB_NAME)
    for table in ("reports", "cells", "checks", "applications_wide", "active_wide", "reviews_wide"):
        assert len(read(out / f"{table}.csv")) - 1 == db[table].count, table
    years = [y for (y,) in db.execute("select distinct year from applications_wide order by year")]
    for year in years:
        rows = read(out / f"applications_wide_{year}.csv")
        assert len(rows) - 1 == db.execute("select count(*) from applications_wide where year = ?", [year]).fetchone()[0]


def test_export_keeps_chinese_and_numbers(web_archive, tmp_path):
    out = tmp_path / "csv"
    run_xxgk("export", "--data", web_archive, "--out", out)
    rows = read(out / "applications_wide_2024.csv")
    header, body = rows[0], rows[1:]
    db = sqlite_utils.Database(web_archive / DB_NAME)
    organ, total = db.execute(
        "select organ, new_received__total from applications_wide where year = 2024 and organ = '云溪县梅林镇'").fetchone()
    row = next(r for r in body if r[header.index("organ")] == organ)
    assert row[header.index("new_received__total")] == str(total)
