"""Resume loses nothing: a report page archived before its attachment, the crawl killed while the
attachment is on its way, is read again by the resumed crawl and the attachment archived; an
attachment whose download failed is asked for again by the next run, although its page answers
304 Not Modified."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time

from crawler.simulator.documents import docx_bytes

from .conftest import ROOT, XXGK, run_xxgk
from .hostile import Site, html, sim_reports

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def portal(site: Site, title: str, page: str) -> None:
    """A list with one report whose page prints it and attaches it too (one report, two sources);
    the page has an ETag, so a re-crawl asks for it conditionally."""
    site.routes["/list.html"] = html(f'<ul><li><a href="/report.html">{title}</a></li></ul>', "政府信息公开年报")
    link = f'<p>附件：<a href="/files/report.docx">{title}.docx</a></p>'
    body = page.replace("</body>", link + "</body>").encode()

    def article(_site, handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {"Content-Type": "text/html; charset=utf-8", "ETag": '"v1"'}, body

    site.routes["/report.html"] = article


def sources(data) -> list[str]:
    if not (data / "xxgk.db").exists():
        return []
    db = sqlite3.connect(data / "xxgk.db")
    try:
        return sorted(u.rsplit("/", 1)[1] for (u,) in db.execute("select url from sources"))
    except sqlite3.OperationalError:
        return []
    finally:
        db.close()


def registry(site: Site, tmp_path):
    from crawler.registry import dump

    dump([{"name": "续县", "level": "county", "platform": "longtail", "start_urls": [f"{site.base}/list.html"]}],
         tmp_path / "portals.yml")
    return tmp_path / "portals.yml"


def test_killed_before_the_attachment_then_resumed(tmp_path):
    (title, page, item), = sim_reports(1)
    doc = docx_bytes(item)
    data = tmp_path / "data"
    with Site() as site:
        portal(site, title, page)
        hang = {"on": True}

        def attachment(_site, handler):
            while hang["on"]:
                time.sleep(0.1)
            return 200, {"Content-Type": DOCX}, doc

        site.routes["/files/report.docx"] = attachment
        crawl = ["crawl", "--data", str(data), "--fast", "-q", "--timeout", "60", "--registry", str(registry(site, tmp_path))]
        proc = subprocess.Popen([*XXGK, *crawl], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        for _ in range(600):
            if sources(data) == ["report.html"] and "/files/report.docx" in site.paths():
                break
            time.sleep(0.1)
        assert sources(data) == ["report.html"]
        os.killpg(proc.pid, signal.SIGKILL)  # the page archived, its attachment on its way
        proc.wait()
        hang["on"] = False
        out = run_xxgk(*crawl)
    assert sources(data) == ["report.docx", "report.html"], out.stdout
    db = sqlite3.connect(data / "xxgk.db")
    assert db.execute("select count(*) from reports").fetchone()[0] == 1
    assert db.execute("select state from attachments").fetchall() == [("archived",)]
    assert [s for (s,) in db.execute("select status from crawl_runs order by id")] == ["interrupted", "finished"]


def test_failed_download_is_retried_next_run(tmp_path):
    (title, page, item), = sim_reports(1)
    doc = docx_bytes(item)
    data = tmp_path / "data"
    with Site() as site:
        portal(site, title, page)
        site.routes["/files/report.docx"] = (503, {"Content-Type": "text/html"}, b"<html>busy</html>")
        crawl = ["crawl", "--data", str(data), "--fast", "-q", "--registry", str(registry(site, tmp_path))]
        run_xxgk(*crawl, check=False)
        assert sources(data) == ["report.html"]
        db = sqlite3.connect(data / "xxgk.db")
        assert db.execute("select state, reason from attachments").fetchall() == [("failed", "HTTP 503")]
        db.close()
        site.routes["/files/report.docx"] = (200, {"Content-Type": DOCX}, doc)
        run_xxgk(*crawl)
        assert sources(data) == ["report.docx", "report.html"]
        asked = site.paths()
        # the page asked again in full (its attachment was owed); then, with nothing owed, a
        # plain re-crawl leaves the unchanged list entry alone and --verify gets a 304
        run_xxgk(*crawl)
        third = site.paths()[len(asked):]
        run_xxgk(*crawl, "--verify")
        fourth = site.paths()[len(asked) + len(third):]
    assert third.count("/files/report.docx") == 0 and third.count("/report.html") <= 1  # in this month's share or not
    assert fourth.count("/files/report.docx") == 0 and fourth.count("/report.html") == 1
    db = sqlite3.connect(data / "xxgk.db")
    assert db.execute("select state from attachments").fetchall() == [("archived",)]
    assert db.execute("select count(*) from reports").fetchone()[0] == 1
