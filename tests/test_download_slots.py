"""The downloader keeps CONCURRENT_REQUESTS_PER_DOMAIN: Scrapy 2.19's own started every queued
request of a host at once when no download delay was set (crawler/download.py). A real Scrapy
crawl, with the project's downloader, against a real HTTP server that answers after 0.5 s."""
from __future__ import annotations

import json
import subprocess
import sys
import time

from .conftest import ROOT
from .hostile import Site

SPIDER = r'''
import json, sys
import scrapy
from scrapy.crawler import CrawlerProcess

url, n = sys.argv[1], int(sys.argv[2])

class Many(scrapy.Spider):
    name = "many"

    async def start(self):
        for i in range(n):
            yield scrapy.Request(f"{url}?{i}", callback=self.parse, dont_filter=True)

    def parse(self, response):
        pass

process = CrawlerProcess({"LOG_LEVEL": "ERROR", "ROBOTSTXT_OBEY": False, "CONCURRENT_REQUESTS": 16,
                          "CONCURRENT_REQUESTS_PER_DOMAIN": 2, "DOWNLOAD_DELAY": 0,
                          "AUTOTHROTTLE_ENABLED": False, "TELNETCONSOLE_ENABLED": False,
                          "DOWNLOADER": "crawler.download.Downloader"})
crawler = process.create_crawler(Many)
process.crawl(crawler)
process.start()
print(crawler.stats.get_value("response_received_count", 0))
'''

DELAY = 0.5


def test_at_most_two_requests_at_once_to_one_host(tmp_path):
    started, ended = [], []

    def slow(_site, _handler):
        started.append(time.monotonic())
        time.sleep(DELAY)
        ended.append(time.monotonic())
        return 200, {"Content-Type": "text/html; charset=utf-8"}, b"<html><body>ok</body></html>"

    site = Site({"/slow.html": slow})
    (tmp_path / "many.py").write_text(SPIDER)
    with site:
        p = subprocess.run([sys.executable, tmp_path / "many.py", site.base + "/slow.html", "10"],
                           capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    assert p.stdout.split()[-1] == "10"
    assert len(started) == 10
    # Requests in flight when each one started: never more than two.
    in_flight = [sum(1 for s, e in zip(started, ended) if s <= t < e) for t in started]
    assert max(in_flight) == 2, in_flight
