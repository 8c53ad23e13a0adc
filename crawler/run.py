"""Running a crawl in this process and reporting what it did."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

from archive.store import Archive


@dataclass
class CrawlStats:
    pages: int = 0
    seen: int = 0
    new: int = 0
    new_source: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0 and not self.errors

    def summary(self) -> str:
        return (f"crawl: {self.pages} pages fetched, {self.seen} reports seen: {self.new} new, "
                f"{self.changed} changed, {self.unchanged} unchanged, {self.new_source} more sources of "
                f"known reports, {self.failed} failed")


def crawl_settings(data_dir: Path, polite: bool, quiet: bool):
    import os

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    settings.set("XXGK_DATA", str(data_dir))
    if not polite:
        settings.setdict(settings.getdict("FAST"), priority="cmdline")
    if os.environ.get("XXGK_HTTPCACHE"):
        settings.set("HTTPCACHE_ENABLED", True)
    settings.set("LOG_LEVEL", "WARNING" if quiet else "INFO")
    return settings


def run_crawl(urls: list[str], data_dir: Path, polite: bool = True, quiet: bool = False) -> CrawlStats:
    from crawler.spiders.trs import TrsSpider

    data_dir = Path(data_dir)
    archive = Archive(data_dir)
    run_id = archive.start_run(urls)
    process = CrawlerProcess(crawl_settings(data_dir, polite, quiet))
    crawler = process.create_crawler(TrsSpider)
    process.crawl(crawler, start_urls=urls)
    process.start()
    s = crawler.stats.get_stats()
    stats = CrawlStats(
        pages=s.get("response_received_count", 0),
        seen=s.get("xxgk/reports_seen", 0),
        new=s.get("xxgk/reports_new", 0),
        new_source=s.get("xxgk/reports_new_source", 0),
        changed=s.get("xxgk/reports_changed", 0),
        unchanged=s.get("xxgk/reports_unchanged", 0),
        failed=s.get("xxgk/failed", 0),
    )
    if s.get("log_count/ERROR"):
        stats.errors.append(f"{s['log_count/ERROR']} errors logged")
    archive.finish_run(run_id, pages=stats.pages, reports_seen=stats.seen, reports_new=stats.new,
                       reports_changed=stats.changed, reports_unchanged=stats.unchanged, failed=stats.failed, blocked=0)
    archive.close()
    logging.getLogger(__name__).info(stats.summary())
    return stats
