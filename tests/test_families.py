"""The portal families of portal-evidence.md (crawler/simulator/families.py), crawled over HTTP
through the registry and compared with the ground truth: every report once, every listed URL as
a source, every cell, no news, the right status, and what each list declares against what the
crawl reached."""
from __future__ import annotations

import json
import re

import pytest

from crawler.registry import dump
from crawler.simulator.families import build_families
from crawler.simulator.listing import page_name
from crawler.simulator.server import Simulator

from .conftest import run_xxgk
from .universe import check_cells, check_no_news, check_reports, check_sources, db

COMPLETE = ["trsdyn", "hexmon", "nbtree", "vsb", "shaanxi", "hanwebnb", "lonsunnb", "lonsunyear", "openness", "hunan", "hebei", "ucap",
            "pager-index_n", "pager-index_n2", "pager-list_n", "pager-query", "pager-cur_page", "pager-n_html",
            "pager-vsb", "script-trs_script", "script-count_page", "script-parse_int", "stubs", "jsonly"]


@pytest.fixture(scope="module")
def families(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("families")
    with Simulator(families=True) as sim:
        dump(sim.registry(), tmp / "portals.yml")
        # No obstacle here is a slow answer: a generous timeout keeps a loaded machine from
        # turning into failed pages.
        out = run_xxgk("crawl", "--data", tmp / "data", "--fast", "--timeout", "15", "-q", "--registry",
                       tmp / "portals.yml", check=False)
        yield tmp / "data", out, sim


def status(data, portal) -> dict:
    return next(db(data).query("select * from portal_status where portal = ?", [portal.name]))


def test_every_family_is_in_the_simulator():
    styles = {p.style for p in build_families()}
    assert styles == {"trsdyn", "hexmon", "nbtree", "vsb", "shaanxi", "hanwebnb", "lonsunnb", "lonsunyear", "openness", "hunan",
                      "hebei", "ucap", "pagers"}


@pytest.mark.parametrize("key", COMPLETE)
def test_family_crawled_completely(families, key):
    data, out, sim = families
    portal = sim.portal(key)
    assert portal.expected_reports()
    check_reports(data, portal)
    check_sources(data, sim, portal)
    check_cells(data, portal)
    if key not in ("hanwebnb", "lonsunyear"):  # annual-report modules list nothing but reports
        check_no_news(data, portal)
    row = status(data, portal)
    assert row["status"] == portal.expect_status == "ok"
    if portal.expect_reason:
        assert portal.expect_reason in row["reason"]
    else:
        assert row["reason"] is None and row["warning"] is None
    assert row["reports_found"] == portal.expected_found()


def test_exact_cell_counts(families):
    data, _, sim = families
    counts = {k: check_cells(data, sim.portal(k)) for k in ("trsdyn", "hexmon", "nbtree", "vsb", "shaanxi")}
    assert counts == {"trsdyn": 4188, "hexmon": 4188, "nbtree": 6980, "vsb": 2792, "shaanxi": 2792}


def test_trs_dynamic_pages_come_from_the_search_api(families):
    """Page 1 is static; the other pages only through POST /fjdzapp/search, with the script's
    own parameters (`"" || "chnlid=1813"` is chnlid=1813), in both JSON spellings."""
    data, _, sim = families
    forms = [b.decode() for k, path, b in sim.posts if k == "trsdyn" and path == "/fjdzapp/search"]
    county, towns = sim.portal("trsdyn").columns
    want = set()
    for col in (county, towns):
        pages = -(-len(col.items) // col.per_page)
        for page in range(2, pages + 1):
            want.add((col.key, page))
    got = []
    for form in forms:
        f = dict(x.split("=", 1) for x in form.split("&"))
        assert f["channelid"] == "200210" and f["sortfield"].startswith("-docorderpri")
        got.append((f["classsql"].removeprefix("chnlid%3D"), int(f["page"])))
    assert sorted(got) == sorted(want)  # each page once
    row = status(data, sim.portal("trsdyn"))
    assert (row["declared"], row["reached"]) == (len(county.items) + len(towns.items),) * 2


def test_unreachable_pages_show_declared_against_reached(families):
    """A list whose later pages only a goPage() script draws: the first page is archived, and
    the list's 共N条 stands against what was reached, with a warning."""
    data, out, sim = families
    portal = sim.portal("jsonly")
    col = portal.columns[0]
    row = status(data, portal)
    assert (row["status"], row["declared"], row["reached"]) == ("ok", len(col.items), col.per_page)
    assert f"lists declare {len(col.items)} items, {col.per_page} reached" in row["warning"]
    assert f"declared {len(col.items)}, reached {col.per_page}" in row["coverage"]
    assert f"WARNING: lists declare {len(col.items)} items" in out.stdout
    events = [r["kind"] for r in db(data).query("select kind from portal_events where portal = ?", [portal.name])]
    assert events == ["coverage"]


def test_lists_that_state_their_size_were_reached_in_full(families):
    data, _, sim = families
    for key in ("vsb", "openness"):
        portal = sim.portal(key)
        row = status(data, portal)
        assert row["declared"] == row["reached"] == sum(len(c.items) for c in portal.columns), key


def test_random_pager_long_tail_read_by_the_generic_reader(families):
    """Portals no module is written for, each paged in one spelling with a pager drawn at random:
    every page is read once, no page that does not exist is asked for."""
    data, _, sim = families
    seen = set()
    for p in sim.portals:
        if not p.key.startswith(("pager-", "script-")):
            continue
        col = p.columns[0]
        spelling, control = col.opts["spelling"], col.opts["control"]
        seen.add(control)
        count = -(-len(col.items) // col.per_page)
        want = {"/xxgk/nb/" + page_name(spelling, k, count) for k in range(count)}
        got = {path for k, m, path in sim.requests if k == p.key and path.startswith("/xxgk/nb/")}
        assert got == want, (p.key, control)
        assert db(data).execute("select count(*) from sources where url like ?", [sim.base(p.key) + "/%"]).fetchone()[0] \
            == len(p.expected_listings())
    assert {"trs_script", "count_page", "parse_int", "links"} <= seen


def test_twins_are_never_fetched(families):
    _, _, sim = families
    asked = [path for k, _, path in sim.requests if k == "hexmon"]
    assert not [p for p in asked if p.endswith("_app.shtml") or p.startswith("/big5/")]
    assert any(p.endswith("zfxxgkMultiList_2.shtml") for p in asked)


def test_content_farm_mirror_is_never_fetched(families):
    data, _, sim = families
    assert sim.portal("hexmon").extra["mirror_base"]
    assert [r for r in sim.requests if r[0] == "hexmon@mirror"] == []
    mirror = sim.portal("hexmon").extra["mirror_base"]
    assert db(data).execute("select count(*) from sources where url like ?", [mirror + "/%"]).fetchone()[0] == 0


def test_json_search_and_script_lists_are_paged_through(families):
    """Heilongjiang's /common/search/<channel> JSON and Hebei's script-loaded list: every page
    asked, the declared total reached; Hebei's path date is not the publication date."""
    data, _, sim = families
    ucap = sim.portal("ucap")
    # (a set: under load a slow answer may be retried)
    pages = sorted({re.search(r"[?&]page=(\d+)", p).group(1) for k, _, p in sim.requests
                    if k == "ucap" and p.startswith("/common/search/")})
    assert pages == [str(n) for n in range(1, -(-len(ucap.columns[0].items) // 15) + 1)]
    for key in ("ucap", "hebei"):
        row = status(data, sim.portal(key))
        assert row["declared"] == row["reached"] == len(sim.portal(key).columns[0].items)
    hebei = sim.portal("hebei")
    from crawler.simulator.server import item_path

    col = hebei.columns[0]
    moved = [r for r in hebei.expected_reports() if f"/{r.pub_date:%Y%m}/" not in item_path(hebei, col, r)]
    assert len(moved) == len(hebei.expected_reports())  # every path date differs; check_reports saw the real dates


def test_report_year_is_read_from_the_report_not_the_folder(families):
    data, _, sim = families
    row = db(data).execute("select reports.year, sources.url from reports join sources on sources.report_id = reports.id"
                           " where reports.organ = '东川区人民政府' and sources.url like '%/2019nb/%'"
                           " order by reports.year").fetchall()
    assert [y for y, _ in row] == [2018, 2024]


def test_stub_pages_are_failed_fetches_never_reports(families):
    data, _, sim = families
    portal = sim.portal("stubs")
    stubs = portal.expected_stubs()
    assert [r.year for _, r in stubs] == [2023, 2020]
    row = status(data, portal)
    assert row["failed"] == 2 and "no report body" in row["reason"]
    events = list(db(data).query("select url, reason from portal_events where portal = ? and kind = 'error'", [portal.name]))
    assert sorted(e["url"] for e in events) == sorted(sim.base("stubs") + f"/xxgk/art/{r.pub_date:%Y}/{r.doc_id}.html"
                                                      for _, r in stubs)
    assert all(re.match(r"no report body: a 200 answer of \d+ bytes", e["reason"]) for e in events)


def test_single_page_app_shell_is_no_column(families):
    data, _, sim = families
    row = status(data, sim.portal("spa"))
    assert row["status"] == "failed" and "no 年报" in row["reason"] and row["reports_found"] == 0


@pytest.mark.parametrize("key, given, served", [("https-only", "http", "https"), ("http-only", "https", "http")])
def test_a_host_of_one_scheme_is_read_over_it(families, key, given, served):
    """The registry gives the other scheme: the start URL fails (HTTP 404; a failed TLS handshake)
    and is tried once over the scheme the host serves; every report is archived from there."""
    from crawler.simulator.server import item_path

    data, out, sim = families
    portal = sim.portal(key)
    check_reports(data, portal)
    check_cells(data, portal)
    base = sim.base(key, served)
    got = {u for (u,) in db(data).execute("select url from sources where url like ?", [base + "/%"])}
    assert got == {base + item_path(portal, c, it) for c, it in portal.expected_listings()}
    row = status(data, portal)
    first = sim.base(key, given) + portal.start_path
    reason = "HTTP 404" if given == "http" else "connection reset or closed before a complete answer"
    assert (row["status"], row["reason"]) == ("ok", f"{first}: {reason}; answered over {served}")
    assert "robotstxt.py" not in out.stderr  # an unreachable robots.txt is one line, not a traceback


def test_cookie_on_a_302_to_itself_is_replayed(families):
    _, _, sim = families
    portal = sim.portal("shaanxi")
    first = next(path for k, _, path in sim.requests if k == "shaanxi" and path != "/robots.txt")
    asked = [path for k, _, path in sim.requests if k == "shaanxi"]
    assert first == portal.start_path and asked.count(portal.start_path) == 2  # the 302, then with the cookie


def test_truth_is_served(families):
    _, _, sim = families
    import httpx

    t = json.loads(httpx.get(sim.base("vsb") + "/_simulator/truth.json").text)
    assert t["platform"] == "longtail" and len(t["reports"]) == len(sim.portal("vsb").reports())
