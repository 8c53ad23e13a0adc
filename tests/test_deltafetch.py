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
from crawler.recrawl import in_rotation, rechecks_due
from crawler.registry import dump
from crawler.simulator.server import Simulator

from .conftest import run_xxgk

PORTALS = ["yunxi", "danxi"]  # TRS (ETags: re-checks are conditional) and Hanweb (no validators)
# Twelve months from October: three with columns at rest (their reports for the year before all
# archived), January to March (the season: every column read), six more at rest.
MONTHS = [f"2025-{m:02d}" for m in range(10, 13)] + [f"2026-{m:02d}" for m in range(1, 10)]
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
        run_xxgk("crawl", "--data", data, "--fast", "-q", "--registry", registry, "--month", "2025-09")
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
    db = sqlite_utils.Database(data / DB_NAME)
    found_so_far = set()
    for month, _, stdout, found in months:
        rechecked = rechecks_due(db, month, SHARE)
        due = {k for k, (_, _, url) in before.items() if url in rechecked}
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
    _, entries, _, _, _, months, data = year_of_months
    db = sqlite_utils.Database(data / DB_NAME)
    asked = Counter(p for _, requests, _, _ in months for _, method, p in requests)
    paths = {urlsplit(u).path + (f"?{urlsplit(u).query}" if urlsplit(u).query else "") for u in entries}
    assert {p: asked[p] for p in paths} == {p: 1 for p in paths}
    counts = []
    for month, requests, stdout, _ in months:
        due = len(rechecks_due(db, month, SHARE))
        assert sum(1 for _, _, p in requests if p in paths) == due, month
        assert f"{due} known re-checked" in stdout
        counts.append(due)
    # Balanced: each month re-checks its share, 109 reports in 12 months: 11 months of 9, one of
    # 10, where a hash of the URL against the month gave the same reports 4 to 14.
    assert len(entries) == 109 and sorted(counts) == [9] * 11 + [10]
    assert [sum(in_rotation(u, m, SHARE) for u in entries) for m in MONTHS] == [9, 5, 14, 12, 8, 7, 4, 10, 8, 14, 11, 7]


def test_a_month_reads_a_fraction_of_the_first_crawl(year_of_months):
    first, _, _, _, _, months, _ = year_of_months
    for month, requests, stdout, _ in months:
        assert "0 new" in stdout and "known with an unchanged list entry (not fetched)" in stdout
        assert len(requests) < 0.25 * len(first), month


def test_columns_read_every_month_in_season_and_in_turn_out_of_it(year_of_months):
    from crawler.recrawl import column_rests

    *_, months, data = year_of_months
    db = sqlite_utils.Database(data / DB_NAME)
    columns = {urlsplit(c).path: c for (c,) in db.execute("select distinct [column] from sources")}
    assert len(columns) == 8  # yunxi: the county's and four towns'; danxi: three (robots.txt forbids a fourth)
    rested = 0
    for month, requests, _, _ in months:
        read = {p for _, _, p in requests if p in columns}
        due = {p for p, c in columns.items() if not column_rests(c, month)}
        assert read == due, month
        rested += len(columns) - len(read)
        if month[5:] in ("01", "02", "03"):
            assert read == set(columns), month
    assert rested == 8 * 9 * 2 // 3  # out of season, each column rests in two runs of three


# Columns at rest ---------------------------------------------------------------------------------
# LonSun (its list fragments fetched by script) and gkmlpt (a JSON list per category, pages ≥ 2
# answering 404): the two platforms whose spiders ask for a list page by page in a re-crawl.
REST_PORTALS = ["yifeng", "nangang"]


def late_report(portal, column, year: int, posted):
    """A report posted late into a column that already holds the latest year's: at the top of
    the list (newest first by posting date)."""
    import random

    from archive import schema
    from crawler.simulator import world as w

    rng = random.Random(year * 7919 + int(column.key))
    organ = column.organ
    doc_id = max(i.doc_id for c in portal.columns for i in c.items) + 1
    r = w.SimReport(organ, year, "2021", w._title(rng, organ, year), posted, doc_id,
                    {"active": w._active(rng, "2021", 6),
                     "applications": w._applications(rng, "2021", {c: 0 for c in schema.APPLICANT_PARTS}, 6),
                     "reviews": w._reviews(rng, 6)})
    r.origin = r
    column.items.insert(0, r)
    return r


def kinds(requests, entry_paths) -> Counter:
    out = Counter()
    for _, _, path in requests:
        out["robots" if path == "/robots.txt" else "home" if path == "/" else "report" if path in entry_paths
            else "list"] += 1
    return out


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def has(archived, organ, year) -> bool:
    return (organ, year) in archived


@pytest.fixture(scope="module")
def resting(tmp_path_factory):
    from datetime import date

    tmp = tmp_path_factory.mktemp("resting")
    data, registry = tmp / "data", tmp / "portals.yml"
    with Simulator(seed=2024, only=REST_PORTALS) as sim:
        dump(sim.registry(), registry)
        yifeng, nangang = sim.portal("yifeng"), sim.portal("nangang")
        runs = {}

        def run(month, *extra):
            start = len(sim.requests)
            p = run_xxgk("crawl", "--data", data, "--fast", "-q", "--registry", registry, "--month", month, *extra)
            db = sqlite_utils.Database(data / DB_NAME)
            entries = {u for (u,) in db.execute("select distinct entry_url from sources")}
            columns = {c for (c,) in db.execute("select distinct [column] from sources")}
            archived = set(db.execute("select organ, year from reports").fetchall())
            runs[month] = (sim.requests[start:], p.stdout, entries, columns, archived)
            runs[month, "rechecked"] = rechecks_due(db, month, SHARE)

        run("2026-01")  # the first crawl: every town holds 2019-2025, the county 2008-2025
        run("2026-05")  # nothing new
        col = {c.key: c for c in yifeng.columns}
        # 钟鸣镇's column is read in 2026-06 (column_rests below); gkmlpt's rests in 06, is read in 07.
        new = late_report(yifeng, col["4973"], 2018, date(2026, 5, 20))
        late = late_report(nangang, next(c for c in nangang.columns if c.key == "2631"), 2018, date(2026, 5, 21))
        run("2026-06")
        run("2026-07")
        # 老洲乡's column rests in 2026-09: --every-list reads it all the same.
        flagged = late_report(yifeng, col["4972"], 2018, date(2026, 8, 3))
        run("2026-09", "--every-list")
    return runs, new, late, flagged


def test_column_rotation_reads_each_column_once_in_three_months():
    from crawler.recrawl import column_rests

    urls = [f"http://127.0.0.1:1/public/column/{k}?type=3&catId={k}&action=list" for k in range(4900, 5000)]
    for start in range(4, 12):
        months = [f"2026-{m:02d}" for m in range(start, start + 3) if m <= 12] or []
        if len(months) < 3:
            continue
        assert all(sum(not column_rests(u, m) for m in months) == 1 for u in urls), months
    assert not any(column_rests(u, f"2026-{m:02d}") for u in urls for m in (1, 2, 3))


def test_complete_and_dormant_columns():
    """Nothing is due until next January in a column holding the year before's report of every
    organ that reported the year before that, nor in a column whose newest report is two due
    years old or older (a merged town's); a column still missing a report is due."""
    from crawler.recrawl import complete_columns

    db = sqlite_utils.Database(memory=True)
    rows = {"done": [("县政府", 2024), ("县政府", 2025)],
            "missing": [("教育局", 2024), ("财政局", 2024), ("财政局", 2025)],
            "merged town": [("某乡", 2019), ("某乡", 2020)],
            "two years silent": [("某镇", 2023)],
            "one year silent": [("卫健局", 2024)],
            "old and new": [("旧乡", 2020), ("新镇", 2025)],
            "year unknown": [("某局", None)]}
    db["reports"].insert_all({"id": i, "organ": o, "year": y}
                             for i, (o, y) in enumerate(r for rs in rows.values() for r in rs))
    db["sources"].insert_all({"report_id": i, "column": c}
                             for i, c in enumerate(c for c, rs in rows.items() for _ in rs))
    assert complete_columns(db, 2025) == {"done", "merged town", "two years silent", "old and new"}
    # A year on, with nothing new, every column that held 2025's reports is due again.
    assert complete_columns(db, 2026) == {"merged town", "two years silent", "one year silent"}


def test_nothing_new_out_of_season_reads_only_the_columns_due(resting):
    from crawler.recrawl import column_rests, hub_rests

    runs, *_ = resting
    requests, stdout, entries, columns, _ = runs["2026-05"]
    assert "0 new" in stdout
    read = {c for c in columns if not column_rests(c, "2026-05")}
    lonsun = [c for c in columns if "/public/column/" in c]
    gkmlpt = [c for c in columns if c.endswith("/gkmlpt/index")]
    assert (len(lonsun), len(gkmlpt)) == (4, 1)
    due = len(runs["2026-05", "rechecked"])
    # The home pages (hubs: they lead to the columns) rest like the columns, spread over the
    # three months by the portal's name: both rest in May and July, both are read in June. The
    # columns they lead to are asked for all the same; so is /zwgk/, a page of 南岗's home page
    # that led to no column (it cannot be told from an empty column), in every run.
    homes = [k for k in ("义丰县人民政府", "南岗区人民政府") if not hub_rests(k, "/", "2026-05")]
    assert homes == []
    assert [sum(p == "/" for _, _, p in runs[m][0]) for m in ("2026-05", "2026-06", "2026-07")] == [0, 2, 0]
    assert [sum(p == "/zwgk/" for _, _, p in runs[m][0]) for m in ("2026-05", "2026-06", "2026-07")] == [1, 1, 1]
    # Each LonSun column read: its shell and its first fragment (all known: the second is not
    # asked for); gkmlpt read: its shell and page 1 of the 年报 category; /zwgk/.
    lists = 1 + 2 * len(read & set(lonsun)) + 2 * len(read & set(gkmlpt))
    got = kinds(requests, {path_of(u) for u in entries})
    assert got == Counter({"robots": 2, "home": len(homes), "report": due, "list": lists})
    assert sorted(path_of(c) for c in read) == sorted(p for _, _, p in requests if "/public/column/" in p
                                                      or p == "/gkmlpt/index")
    # The numbers for this seed: 2 of 5 columns read, no home page, 6 re-checks of 71 reports
    # (71/12): 13 requests where the first crawl made 91 or 92 (14 when the home pages were
    # read every run and a hash gave May 5 re-checks).
    assert (len(read), due, len(requests)) == (2, 6, 13)


def test_new_report_found_in_the_next_run_that_reads_its_column(resting):
    runs, new, late, _ = resting
    requests, stdout, *_, db = runs["2026-06"]
    assert has(db, new.organ.name, 2018) and not has(db, late.organ.name, 2018)
    assert "1 new" in stdout


def test_late_report_in_a_resting_column_found_when_its_turn_comes(resting):
    runs, new, late, _ = resting
    requests, stdout, *_, db = runs["2026-07"]
    assert has(db, late.organ.name, 2018)
    assert "1 new" in stdout
    # gkmlpt, page by page: page 1 of the 年报 category shows the new entry, so page 2 is asked
    # for; it answers 404 (this portal's quirk), so the three organs' categories are read.
    api = sorted(p for _, _, p in requests if "/gkmlpt/api/" in p)
    assert [p.split("?")[0].rsplit("/", 1)[1] + "?" + p.split("?")[1].split("&")[0] for p in api] == [
        "2629?page=1", "2629?page=2", "2630?page=1", "2631?page=1", "3101?page=1"]


def test_every_list_reads_resting_columns(resting):
    from crawler.recrawl import column_rests

    runs, _, _, flagged = resting
    requests, stdout, entries, columns, db = runs["2026-09"]
    assert column_rests(next(c for c in columns if "/public/column/4972" in c), "2026-09")
    assert has(db, flagged.organ.name, 2018)
    assert sorted(p for _, _, p in requests if "/public/column/" in p or p == "/gkmlpt/index") == sorted(
        path_of(c) for c in columns)


# Cheap re-checks ---------------------------------------------------------------------------------
def test_recheck_asks_for_attachments_only_if_the_page_changed_or_is_a_shell(tmp_path):
    """Two reports on a site without validators: one printed on its page and attached too, one
    whose page only says 详见附件 (the attachment is the report). A re-check (--verify) reads both
    pages; the first page's file only when the page's bytes changed."""
    from crawler.registry import dump as dump_registry
    from crawler.simulator.documents import docx_bytes

    from .hostile import Site, html, sim_reports

    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    (t1, page1, item1), (t2, _, item2) = sim_reports(2)
    with Site() as site:
        site.routes["/list.html"] = html(f'<ul><li><a href="/a.html">{t1}</a><span>2025-01-20</span></li>'
                                         f'<li><a href="/b.html">{t2}</a><span>2025-01-10</span></li></ul>', "政府信息公开年报")
        printed = page1.replace("</body>", f'<p>附件：<a href="/files/a.docx">{t1}.docx</a></p></body>')
        site.routes["/a.html"] = html(printed.split("<body>", 1)[1].rsplit("</body>", 1)[0], t1)
        site.routes["/b.html"] = html(f'<h1>{t2}</h1><p>详见附件。</p><p><a href="/files/b.docx">{t2}.docx</a></p>', t2)
        site.routes["/files/a.docx"] = (200, {"Content-Type": docx}, docx_bytes(item1))
        site.routes["/files/b.docx"] = (200, {"Content-Type": docx}, docx_bytes(item2))
        dump_registry([{"name": "续县", "level": "county", "platform": "longtail",
                        "start_urls": [f"{site.base}/list.html"]}], tmp_path / "portals.yml")
        crawl = ["crawl", "--data", tmp_path / "data", "--fast", "-q", "--registry", tmp_path / "portals.yml",
                 "--verify"]
        runs = []
        for change in (None, None, "<!-- 更正 -->"):
            if change:
                status, headers, body = site.routes["/a.html"]
                site.routes["/a.html"] = (status, headers, body.replace(b"</body>", change.encode() + b"</body>"))
            start = len(site.requests)
            out = run_xxgk(*crawl)
            runs.append((Counter(p for _, p in site.requests[start:]), out.stdout))
    first, same, changed = runs
    files = ("/a.html", "/files/a.docx", "/b.html", "/files/b.docx")
    assert [first[0][p] for p in files] == [1, 1, 1, 1]
    # a.html and a.docx: one report from two sources; b.docx: the other
    assert "3 reports seen: 2 new, 0 changed, 0 unchanged, 1 more sources of known reports" in first[1]
    assert [same[0][p] for p in files] == [1, 0, 1, 1]  # the page unchanged: its file not asked again
    assert [changed[0][p] for p in files] == [1, 1, 1, 1]  # the page changed: its file asked again
    assert ("3 reports seen: 0 new, 0 changed, 2 unchanged, 0 more sources of known reports, 0 failed, "
            "1 known with an unchanged list entry (not fetched)") in same[1]  # a.docx, not asked
    assert "3 reports seen: 0 new, 1 changed, 2 unchanged" in changed[1]  # a.html's new bytes, same tables


def test_a_list_in_oldest_first_order_is_read_to_its_end(tmp_path):
    """A re-crawl stops at a list's first page when all its entries are known, because lists
    are newest first (the LonSun fragments above: the second is not asked for). A list whose
    dates run the other way has its new entries on its last page: the reader sees the order on
    the first page and reads on."""
    from crawler.registry import dump as dump_registry

    from .hostile import Site, html, sim_reports

    reports = sim_reports(4)
    dates = ["2019-01-10", "2020-01-10", "2021-01-10", "2022-01-10"]

    def page(rows, more):
        items = "".join(f'<li><a href="/r{i}.html">{reports[i][0]}</a><span>{dates[i]}</span></li>' for i in rows)
        return html(f"<ul>{items}</ul>" + ('<a href="/list_2.html">下一页</a>' if more else ""), "政府信息公开年报")

    with Site() as site:
        for i, (title, body, _) in enumerate(reports):
            site.routes[f"/r{i}.html"] = html(body.split("<body>", 1)[1].rsplit("</body>", 1)[0], title)
        site.routes["/list.html"], site.routes["/list_2.html"] = page([0, 1], True), page([2], False)
        dump_registry([{"name": "续县", "level": "county", "platform": "longtail",
                        "start_urls": [f"{site.base}/list.html"]}], tmp_path / "portals.yml")
        crawl = ["crawl", "--data", tmp_path / "data", "--fast", "-q", "--registry", tmp_path / "portals.yml",
                 "--month", "2026-02", "--verify-share", "0"]
        assert "3 new" in run_xxgk(*crawl).stdout
        site.routes["/list_2.html"] = page([2, 3], False)  # the new report at the end
        start = len(site.requests)
        stdout = run_xxgk(*crawl).stdout
        asked = [p for _, p in site.requests[start:]]
    assert asked == ["/robots.txt", "/list.html", "/list_2.html", "/r3.html"] and "1 new" in stdout


# The re-check rotation ---------------------------------------------------------------------------
def rotation_db(urls):
    from crawler.recrawl import ensure_attachments

    db = sqlite_utils.Database(memory=True)
    db["sources"].create({"url": str, "entry_url": str, "entry": str, "column": str})
    ensure_attachments(db)
    add_sources(db, urls)
    return db


def add_sources(db, urls):
    db["sources"].insert_all({"url": u, "entry_url": u, "entry": '["t", ""]', "column": "c"} for u in urls)


def test_rotation_takes_exactly_its_share_each_month():
    from crawler.recrawl import join_rotation

    urls = [f"http://127.0.0.1:1/zfxxgknb/2025{i:04d}/t{i}.html" for i in range(335)]
    db = rotation_db(urls)
    assert join_rotation(db) == 335 and join_rotation(db) == 0
    months = [f"2026-{m:02d}" for m in range(4, 13)] + [f"2027-{m:02d}" for m in range(1, 4)]
    slices = [rechecks_due(db, m, SHARE) for m in months]
    assert sorted(len(s) for s in slices) == [27] * 1 + [28] * 11  # 335 = 11 × 28 + 27
    assert Counter(u for s in slices for u in s) == Counter({u: 1 for u in urls})
    # A hash of each URL against the month (the columns' rotation) spreads the same reports unevenly.
    by_hash = Counter(m for m in months for u in urls if in_rotation(u, m, SHARE))
    assert max(by_hash.values()) - min(by_hash.values()) > 5
    # Another share: 1/20 of them each month, each once in 20 months.
    twenty = [f"{2026 + m // 12}-{m % 12 + 1:02d}" for m in range(20)]
    assert sorted(len(rechecks_due(db, m, 0.05)) for m in twenty) == [16] * 5 + [17] * 15


def test_reports_joining_never_delay_the_others():
    """Reports join each month (many in January, a few after): each month still re-checks its
    share of what is known, and no report goes more than 12 runs without a re-check, from the
    run it joined."""
    import random

    from crawler.recrawl import join_rotation

    rng = random.Random(13)
    n = 0

    def new(k):
        nonlocal n
        n += k
        return [f"http://127.0.0.1:1/nb/{rng.getrandbits(40):x}/t{i}.html" for i in range(n - k, n)]

    db = rotation_db(new(200))
    joined: dict[str, int] = {}
    checks: dict[str, list[int]] = {}
    for t in range(48):  # four years of monthly runs from January 2026
        month = f"{2026 + t // 12}-{t % 12 + 1:02d}"
        join_rotation(db)
        for (u,) in db.execute("select url from rechecks"):
            joined.setdefault(u, t)
        due = rechecks_due(db, month, SHARE)
        assert len(due) in (len(joined) // 12, -(-len(joined) // 12)), month
        for u in due:
            checks.setdefault(u, []).append(t)
        add_sources(db, new(40 if t % 12 == 0 else rng.randrange(0, 4)))
    assert len(joined) > 400
    for u, t0 in joined.items():
        runs = [t0 - 1] + checks.get(u, [])  # the run before it joined: its fetch as a new report
        # the first re-check within 12 runs of joining, then one every 12 runs exactly
        assert runs[1] - runs[0] <= 12 if len(runs) > 1 else 47 - t0 < 12, u
        assert all(b - a == 12 for a, b in zip(runs[1:], runs[2:])), u
        assert 47 - runs[-1] < 12, u


def test_a_month_rechecks_once_however_many_runs_it_has(tmp_path):
    """`xxgk schedule` crawls every Monday from January to March: the month's share of re-checks
    is asked for by its first clean run only; a run with another share asks for its own."""
    from crawler.registry import dump as dump_registry

    from .hostile import Site, html, sim_reports

    reports = sim_reports(4)
    with Site() as site:
        items = "".join(f'<li><a href="/r{i}.html">{t}</a><span>2025-01-{10 + i}</span></li>'
                        for i, (t, _, _) in reversed(list(enumerate(reports))))
        site.routes["/list.html"] = html(f"<ul>{items}</ul>", "政府信息公开年报")
        for i, (title, body, _) in enumerate(reports):
            site.routes[f"/r{i}.html"] = html(body.split("<body>", 1)[1].rsplit("</body>", 1)[0], title)
        dump_registry([{"name": "续县", "level": "county", "platform": "longtail",
                        "start_urls": [f"{site.base}/list.html"]}], tmp_path / "portals.yml")
        asked = []
        for month, share in (("2026-02", "0.5"), ("2026-03", "0.5"), ("2026-03", "0.5"), ("2026-03", "0.25"),
                             ("2026-03", "0.25")):
            start = len(site.requests)
            run_xxgk("crawl", "--data", tmp_path / "data", "--fast", "-q", "--registry", tmp_path / "portals.yml",
                     "--month", month, "--verify-share", share)
            asked.append(sum(1 for _, p in site.requests[start:] if p.startswith("/r") and p != "/robots.txt"))
    # The first crawl fetches all 4; March's first run re-checks its half (2), the next none; a
    # run with a quarter share re-checks its quarter (1), once.
    assert asked == [4, 2, 0, 1, 0]
