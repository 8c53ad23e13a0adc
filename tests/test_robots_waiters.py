"""robots.txt is obeyed by every request that waits for it. Scrapy 2.19 hands a host's parser to
the first request waiting for robots.txt and None ("allowed") to the next ones, so a portal
whose first requests leave together (several start URLs; a re-crawl asking for the columns of
a home page at rest) had all but one of them let through unchecked (crawler/middlewares.py)."""
import time

from crawler.registry import dump

from .conftest import run_xxgk
from .hostile import Site, html, sim_reports


def test_requests_waiting_for_robots_txt_obey_it(tmp_path):
    reports = sim_reports(3)

    def slow_robots(site, handler):
        time.sleep(0.5)  # the three start requests are all waiting for it
        return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /b/\nDisallow: /c/\n"

    with Site() as site:
        site.routes["/robots.txt"] = slow_robots
        for i, name in enumerate("abc"):
            title, body, _ = reports[i]
            site.routes[f"/{name}/list.html"] = html(
                f'<ul><li><a href="/{name}/r.html">{title}</a><span>2025-01-20</span></li></ul>', "政府信息公开年报")
            site.routes[f"/{name}/r.html"] = html(body.split("<body>", 1)[1].rsplit("</body>", 1)[0], title)
        dump([{"name": "续县", "level": "county", "platform": "longtail",
               "start_urls": [f"{site.base}/{n}/list.html" for n in "abc"]}], tmp_path / "portals.yml")
        out = run_xxgk("crawl", "--data", tmp_path / "data", "--fast", "-q", "--registry", tmp_path / "portals.yml")
        asked = sorted(p for _, p in site.requests)
    assert asked == ["/a/list.html", "/a/r.html", "/robots.txt"]
    assert "1 new" in out.stdout
