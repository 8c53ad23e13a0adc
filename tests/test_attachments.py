"""Reports published only as attachments (「详见附件」), crawled from the simulator's attachment
portals (crawler/simulator/attachments.py) and compared with the ground truth: TRS files beside
the article (`appendix="true"`) and image-only pages, LonSun FastDFS paths, Hanweb downfile.jsp
answering a 302 to another host. Every format (PDF, DOCX, DOC, WPS, XLSX, XLS read exactly; PNG,
JPG and a scan read by OCR, each cell exact or unknown); the bad files (corrupt, encrypted, zip
bomb, oversized) each end with their recorded status, and the crawl goes on."""
from __future__ import annotations

import shutil
from decimal import Decimal

import pytest

from crawler.registry import dump
from crawler.simulator import attachments as A
from crawler.simulator.server import FILE_HOST

from .conftest import run_xxgk
from .universe import db, status_of

KEYS = ("tingxi", "tongxi", "fengxi")
# Cells of each picture read exactly by the crawl (of 200; the others are unknown, none wrong).
# The pictures are scans as real ones look (crawler/simulator/documents.py): the PNG at 150 dpi,
# the JPG at 150 dpi, the scanned PDF at 150 dpi in a 楷体 font, each skewed and sealed (the JPG and
# the scan noisy too).
OCR_EXACT = {"png": 200, "jpg": 200, "scan": 198}


def files(simulator):
    """(portal, column, report) of every attachment report of the attachment portals."""
    return [(p, c, it) for p in map(simulator.portal, KEYS) for c, it in p.listed() if A.has_file(it)]


def file_url(simulator, portal, col, item) -> str:
    path = A.file_path(portal, col, item)
    return (A.file_base(portal) if portal.style == "hanweb" else simulator.base(portal.key)) + path


def archived(data, organ, year):
    return next(db(data).query("select * from reports where organ = ? and year = ?", [organ, year]), None)


def cells(data, report_id):
    return {(t, r, c): (v, u) for t, r, c, v, u in db(data).execute(
        "select table_name, row_key, col_key, value, unknown from cells where report_id = ?", [report_id])}


def truth_cells(item):
    return {(t, r, c): v for t, rows in item.values.items() for r, cols in rows.items() for c, v in cols.items()}


def test_the_simulator_has_every_format_and_every_failure(simulator):
    kinds = {it.file.kind for _, _, it in files(simulator)}
    assert kinds == {"pdf", "docx", "doc", "wps", "xlsx", "xls", "png", "jpg", "scan", "rlpdf", "corrupt-docx",
                     "corrupt-pdf", "encrypted-docx", "encrypted-xlsx", "encrypted-pdf", "bomb", "oversized"}
    assert sorted(it.file.expect for _, _, it in files(simulator)) == ["exact"] * 11 + ["failed"] * 7 + ["ocr"] * 3


def test_every_readable_attachment_is_one_report_in_the_format_its_bytes_say(universe, simulator):
    got, want = {}, {}
    for p, _, it in files(simulator):
        row = archived(universe[0], it.organ.name, it.year)
        got[(it.organ.name, it.year)] = row and (row["source_format"], row["template"], row["title"], row["published"])
        if it.file.expect != "failed":
            fmt = "html" if it.file.also_html else it.file.source_format  # the page is stored first
            want[(it.organ.name, it.year)] = (fmt, it.template, it.title, it.pub_date.isoformat())
        else:
            want[(it.organ.name, it.year)] = None
    assert got == want


def test_exact_formats_every_cell_equals_ground_truth(universe, simulator):
    n = 0
    for _, _, it in files(simulator):
        if it.file.expect != "exact":
            continue
        row = archived(universe[0], it.organ.name, it.year)
        got = cells(universe[0], row["id"])
        want = truth_cells(it)
        assert {k: (Decimal(str(v)), u) for k, (v, u) in got.items()} == {k: (v, 0) for k, v in want.items()}, it.file
        assert (row["flagged"], row["unknown_cells"]) == (0, 0)
        n += len(want)
    assert n == 2196


def test_pictures_and_scans_every_cell_exact_or_unknown_and_flagged(universe, simulator):
    exact = {}
    for _, _, it in files(simulator):
        if it.file.expect != "ocr":
            continue
        row = archived(universe[0], it.organ.name, it.year)
        got = cells(universe[0], row["id"])
        want = truth_cells(it)
        known = {k: v for k, (v, u) in got.items() if not u}
        wrong = {k: (v, want.get(k)) for k, v in known.items() if k not in want or Decimal(str(v)) != want[k]}
        assert wrong == {}, it.file.kind  # never a wrong number
        # The rest of the truth's cells are unknown, and the report is flagged for them.
        assert row["unknown_cells"] == len(want) - len(known)
        assert row["flagged"] == int(row["unknown_cells"] > 0)
        exact[it.file.kind] = len(known)
    assert exact == OCR_EXACT
    assert sum(exact.values()) >= 0.99 * 200 * len(exact)
    print(f"OCR cells read exactly: {sum(exact.values())} of {200 * len(exact)} "
          f"({sum(exact.values()) / (200 * len(exact)):.0%}): {exact}")


def bases(simulator) -> tuple[str, ...]:
    return tuple(simulator.base(k + host) for k in KEYS for host in ("", FILE_HOST) if k + host in simulator.servers)


def test_title_organ_and_year_come_from_the_listing_not_from_ocr(universe, simulator):
    for _, _, it in files(simulator):
        if it.file.expect == "ocr":
            # The picture prints the title too, but OCR misreads names (云溪县 → 云深县).
            row = archived(universe[0], it.organ.name, it.year)
            assert (row["organ"], row["year"], row["title"]) == (it.organ.name, it.year, it.title)
    organs = {o for u, o in db(universe[0]).execute(
        "select sources.url, reports.organ from sources join reports on reports.id = sources.report_id")
        if u.startswith(bases(simulator))}
    assert organs == {"汀溪县人民政府", "汀溪县教育局", "桐溪县人民政府", "桐溪县卫生健康委员会", "枫溪县人民政府", "枫溪县财政局"}


def test_sources_are_the_files_and_the_page_that_prints_the_report(universe, simulator):
    got = {u: (f, r) for u, f, r in db(universe[0]).execute("select url, format, report_id from sources")
           if u.startswith(bases(simulator))}
    want = {}
    for p, c, it in files(simulator):
        if it.file.expect == "failed":
            continue
        report_id = archived(universe[0], it.organ.name, it.year)["id"]
        want[file_url(simulator, p, c, it)] = (it.file.source_format, report_id)
        if it.file.also_html:
            want[simulator.base(p.key) + f"{c.key}{it.month_dir}/{it.article_name}"] = ("html", report_id)
    assert got == want
    # One report, two sources: the page that prints the tables and the DOCX attached to it.
    assert sum(1 for f, _ in got.values() if f == "html") == 1


def test_kind_is_decided_from_the_bytes_not_the_name_or_content_type(universe, simulator):
    misleading = {(it.file.ext, it.file.content_type, it.file.source_format) for _, _, it in files(simulator)
                  if it.file.expect == "exact" and it.file.source_format != {"doc": "doc", "wps": "doc"}.get(
                      it.file.ext, it.file.ext)}
    assert misleading == {("pdf", "application/octet-stream", "docx"), ("xls", "application/vnd.ms-excel", "xlsx"),
                          ("doc", "application/msword", "pdf")}


def test_each_bad_file_ends_with_its_recorded_status(universe, simulator):
    names = {simulator.portal(k).name for k in KEYS}
    got = {(p, k, u, r) for p, k, u, r in db(universe[0]).execute(
        "select portal, kind, url, reason from portal_events") if p in names}
    want = set()
    for p, c, it in files(simulator):
        if it.file.expect == "failed":
            reason = it.file.reason
            if it.file.status == "too_large":
                reason = "too large: 80 MiB announced, over the maximum download size of 64 MiB"
            want.add((p.name, it.file.status, file_url(simulator, p, c, it), reason))
    assert got == want
    assert sorted(k for _, k, _, _ in got) == ["corrupt", "corrupt", "encrypted", "encrypted", "encrypted",
                                               "too_large", "zip_bomb"]


def test_portal_status_names_the_bad_files_and_counts_them(universe, simulator):
    for key in KEYS:
        p = simulator.portal(key)
        bad = sorted((file_url(simulator, p, c, it), it.file) for c, it in p.expected_failures())
        kinds = {}
        for _, f in bad:
            kinds[f.status] = kinds.get(f.status, 0) + 1
        first_url, first = bad[0]
        first_reason = ("too large: 80 MiB announced, over the maximum download size of 64 MiB"
                        if first.status == "too_large" else first.reason)
        reason = (f"{len(bad)} attachments not archived ("
                  + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) + f"), first {first_url}: {first_reason}")
        assert status_of(universe[0], p) == ("ok", reason)
        row = next(db(universe[0]).query("select reports_found, reports_new, failed from portal_status where portal = ?",
                                         [p.name]))
        assert row == {"reports_found": p.expected_found(), "reports_new": len(p.expected_reports()), "failed": len(bad)}


def test_downfile_redirects_to_the_file_host(universe, simulator):
    fengxi = simulator.portal("fengxi")
    asked = [(k, path) for k, _, path in universe[2] if k in ("fengxi", "fengxi" + FILE_HOST)]
    # Sets: a download that times out on a busy machine is asked again.
    downloads = {path for k, path in asked if k == "fengxi" and path.startswith("/module/download/downfile.jsp")}
    stored = {path for k, path in asked if k == "fengxi" + FILE_HOST and path != "/robots.txt"}
    assert len(downloads) == len(A.files(fengxi)) == 7
    assert stored == set(A.files(fengxi))
    assert [path for k, path in asked if k == "fengxi" and path.startswith("/attach/")] == []


def test_news_beside_attachment_reports_is_never_fetched(universe, simulator):
    for key in KEYS:
        p = simulator.portal(key)
        news = {i.doc_id for c in p.columns for i in c.items if not hasattr(i, "values")}
        fetched = [path for k, _, path in universe[2] if k == key and any(str(d) in path for d in news)]
        assert news and fetched == []


@pytest.fixture(scope="module")
def small_max(universe, simulator, tmp_path_factory):
    """The archive crawled again for 汀溪县 with a 100,000-byte maximum download size."""
    tmp = tmp_path_factory.mktemp("maxsize")
    data = tmp / "data"
    shutil.copytree(universe[0], data)
    dump(simulator.registry(["tingxi"]), tmp / "portals.yml")
    # --verify: every known report fetched again (a plain re-crawl leaves unchanged list entries alone).
    out = run_xxgk("crawl", "--data", data, "--fast", "-q", "--verify", "--registry", tmp / "portals.yml",
                   env={"XXGK_DOWNLOAD_MAXSIZE": "100000"})
    return data, out


def test_maximum_download_size_is_a_setting_and_a_refused_file_is_recorded(small_max, simulator):
    data, out = small_max
    p = simulator.portal("tingxi")
    png = next((c, it) for c, it in p.listed() if A.has_file(it) and it.file.kind == "png")
    url = file_url(simulator, p, *png)
    events = db(data).execute("select kind, url, reason from portal_events where portal = ? and run_id = "
                              "(select max(id) from crawl_runs) order by url", [p.name]).fetchall()
    assert ("too_large", url, "too large: 1 MiB announced, over the maximum download size of 98 KiB") in events
    assert sorted(k for k, _, _ in events) == ["corrupt", "too_large"]
    assert f"not archived (too_large): {url}: too large: 1 MiB announced" in out.stderr
    assert "Traceback" not in out.stderr
    # The rest of the portal is crawled as before: nothing new, nothing changed.
    assert "0 new, 0 changed" in out.stdout


def test_nothing_already_archived_is_lost_when_a_file_is_refused_later(small_max, universe, simulator):
    data, _ = small_max
    png = next(it for _, it in simulator.portal("tingxi").listed() if A.has_file(it) and it.file.kind == "png")
    before, after = archived(universe[0], png.organ.name, png.year), archived(data, png.organ.name, png.year)
    # Still linked, only refused by the new limit: the report stays online.
    assert after == before
    assert after["online"] == 1
    assert cells(data, after["id"]) == cells(universe[0], before["id"])
