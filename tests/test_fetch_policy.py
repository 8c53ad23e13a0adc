"""Only what is ours to fetch: a hostile portal on 127.0.0.1 links (as list items, redirects and
attachments) to other schemes, to addresses inside our network and to another local server
standing in for "off-site". The crawl archives the portal's own reports, never asks the off-site
server anything, skips page-script links silently and counts every refused link."""
from __future__ import annotations

import sqlite3

from crawler.offsite import Policy, public_address, refusal

from .conftest import run_xxgk
from .hostile import Site, html, sim_reports


def test_policy_rules():
    assert not public_address("127.0.0.1") and not public_address("10.0.0.1")
    assert not public_address("169.254.169.254") and not public_address("224.0.0.1")
    assert not public_address("::1") and not public_address("::ffff:192.168.1.1") and not public_address("fe80::1")
    assert not public_address("100.64.0.1") and not public_address("0.0.0.0")
    assert public_address("202.96.134.133")
    p = Policy(["http://www.yunxi.gov.cn/zwgk/", "http://127.0.0.1:8800/col/"])
    assert refusal(p, "http://zwgk.yunxi.gov.cn/a.html", ["202.96.134.133"], False) is None  # registered domain
    assert "off-site" in refusal(p, "http://www.example.com/a.pdf", ["93.184.216.34"], False)
    assert refusal(p, "http://cdn.example.com/a.pdf", ["93.184.216.34"], True) is None  # the portal's own link
    assert "inside our own network" in refusal(p, "http://zwgk.yunxi.gov.cn/", ["10.1.2.3"], False)
    # the portal's own name, rebound to an inner address, is refused too
    assert "resolves to 127.0.0.1" in refusal(p, "http://www.yunxi.gov.cn/zwgk/a.html", ["127.0.0.1"], False)
    assert refusal(p, "http://127.0.0.1:8800/other.html", ["127.0.0.1"], False) is None  # the local portal itself
    assert "inside our own network" in refusal(p, "http://127.0.0.1:8801/", ["127.0.0.1"], True)
    assert "not an http(s) link" in refusal(p, "file:///etc/passwd", [], True)
    assert "not an http(s) link" in refusal(p, "ftp://127.0.0.1:8800/a.pdf", [], True)


def test_hostile_portal(tmp_path):
    from crawler.registry import dump

    reports = sim_reports(5)
    with Site() as offsite, Site() as portal:
        offsite.routes["/r.html"] = html(reports[0][1], reports[0][0])
        off = offsite.base
        hostile = [  # (href, title): each a report title, so a naive crawler would fetch it
            ("file:///etc/passwd", "甲镇2023年政府信息公开工作年度报告"),
            (f"ftp://127.0.0.1:{offsite.port}/a.pdf", "乙镇2023年政府信息公开工作年度报告"),
            ("http://169.254.169.254/latest/meta-data/", "丙镇2023年政府信息公开工作年度报告"),
            ("http://10.0.0.1/report.html", "丁镇2023年政府信息公开工作年度报告"),
            (f"{off}/r.html", "戊镇2023年政府信息公开工作年度报告"),
            (f"http://localhost:{offsite.port}/r.html", "己镇2023年政府信息公开工作年度报告"),
            ("/redirect.html", "庚镇2023年政府信息公开工作年度报告"),  # the portal's own 302 to off-site
            ("/shell.html", "辛镇2023年政府信息公开工作年度报告"),  # 详见附件, attachments off-site
            ("ftp:report.pdf", "丑镇2023年政府信息公开工作年度报告"),  # Scrapy itself would raise on these
            ("file:/etc/shadow", "寅镇2023年政府信息公开工作年度报告"),
        ]
        silent = [("javascript:void(0)", "壬镇2023年政府信息公开工作年度报告"),
                  ("mailto:gk@example.gov.cn", "癸镇2023年政府信息公开工作年度报告"),
                  ("tel:0591-12345678", "子镇2023年政府信息公开工作年度报告"),
                  ("JavaScript :goTo(3)", "卯镇2023年政府信息公开工作年度报告")]
        items = silent[:1] + [(f"/r{i}.html", t) for i, (t, _, _) in enumerate(reports)] + silent[1:] + hostile
        portal.routes["/list.html"] = html("<ul>" + "".join(f'<li><a href="{h}">{t}</a> 2024-03-01</li>'
                                                            for h, t in items) + "</ul>"
                                           '<a href="javascript:goPage(2)">下一页</a>', "政府信息公开年报")
        for i, (title, page, _) in enumerate(reports):
            portal.routes[f"/r{i}.html"] = (200, {"Content-Type": "text/html; charset=utf-8"}, page.encode())
        portal.routes["/redirect.html"] = (302, {"Location": f"{off}/moved.html"}, b"")
        portal.routes["/shell.html"] = html(
            f'<div id="zoom"><p>详见附件</p><a href="{off}/辛镇2023年政府信息公开工作年度报告.pdf">'
            '辛镇2023年政府信息公开工作年度报告.pdf</a><a href="file:///etc/辛镇2023年政府信息公开工作年度报告.pdf">'
            '辛镇2023年政府信息公开工作年度报告.pdf</a></div>', "辛镇2023年政府信息公开工作年度报告")
        dump([{"name": "恶意县", "level": "county", "platform": "longtail", "start_urls": [f"{portal.base}/list.html"]}],
             tmp_path / "portals.yml")
        out = run_xxgk("crawl", "--data", tmp_path / "data", "--fast", "-q", "--registry", tmp_path / "portals.yml")

        assert offsite.requests == []  # nothing, not even robots.txt
        assert sorted(p for p in portal.paths() if p.startswith("/r") and p != "/robots.txt") == [
            "/r0.html", "/r1.html", "/r2.html", "/r3.html", "/r4.html", "/redirect.html"]
    db = sqlite3.connect(tmp_path / "data" / "xxgk.db")
    assert db.execute("select count(*) from reports").fetchone()[0] == 5
    assert sorted(u for (u,) in db.execute("select url from sources")) == [f"{portal.base}/r{i}.html" for i in range(5)]
    # 8 hostile list items + the redirect's target + 2 off-site attachments; javascript:/mailto:/tel: silent
    status = db.execute("select status, refused, reports_found from portal_status where portal = '恶意县'").fetchone()
    assert status == ("ok", 11, 5), out.stdout
    refused = sorted(u for (u,) in db.execute("select url from portal_events where kind = 'refused'"))
    assert len(refused) == 11
    assert "file:///etc/passwd" in refused and f"{off}/r.html" in refused and f"{off}/moved.html" in refused
    assert not any(u.lower().startswith(("javascript", "mailto", "tel")) for u in refused)
    assert "ftp:report.pdf" in refused and "file:/etc/shadow" in refused
    assert db.execute("select count(*) from portal_events where url like 'javascript%' or url like 'mailto%'").fetchone()[0] == 0
