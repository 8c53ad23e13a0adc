"""Running a crawl in this process and reporting what it did.

One crawler per portal (its own stats, its own blocking), all in one reactor: portals whose
platform is known start at once; the others (bare URLs, registry entries without a platform)
go first through discovery, which recognises the platform and finds the 年报 columns, and are
crawled when it has. Each portal's outcome goes to the `portal_status` table.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings
from twisted.internet.defer import DeferredList

from archive.lock import DataLock
from archive.store import Archive, host_of

from . import monitor
from .recrawl import DEFAULT_SHARE, ensure_attachments, join_rotation, start_rotation, this_month
from .registry import bare_entry

log = logging.getLogger(__name__)


def spider_classes() -> dict:
    from .spiders.gkmlpt import GkmlptSpider
    from .spiders.hanweb import HanwebSpider
    from .spiders.kaipu import KaipuSpider
    from .spiders.longtail import LongtailSpider
    from .spiders.lonsun import LonsunSpider
    from .spiders.trs import TrsSpider

    return {s.platform: s for s in (HanwebSpider, TrsSpider, LonsunSpider, GkmlptSpider, KaipuSpider, LongtailSpider)}


@dataclass
class CrawlStats:
    pages: int = 0
    seen: int = 0
    new: int = 0
    new_source: int = 0
    changed: int = 0
    unchanged: int = 0
    corrected: int = 0
    not_modified: int = 0
    resumed: int = 0
    known: int = 0  # list entry unchanged: not fetched
    verified: int = 0  # known reports re-checked in this run's rotation
    gone: int = 0
    unarchived: int = 0
    failed: int = 0
    blocked: int = 0
    errors: list[str] = field(default_factory=list)
    portals: list[dict] = field(default_factory=list)  # the portal_status rows written

    @property
    def ok(self) -> bool:
        """Every fetched report was archived and nothing unexpected happened; a portal that is
        blocked or gone is a recorded status, not a failure of the crawl."""
        return self.failed == 0 and not self.errors

    def summary(self) -> str:
        extra = "".join(f", {n} {label}" for n, label in (
            (self.corrected, "corrected (new version)"),
            (self.known, "known with an unchanged list entry (not fetched)"),
            (self.verified, "known re-checked"), (self.not_modified, "not modified (304)"),
            (self.resumed, "already archived by the interrupted run"), (self.gone, "no longer online"),
            (self.unarchived, "files not archivable (see portal_events)")) if n)
        return (f"crawl: {self.pages} pages fetched, {self.seen} reports seen: {self.new} new, "
                f"{self.changed} changed, {self.unchanged} unchanged, {self.new_source} more sources of "
                f"known reports, {self.failed} failed{extra}")

    def portal_lines(self) -> str:
        lines = []
        for r in self.portals:
            line = f"  {r['status']:<10} {r['reports_found']:>4} found {r['reports_new']:>4} new  {r['portal']}"
            if r["status"] != "ok" and r["reason"]:
                line += f"  ({r['reason']})"
            if r["warning"]:
                line += f"  WARNING: {r['warning']}"
            lines.append(line)
        return "\n".join(lines)

    def add(self, s: dict) -> None:
        self.pages += s.get("response_received_count", 0)
        self.seen += s.get("xxgk/reports_seen", 0)
        self.new += s.get("xxgk/reports_new", 0)
        self.new_source += s.get("xxgk/reports_new_source", 0)
        self.changed += s.get("xxgk/reports_changed", 0)
        self.unchanged += s.get("xxgk/reports_unchanged", 0)
        self.corrected += s.get("xxgk/reports_corrected", 0)
        self.not_modified += s.get("xxgk/reports_not_modified", 0)
        self.resumed += s.get("xxgk/reports_resumed", 0)
        self.known += s.get("xxgk/reports_known", 0)
        self.verified += s.get("xxgk/reports_verified", 0)
        self.failed += s.get("xxgk/failed", 0)
        if s.get("spider_exceptions/count"):
            self.errors.append(f"{s['spider_exceptions/count']} spider errors")


def quiet_scrapy() -> None:
    """One log line per problem, naming the URL and the reason: the spiders log each failed
    request themselves (`base.describe`), so Scrapy's own lines for the same events (a retry
    given up, a file over the size limit) would say it twice."""
    logging.getLogger("scrapy.downloadermiddlewares.retry").setLevel(logging.CRITICAL)
    logging.getLogger("scrapy.core.downloader.handlers.http11").setLevel(logging.ERROR)


def crawl_settings(data_dir: Path, polite: bool, quiet: bool, timeout: float | None = None,
                   run_id: int | None = None, resume: set[str] | None = None, verify: bool = False,
                   verify_share: float | None = None, month: str | None = None, every_list: bool = False):
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    settings.set("XXGK_DATA", str(data_dir))
    settings.set("XXGK_RUN_ID", run_id)
    settings.set("XXGK_RESUME_URLS", sorted(resume or ()))
    settings.set("XXGK_VERIFY_ALL", verify)
    settings.set("XXGK_EVERY_LIST", every_list)
    if verify_share is not None:
        settings.set("XXGK_VERIFY_SHARE", verify_share)
    if month:
        settings.set("XXGK_MONTH", month)
    if not polite:
        settings.setdict(settings.getdict("FAST"), priority="cmdline")
    if timeout:
        settings.set("DOWNLOAD_TIMEOUT", timeout, priority="cmdline")
    if os.environ.get("XXGK_HTTPCACHE"):
        settings.set("HTTPCACHE_ENABLED", True)
    settings.set("LOG_LEVEL", "WARNING" if quiet else "INFO")
    return settings


def run_crawl(urls: list[str] = (), data_dir: Path = Path("data"), polite: bool = True, quiet: bool = False,
              portals: list[dict] | None = None, timeout: float | None = None, verify: bool = False,
              verify_share: float | None = None, month: str | None = None, wait: float = 0,
              every_list: bool = False) -> CrawlStats:
    """Crawl registry entries (`portals`) and bare URLs (grouped by host into one portal each).
    `verify` re-checks every known report and reads every list page; otherwise a share
    (`verify_share`, default 1/12) of them, rotating with the run's `month` (YYYY-MM).
    Outside January-March a column holding every report due rests in two of three runs, unless
    `every_list` (crawler/recrawl.py).
    One crawl at a time per archive: `archive.lock.Locked` if another holds it after `wait` s."""
    data_dir = Path(data_dir)
    lock = DataLock(data_dir).acquire(wait)
    try:
        return _run_crawl(urls, data_dir, polite, quiet, portals, timeout, verify, verify_share, month, every_list)
    finally:
        lock.release()


def _run_crawl(urls, data_dir: Path, polite: bool, quiet: bool, portals, timeout, verify, verify_share,
               month, every_list=False) -> CrawlStats:
    entries = list(portals or [])
    by_host: dict[str, list[str]] = {}
    for u in urls:
        by_host.setdefault(bare_entry([u])["name"], []).append(u)
    entries += [bare_entry(us) for us in by_host.values()]
    archive = Archive(data_dir)
    ensure_attachments(archive.db)  # before any writer holds a batch open
    join_rotation(archive.db)  # the reports the last run archived take their places among the re-checks
    run_id = archive.start_run([u for e in entries for u in e["start_urls"]])
    resume = archive.resume_urls(run_id)
    if resume:
        log.warning("resuming after an interrupted crawl: %d reports already archived are not fetched again",
                    len(resume))
    process = CrawlerProcess(crawl_settings(data_dir, polite, quiet, timeout, run_id=run_id, resume=resume,
                                            verify=verify, verify_share=verify_share, month=month,
                                            every_list=every_list))
    quiet_scrapy()
    clean = set() if resume else monitor.clean_portals(archive.db)
    # A portal whose last run was a clean one of this month has had this month's re-checks.
    rechecked = start_rotation(archive.db, run_id, month or this_month(),
                               1.0 if verify else (DEFAULT_SHARE if verify_share is None else verify_share)) & clean
    spiders = spider_classes()
    launched: list[tuple[dict, object]] = []
    unreachable: list[tuple[dict, str, str, int]] = []  # (entry, status, reason, pages) found by discovery
    stats = CrawlStats()

    def launch(group):
        ds = []
        for e in group:
            crawler = process.create_crawler(spiders[e["platform"]])
            launched.append((e, crawler))
            # A column's later pages may be left unread only if the portal's last crawl read it
            # all without an error: otherwise an old report a failed page hid would stay missing.
            ds.append(process.crawl(crawler, start_urls=e["start_urls"], portal=None if e.get("bare") else e,
                                    xxgk_trusted=e["name"] in clean, xxgk_rechecked=e["name"] in rechecked))
        return DeferredList(ds)

    launch([e for e in entries if e.get("platform")])
    undiscovered = [e for e in entries if not e.get("platform")]
    if undiscovered:
        from .spiders.discovery import DiscoverySpider

        dcrawler = process.create_crawler(DiscoverySpider)
        starts = [u for e in undiscovered for u in e["start_urls"]]

        def discovered(_):
            spider = dcrawler.spider
            stats.pages += dcrawler.stats.get_value("response_received_count", 0)
            ready = []
            for e in undiscovered:
                found = [spider.found[u] for u in e["start_urls"]]
                columns = list(dict.fromkeys(c for f in found for c in f["columns"]))
                platform = next((f["platform"] for f in found if f["platform"]), None)
                if columns and platform:
                    ready.append({**e, "platform": platform, "start_urls": columns})
                    continue
                errors = [spider.errors[u] for u in e["start_urls"] if u in spider.errors]
                reason = "; ".join(errors) or "no 年报 column found from the start URLs"
                status = "blocked" if any(k in reason for k in ("challenge", "WAF", "HTTP 521")) else (
                    "disallowed" if "robots.txt" in reason else "failed")
                unreachable.append(({**e, "platform": platform}, status, reason, 0))
            return launch(ready)

        process.crawl(dcrawler, start_urls=starts).addCallback(discovered)
    process.start()

    for e, crawler in launched:
        s = crawler.stats.get_stats()
        stats.add(s)
        outcome = crawler.spider.outcome
        row = monitor.record_outcome(archive.db, run_id, e, outcome, s, found=s.get("xxgk/reports_seen", 0),
                                     new=s.get("xxgk/reports_new", 0))
        stats.portals.append(row)
        status = row["status"]
        for url, _, _ in outcome.unarchived:
            archive.seen(url, run_id)  # still linked, refused by a limit or unreadable: not gone
        stats.unarchived += s.get("xxgk/unarchived", 0)
        if status == "ok" and not outcome.errors and not s.get("xxgk/failed") and not s.get("xxgk/list_pages_skipped"):
            # Only a complete crawl of a portal (every list page read) can tell that a report is
            # no longer listed.
            stats.gone += archive.mark_gone(e["name"] if not e.get("bare") else host_of(e["start_urls"][0]), run_id)
    for e, status, reason, pages in unreachable:
        stats.portals.append(monitor.record(archive.db, run_id, e, status, reason, events=[(status, e["start_urls"][0], reason)]))
    stats.blocked = sum(1 for r in stats.portals if r["status"] == "blocked")
    archive.finish_run(run_id, pages=stats.pages, reports_seen=stats.seen, reports_new=stats.new,
                       reports_changed=stats.changed + stats.corrected, reports_unchanged=stats.unchanged,
                       not_modified=stats.not_modified, gone=stats.gone, failed=stats.failed, blocked=stats.blocked)
    archive.close()
    from archive.derived import refresh

    refresh(data_dir)  # region totals and bulk downloads are built with the archive
    log.info(stats.summary())
    return stats


def run_discovery(urls: list[str], quiet: bool = True, polite: bool = True, timeout: float | None = None) -> dict:
    """For each URL: {"platform", "columns", "error"} as discovery finds them."""
    from .spiders.discovery import DiscoverySpider

    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        process = CrawlerProcess(crawl_settings(Path(tmp), polite, quiet, timeout))
        quiet_scrapy()
        crawler = process.create_crawler(DiscoverySpider)
        process.crawl(crawler, start_urls=list(urls))
        process.start()
    spider = crawler.spider
    return {u: {**spider.found[u], "error": spider.errors.get(u)} for u in urls}
