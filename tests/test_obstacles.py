"""Every obstacle of the simulator ends with the status the ground truth names, robots.txt is
obeyed, challenges are recorded and never answered, and the status table is served."""
import subprocess

import httpx
import pytest

from crawler.registry import dump
from crawler.simulator.server import Simulator
from crawler.simulator.universe import build_universe

from .conftest import free_port, run_xxgk, wait_http
from .universe import db, status_of

EXPECTED = {  # portal key → (status, reason as recorded; None for an unremarkable success)
    "yunxi": ("ok", None), "qinghu": ("ok", None), "yunling": ("ok", None), "yifeng": ("ok", None),
    "jianyang": ("ok", None), "hedong": ("ok", None), "wuxi": ("ok", None),
    "bots404": ("ok", None), "redirect": ("ok", None),
    "nangang": ("ok", "list pages ≥ 2 answer 404 (gkmlpt quirk): reports read category by category"),
    "jsl": ("blocked", "加速乐 (JSL) cookie challenge: HTTP 521 with a __jsl_clearance script"),
    "ruishu": ("blocked", "瑞数 WAF 412 Environment Checking page"),
    "nwaf": ("blocked", "WAF 405 page (NWAF, 事件ID)"),
    "wzws": ("blocked", "wzws cookie challenge (安全狗/网站卫士)"),
    "bots403": ("disallowed", "robots.txt answered 403: crawling refused"),
    "dead": ("failed", "HTTP 404"),
    "soft404": ("failed", "soft 404: HTTP 200 with a 页面不存在 page"),
    "stall": ("failed", "timeout: no answer in time"),
    "reset": ("failed", "connection reset or closed before a complete answer"),
}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_recorded_status(universe, simulator, key):
    assert status_of(universe[0], simulator.portal(key)) == EXPECTED[key]


def test_status_agrees_with_ground_truth(universe, simulator):
    for p in simulator.portals:
        status, reason = status_of(universe[0], p)
        assert status == p.expect_status, p.key
        assert (p.expect_reason or "") in (reason or ""), p.key


def test_statuses_whose_reason_names_the_url(universe, simulator):
    nobots, moved, danxi = simulator.portal("nobots"), simulator.portal("moved"), simulator.portal("danxi")
    assert status_of(universe[0], nobots) == ("disallowed", f"robots.txt forbids {simulator.base('nobots')}/")
    assert status_of(universe[0], moved) == (
        "failed", f"column moved: redirected to the home page {simulator.base('moved')}/")
    assert status_of(universe[0], danxi) == (
        "ok", f"robots.txt forbids 1 URLs, first {simulator.base('danxi')}/col/col1229325039/index.html")


def test_every_portal_has_one_status_row(universe, simulator):
    rows = db(universe[0]).execute("select portal, reports_found, reports_new, blocked from portal_status").fetchall()
    want = [(p.name, p.expected_found(), len(p.expected_reports()), int(p.expect_status == "blocked"))
            for p in simulator.portals]
    assert sorted(rows) == sorted(want)


def test_robots_txt_obeyed(universe, simulator):
    asked = lambda key: [path for k, _, path in universe[2] if k == key]
    assert asked("nobots") == ["/robots.txt"]
    assert asked("bots403") == ["/robots.txt"]
    assert [p for p in asked("danxi") if p.startswith("/col/col1229325039/")] == []
    assert [(k, p) for k, _, p in universe[2] if p.startswith("/_simulator/")] == []


def test_challenge_stops_the_portal_crawl(universe, simulator):
    """One challenge page is enough: no retry, no cookie replay, nothing else asked."""
    for key in ("jsl", "ruishu", "nwaf", "wzws"):
        paths = [p for k, _, p in universe[2] if k == key]
        assert paths == ["/robots.txt", "/"], key


def test_events_logged(universe, simulator):
    events = db(universe[0]).execute(
        "select portal, kind from portal_events where portal in ('石门县人民政府', '永和县人民政府', '汾西县人民政府')"
        " order by portal, kind").fetchall()
    assert events == [("永和县人民政府", "disallowed"), ("汾西县人民政府", "start_failed"), ("石门县人民政府", "blocked")]


def test_crawl_summary_names_each_portal(universe):
    out = universe[1].stdout
    assert "crawl: " in out and "352 new" in out
    assert "  blocked       0 found    0 new  石门县人民政府  (加速乐 (JSL) cookie challenge" in out


def test_datasette_shows_portal_status(universe):
    from archive.publish import datasette_command

    port = free_port()
    proc = subprocess.Popen(datasette_command(universe[0], port=port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http(f"http://127.0.0.1:{port}/-/versions.json")
        rows = httpx.get(f"http://127.0.0.1:{port}/xxgk/portal_status.json",
                         params={"_shape": "array", "status": "blocked", "_col": "reason"}).json()
        assert sorted(r["portal"] for r in rows) == ["东源县人民政府", "枞阳县人民政府", "石门县人民政府", "金堂县人民政府"]
    finally:
        proc.terminate()
        proc.wait(10)


def test_portal_that_stops_yielding_warns_and_loses_nothing(tmp_path):
    """A portal crawled fine, then behind a challenge: blocked, warned about, its reports kept."""
    portal = next(p for p in build_universe() if p.key == "bots404")
    with Simulator(portals=[portal]) as sim:
        dump(sim.registry(), tmp_path / "portals.yml")
        crawl = lambda: run_xxgk("crawl", "--data", tmp_path / "data", "--fast", "-q", "--registry", tmp_path / "portals.yml")
        crawl()
        portal.obstacle = "jsl"
        out = crawl().stdout
    archive = db(tmp_path / "data")
    row = next(archive.query("select status, reports_found, most_found, last_success, warning from portal_status"))
    assert row["status"] == "blocked" and row["reports_found"] == 0 and row["most_found"] == 3
    assert row["warning"] == (f"yielded 3 reports before (last success {row['last_success']}), none now: blocked "
                              "(加速乐 (JSL) cookie challenge: HTTP 521 with a __jsl_clearance script)")
    assert "WARNING: yielded 3 reports before" in out
    assert archive["reports"].count == 3
    assert archive.execute("select reports_new, blocked from crawl_runs order by id").fetchall() == [(3, 0), (0, 1)]


def test_bad_responses_are_one_line_each_never_a_traceback(universe, simulator):
    err = universe[1].stderr
    assert "Traceback" not in err
    for key, reason in (("dead", "HTTP 404"), ("soft404", "soft 404"), ("reset", "connection reset"),
                        ("jsl", "portal blocked: 加速乐")):
        p = simulator.portal(key)
        lines = [line for line in err.splitlines() if f"{simulator.base(key)}{p.start_path}: " in line and reason in line]
        assert len(lines) == 1, (key, err)


def test_gkmlpt_host_resets_clients_that_do_not_name_themselves(simulator):
    with pytest.raises(httpx.TransportError):
        httpx.get(simulator.base("nangang") + "/gkmlpt/index", headers={"User-Agent": "python-httpx"})
    named = httpx.get(simulator.base("nangang") + "/gkmlpt/index", headers={"User-Agent": "xxgk-archive/0.1 (+https://x)"})
    assert named.status_code == 200
