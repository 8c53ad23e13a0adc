"""Re-crawls that fetch only what is new or changed, and resumption after a killed run.

Delta-fetch (in the spirit of scrapy-deltafetch, whose 2.1 release fails on asynchronous
spider output): a report whose list entry (URL, title, date) is the one archived is not fetched
again. List pages are read from the first one (where new reports appear: lists are newest
first); the later pages of a column are read only while its pages show a new or changed entry,
or when the portal's last crawl was not clean (errors, an interrupted run), or on `--verify`.
A page whose dated entries are not newest first does not stop the reading. Where a list's pages
are fetched by script (LonSun fragments, gkmlpt's JSON), the spider asks for them one at a time
in such a re-crawl (`PortalSpider.lazy_paging`), so the same cut applies.
So that a silent correction at the same URL is still found, each run re-checks a rotating share
of the known reports (`--verify-share`, 1/12 by default): each known report has a place in the
rotation (table `rechecks`, consecutive numbers given once, in the order of a hash of the URL,
to the reports of each run as they join), and the run of a month re-checks the places ≡ the
month (mod 12): exactly its share, and each report once in any 12 consecutive monthly runs
however many join. `--verify` re-checks all of them and reads every list page.

Columns at rest: reports for a year are due by 31 January of the next (条例 第五十条). Outside
January-March, a column that holds the report for the year before of every organ it held one for
the year before that, or a dormant one with no report for either year (`complete_columns`), is read
in one monthly run of LIST_ROTATION (3), chosen by a hash of its URL; in the other runs its known
reports count as seen (those due for re-checking are asked for directly) and the columns its page
leads to (table `list_columns`) are asked for as if it had been read. A hub (a home page, a 政府信息公开
index: a page that led to columns and lists no report) rests the same way: new columns appear with
new reports. New columns, columns still missing a report, every column and hub in January-March,
`--verify` and `--every-list` read every column. The price: a report posted late into a complete
column, or a column added out of season, is found up to two monthly runs later.

A report that is fetched again is asked for conditionally (If-None-Match / If-Modified-Since,
where the portal gave an ETag or Last-Modified); a 304 counts as seen and nothing is
downloaded. Where a portal gives neither, the body is fetched and its SHA-256 compared by the
store; a page whose bytes are the archived ones leads to no request for its attachments (a
shell page, not archived itself, does: its attachment is the report). A run that follows an
interrupted one skips the URLs that run had already archived.

Attachments are tracked (table `attachments`: URL, the page that links it, state): `pending`
from the moment their page is read, then `archived`, `unreadable` (fetched, not readable: its
status is in portal_events), `too_large`, `refused` (fetch policy) or `failed` (the download
failed). A report page with an attachment still `pending` (the crawl was killed before it) or
`failed` is fetched again in full — never skipped on resume, never asked conditionally — so its
attachments are found and asked for again on the next run.
"""
from __future__ import annotations

import hashlib
import json
import logging
from datetime import date
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest

from archive.store import Archive, now
from crawler import writer
from crawler.items import ReportItem

log = logging.getLogger(__name__)

# Callbacks that receive a report page or file (as opposed to list pages and start pages).
REPORT_CALLBACKS = {"parse_article", "parse_attachment", "parse_post"}
# Of those, the ones a list entry leads to (an attachment is reached from its article).
ENTRY_CALLBACKS = {"parse_article", "parse_post"}
DEFAULT_SHARE = 1 / 12
# Reports for a year are due by 31 January of the next (条例 第五十条) and appear from January to
# March: in those months every column is read in every run. Outside them a column that already
# holds its organs' reports for the year before rests, and is read once in LIST_ROTATION monthly
# runs (which run is given by a hash of its URL), for the late additions.
SEASON = (1, 2, 3)
LIST_ROTATION = 3
# Callbacks that read a column's first page (from a start URL, a home page or a parent column).
COLUMN_CALLBACKS = {"parse_start", "parse_column"}


def callback_name(request) -> str:
    return getattr(request.callback, "__name__", "") if request is not None else ""


def is_report_request(request) -> bool:
    return callback_name(request) in REPORT_CALLBACKS


def entry_of(title: str | None, published: str | None) -> str:
    """A list entry as stored in `sources.entry`: its title (whitespace folded) and date."""
    return json.dumps([" ".join((title or "").split()), published or ""], ensure_ascii=False)


def rotation(share: float) -> int:
    """In how many consecutive runs of distinct months every known report is re-checked once."""
    return max(1, round(1 / share)) if share > 0 else 0


def month_index(month: str) -> int:
    year, mon = map(int, month.split("-"))
    return year * 12 + mon - 1


def _hash_slot(url: str) -> int:
    """A stable number for a URL: its path and query hashed, not its host, so that a portal that
    moves host keeps its place."""
    parts = urlsplit(url)
    return int(hashlib.sha1(f"{parts.path}?{parts.query}".encode("utf-8")).hexdigest()[:8], 16)


def in_rotation(url: str, month: str, share: float) -> bool:
    """Whether `url` falls in the run of `month` (YYYY-MM) of a rotation by hash: one in
    round(1/share) months. Used for the columns at rest, and for a report that has no place in
    the re-check rotation yet (see `due`)."""
    n = rotation(share)
    return n > 0 and month_index(month) % n == _hash_slot(url) % n


def due(seq: int | None, url: str, month: str, share: float) -> bool:
    """Whether the known report at `url`, at place `seq` of the re-check rotation (table
    `rechecks`, `join_rotation`), is re-checked in the run of `month`. Places are consecutive
    numbers, so each month takes exactly its share (the count of places ≡ the month, mod the
    rotation): ceil or floor of N/12 by default, where a hash of each URL gave 22 to 40 of 335
    reports. A place never changes, so every report is re-checked once in any `rotation`
    consecutive monthly runs, however many reports join after it."""
    n = rotation(share)
    if n == 0:
        return False
    if seq is None:
        return in_rotation(url, month, share)
    return month_index(month) % n == seq % n


def start_rotation(db, run_id: int, month: str, share: float) -> set[str]:
    """Record the run's month and share (1 for --verify: every report re-checked), and return the
    portals whose month's re-checks are done already: their last crawl was a clean run of the
    same month with the same share or all of it. `xxgk schedule` crawls every Monday from January
    to March; without this, each of a month's four or five runs asked for the month's share again."""
    with db.conn:
        db.conn.execute("insert or replace into rotation_runs (run_id, month, share) values (?, ?, ?)",
                        [run_id, month, share])
    if not db["portal_status"].exists():
        return set()
    return {p for (p,) in db.execute(
        "select p.portal from portal_status p join rotation_runs r on r.run_id = p.last_run_id"
        " where p.status = 'ok' and p.failed = 0 and p.last_run_id != ? and r.month = ? and (r.share = ? or r.share >= 1)",
        [run_id, month, share])}


def join_rotation(db) -> int:
    """Give each known report (entry URL) not yet in the re-check rotation the next places, in
    the order of a stable hash of its URL (so the reports that join in one run spread over the
    months). Run once at the start of a crawl, by the process that holds the archive; returns
    how many joined."""
    have = {u for (u,) in db.execute("select url from rechecks")}
    new = sorted({u for (u,) in db.execute("select distinct entry_url from sources where entry_url is not null")} - have,
                 key=lambda u: (_hash_slot(u), u))
    if not new:
        return 0
    (top,) = db.execute("select coalesce(max(seq), -1) from rechecks").fetchone()
    with db.conn:
        db.conn.executemany("insert into rechecks (url, seq) values (?, ?)", [(u, top + 1 + i) for i, u in enumerate(new)])
    return len(new)


def complete_columns(db, latest: int) -> set[str]:
    """Columns with nothing due until next January: those that hold the report for `latest` of
    every organ whose report for the year before they hold (and at least one for `latest`), and
    dormant ones, whose newest report is for `latest` - 2 or earlier. An organ silent for two
    due years has most often been merged or abolished (撤乡并镇: a town's column keeps its old
    reports and gets no new ones), or its column was replaced by a new one; read in one run of
    three, a dormant column that comes back to life is still found."""
    years: dict[str, dict[int, set[str]]] = {}
    dormant: set[str] = set()
    for column, organ, year in db.execute(
            "select s.[column], r.organ, r.year from sources s join reports r on r.id = s.report_id"
            " where s.[column] is not null"):
        if year is None:
            continue
        if year < latest - 1:
            dormant.add(column)
        else:
            years.setdefault(column, {}).setdefault(year, set()).add(organ)
    complete = {c for c, y in years.items() if y.get(latest) and y.get(latest - 1, set()) <= y[latest]}
    return complete | (dormant - set(years))


def column_rests(column: str, month: str) -> bool:
    """Whether a complete column is left unread in the run of `month` (outside the season)."""
    return int(month[5:7]) not in SEASON and not in_rotation(column, month, 1 / LIST_ROTATION)


def hub_rests(portal: str, url: str, month: str) -> bool:
    """Whether a hub page of `portal` (its registry name) is left unread in the run of `month`.
    Home pages share their path ("/"): the portal's name spreads them over the three months, so
    that no month reads them all."""
    parts = urlsplit(url)
    return column_rests(f"{portal}{parts.path}?{parts.query}", month)


def portal_name(spider, url: str) -> str:
    """The registry name of the spider's portal; for a bare URL crawl, the host."""
    return (getattr(spider, "portal", None) or {}).get("name") or urlsplit(url).netloc


def this_month() -> str:
    return date.today().strftime("%Y-%m")


class Skipped(IgnoreRequest):
    """A report URL not fetched again, on purpose: not modified (304), or archived by the
    interrupted run this one resumes. Not an error of the portal."""


class _ArchiveReader:
    def __init__(self, crawler):
        self.crawler = crawler
        self.data = crawler.settings.get("XXGK_DATA")
        self.run_id = crawler.settings.getint("XXGK_RUN_ID") or None
        self.writer: writer.ArchiveWriter | None = None
        self.open_pages: set[str] = set()  # report pages whose attachments are still owed
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider=None):
        if self.data:
            # Read with a connection of its own; every write goes through the crawl's one writer.
            archive = Archive(self.data)
            try:
                self.open_pages = open_pages(archive.db)
                self.load(archive)
            finally:
                archive.db.conn.close()
            self.writer = writer.acquire(self.data)

    def load(self, archive: Archive) -> None:
        pass

    def seen(self, url: str, entry=None) -> None:
        if self.writer is not None:
            self.writer.seen(url, self.run_id, entry)

    def spider_closed(self, spider=None):
        if self.writer is not None:
            self.writer.release()
            self.writer = None


class DeltaFetchMiddleware(_ArchiveReader):
    """Spider middleware: drops the requests for reports whose list entry is archived unchanged
    (they count as seen), keeps those due for re-checking, and cuts the pagination of a column
    at its first page that shows nothing new."""

    def __init__(self, crawler):
        super().__init__(crawler)
        s = crawler.settings
        self.verify_all = s.getbool("XXGK_VERIFY_ALL")
        self.share = s.getfloat("XXGK_VERIFY_SHARE", DEFAULT_SHARE)
        self.month = s.get("XXGK_MONTH") or this_month()
        self.resume = set(s.getlist("XXGK_RESUME_URLS"))
        # entry URL -> (its list entry, how many archived sources it leads to, its column, its
        # place in the re-check rotation)
        self.known: dict[str, tuple[str, int, str | None, int | None]] = {}
        self.by_column: dict[str, list[str]] = {}  # column -> the entry URLs of self.known listed there
        self.cut: set[str] = set()  # columns whose later pages were not read
        self.handled: set[str] = set()  # entry URLs met in this run's lists
        self.digests: dict[str, str] = {}  # report page URL -> SHA-256 of the page as archived
        self.every_list = s.getbool("XXGK_EVERY_LIST")
        self.complete: set[str] = set()  # columns holding every report due (see complete_columns)
        # column URL -> the columns its page leads to: (URL, callback, cb_kwargs, a start request)
        self.children: dict[str, list[tuple[str, str, str, int]]] = {}
        self.listing: set[str] = set()  # columns that list a known report (no hubs)
        self.remembering = False

    def load(self, archive):
        self.known = known_entries(archive.db)
        self.by_column = entries_by_column(self.known)
        self.digests = dict(archive.db.execute("select url, sha256 from sources where url = entry_url"))
        self.listing = set(self.by_column)
        self.complete = complete_columns(archive.db, int(self.month[:4]) - 1)
        self.remembering = archive.db["list_columns"].exists()  # made by ensure_attachments
        if self.remembering:
            self.remembered(list_columns(archive.db))

    def remembered(self, children: dict[str, list[tuple[str, str, str, int]]]) -> None:
        """The columns each page led to in earlier runs (table list_columns)."""
        self.children = children

    # Columns at rest -----------------------------------------------------------------------------
    @staticmethod
    def column_of(request) -> str | None:
        """The column whose first page `request` asks for, or None (a later page, a report)."""
        name = callback_name(request)
        if name == "parse_start" or (name in COLUMN_CALLBACKS and request.cb_kwargs.get("column") == request.url):
            return request.url
        return None

    def is_hub(self, url: str) -> bool:
        """A page that led to columns and lists no report itself: a home page, a 政府信息公开
        index. It rests like a complete column (see `resting`). A page that led nowhere is read
        every run: what is recorded cannot tell it from an empty 年报 column, or from a town's
        column whose reports are all filed under the county's aggregate column."""
        return bool(self.children.get(url)) and url not in self.listing

    def resting(self, request, spider) -> bool:
        """A complete column, or a hub page, left unread in this run. A hub is read so that new
        columns are found; they appear with new reports (a year's sub-column, a new town's
        column: portal-evidence §1.1), so from April to December a hub is read in one run of
        three, as a complete column is, and its columns are asked for as it last listed them."""
        column = self.column_of(request)
        if column is None or self.every_list or self.verify_all or not getattr(spider, "xxgk_trusted", False):
            return False
        if column in self.complete:
            return column_rests(column, self.month)
        return self.is_hub(column) and hub_rests(portal_name(spider, column), column, self.month)

    def rest(self, request, spider) -> list:
        """A complete column not read this run: its known reports count as seen (those due for
        re-checking are asked for directly), and the columns its page leads to are asked for
        (or rested) as if it had been read."""
        column = request.url
        if column in self.cut:
            return []
        self.cut.add(column)
        self._stat("xxgk/list_pages_skipped")
        if self.is_hub(column):
            self._stat("xxgk/hubs_resting")
        else:
            self._stat("xxgk/columns_resting")
            if hasattr(spider, "column_seen"):
                spider.column_seen()
        out = self._due(column, set(), getattr(spider, getattr(spider, "entry_callback", "parse_article")), spider)
        for url, callback, kwargs, start in self.children.get(column, ()):
            if url in self.cut:
                continue
            child = scrapy.Request(url, getattr(spider, callback), errback=spider.on_error, cb_kwargs=json.loads(kwargs),
                                   meta={"xxgk_start": True} if start else {})
            out += self.rest(child, spider) if self.resting(child, spider) else [child]
        return out

    def _remember(self, parent: str, requests: list) -> None:
        """The columns a column's page leads to, kept so that they are still read while it rests."""
        rows = []
        known = {c[0] for c in self.children.get(parent, ())}
        for r in requests:
            if not isinstance(r, scrapy.Request) or self.column_of(r) in (None, parent) or r.url in known:
                continue
            try:
                kwargs = json.dumps(r.cb_kwargs, ensure_ascii=False, sort_keys=True)
            except TypeError:
                continue
            row = (r.url, parent, callback_name(r), kwargs, int(bool(r.meta.get("xxgk_start"))))
            self.children.setdefault(parent, []).append(row[:1] + row[2:])
            known.add(r.url)
            rows.append(row)
        if rows and self.remembering:
            self.keep_columns(rows)

    def keep_columns(self, rows: list[tuple]) -> None:
        """Store rows of `list_columns` (through the crawl's writer; a distributed worker hands
        them to the crawl's writer through Redis)."""
        if self.writer is not None:
            self.writer.executemany(KEEP_COLUMNS, rows)

    async def process_start(self, start):
        async for r in start:
            if isinstance(r, scrapy.Request) and self.resting(r, self.crawler.spider):
                for x in self.rest(r, self.crawler.spider):
                    yield x
            else:
                yield r

    # What is known of a report, looked up through these two (a distributed worker, which has no
    # archive, asks Redis: crawler/distributed/delta.py).
    def lookup(self, url: str) -> tuple[str, int, str | None, int | None] | None:
        return self.known.get(url)

    def column_entries(self, column: str):
        """(entry URL, (entry, sources, column, place)) of the known reports listed in `column`."""
        return ((url, self.known[url]) for url in self.by_column.get(column, ()))

    def _stat(self, name: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(name, n)

    def process_spider_output(self, response, result, spider=None):
        yield from self._filter(response, list(result), self.crawler.spider)

    async def process_spider_output_async(self, response, result, spider=None):
        for r in self._filter(response, [r async for r in result], self.crawler.spider):
            yield r

    def _filter(self, response, out: list, spider) -> list:
        parent = response.request
        rested = []  # what the columns at rest give instead of their pages: past the filter below
        if parent is not None and callback_name(parent) not in REPORT_CALLBACKS:
            self._remember(parent.cb_kwargs.get("column") or response.url, out)
            reading = []
            for r in out:
                if isinstance(r, scrapy.Request) and self.resting(r, spider):
                    rested += self.rest(r, spider)
                else:
                    reading.append(r)
            out = reading
        entry = response.meta.get("xxgk_entry")
        kept, entries, unchanged, dates = [], 0, 0, []
        same_page = self._page_unchanged(response)
        digest = response.meta.get("xxgk_sha256")
        for r in out:
            if not isinstance(r, scrapy.Request):
                if digest and isinstance(r, ReportItem) and r.get("body") is response.body:
                    r["sha256"] = digest
                kept.append(r)
                continue
            name = callback_name(r)
            if name == "parse_attachment" and same_page:
                # The page that links it is archived byte for byte: so are its links. Counted as
                # a known report not fetched (the page's `seen` keeps the file's source online).
                self._stat("xxgk/attachments_not_refetched")
                self._stat("xxgk/reports_known")
                self._stat("xxgk/reports_seen")
                continue
            if name == "parse_attachment" and entry:
                # A file is filed under the list entry of the article that links it.
                r.meta.setdefault("xxgk_entry", entry)
            if name not in ENTRY_CALLBACKS:
                kept.append(r)
                continue
            entries += 1
            dates.append(r.cb_kwargs.get("published"))
            first = r.url not in self.handled
            self.handled.add(r.url)
            key = entry_of(r.cb_kwargs.get("title"), r.cb_kwargs.get("published"))
            r.meta["xxgk_entry"] = (r.url, key)
            known = self.lookup(r.url)
            if known is None or known[0] != key or r.url in self.resume or r.url in self.open_pages:
                kept.append(r)  # new, or its entry changed; or left to the resumption
                continue
            unchanged += 1
            if not first:
                continue  # listed twice (a town's report in its county's column too): counted once
            if self.verify_all or (due(known[3], r.url, self.month, self.share) and not self.rechecked(spider)):
                self._stat("xxgk/reports_verified")
                kept.append(r)
                continue
            self._skip(r.url, known[1])
        if (entries and unchanged == entries and not self.verify_all and getattr(spider, "xxgk_trusted", False)
                and callback_name(parent) not in REPORT_CALLBACKS and self._newest_first(dates)):
            # A start page read as a column (parse_start) is its own column.
            column = parent.cb_kwargs.get("column", response.url) if parent is not None else None
            pages = [r for r in kept if isinstance(r, scrapy.Request) and column
                     and callback_name(r) not in REPORT_CALLBACKS and r.cb_kwargs.get("column") == column]
            if pages:
                kept = [r for r in kept if not any(r is p for p in pages)]
                self._stat("xxgk/list_pages_skipped", len(pages))
                if column not in self.cut:
                    self.cut.add(column)
                    callback = next(r.callback for r in out if isinstance(r, scrapy.Request)
                                    and callback_name(r) in ENTRY_CALLBACKS)
                    kept += self._due(column, {r.url for r in out if isinstance(r, scrapy.Request)}, callback, spider)
        return kept + rested

    @staticmethod
    def rechecked(spider) -> bool:
        """Whether this month's re-checks of the spider's portal were made by an earlier run
        (crawler.recrawl.start_rotation)."""
        return bool(getattr(spider, "xxgk_rechecked", False))

    def _newest_first(self, dates: list) -> bool:
        """Whether a list page's entries run newest first (as far as their dates tell): only then
        does a page of known entries mean that the pages after it hold nothing new. A list in
        another order is read on to its end."""
        known = [d for d in dates if d]
        if all(a >= b for a, b in zip(known, known[1:])):
            return True
        self._stat("xxgk/lists_not_newest_first")
        return False

    def _page_unchanged(self, response) -> bool:
        """A report page fetched again (a re-check) whose bytes are the archived ones: the
        files it links are not asked for again, unless one of them is still owed."""
        if callback_name(response.request) not in ENTRY_CALLBACKS or response.url in self.open_pages:
            return False
        digest = self.digests.get(response.url)
        if digest is None:
            return False
        body = hashlib.sha256(response.body).hexdigest()
        response.meta["xxgk_sha256"] = body  # for the page's item: the writer need not hash it again
        return body == digest

    def _skip(self, url: str, sources: int) -> None:
        self._stat("xxgk/reports_known", sources)
        self._stat("xxgk/reports_seen", sources)
        self.seen(url)

    def _due(self, column: str, listed: set[str], callback, spider) -> list:
        """The known reports of a column whose later pages are not read: those due for
        re-checking this month are asked for directly, as their list entry said; the others
        count as seen, as if listed unchanged."""
        asked = []
        for url, (entry, n, _column, seq) in self.column_entries(column):
            if url in listed or url in self.handled:
                continue
            self.handled.add(url)
            if (not due(seq, url, self.month, self.share) or self.rechecked(spider)) and url not in self.open_pages:
                self._skip(url, n)
                continue
            title, published = json.loads(entry)
            self._stat("xxgk/reports_verified")
            asked.append(scrapy.Request(url, callback, errback=spider.on_error,
                                        cb_kwargs={"title": title, "published": published or None, "column": column},
                                        meta={"xxgk_entry": (url, entry)}))
        return asked


class RecrawlMiddleware(_ArchiveReader):
    """Downloader middleware: conditional requests for archived reports, 304s counted as seen,
    and the reports an interrupted run archived skipped."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.skip = set(crawler.settings.getlist("XXGK_RESUME_URLS"))
        self.validators: dict[str, tuple[str | None, str | None]] = {}

    def load(self, archive):
        self.validators = validators(archive.db)
        # A page whose attachments are still owed is read again, whatever the interrupted run did.
        self.skip -= self.open_pages
        self.crawler.xxgk_recrawl = self
        self.crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        self.crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)

    # Attachments, written through the crawl's one writer (in its batch) --------------------------
    def expect_attachments(self, page: str, urls: list[str]) -> None:
        """Before the page's own item is stored: these attachments are owed until archived."""
        if self.writer is None or not urls:
            return
        self.writer.executemany(
            "insert into attachments (url, page_url, state, run_id, at) values (?, ?, 'pending', ?, ?) "
            "on conflict(url) do update set page_url = excluded.page_url, run_id = excluded.run_id, "
            "state = case when attachments.state = 'archived' then 'archived' else 'pending' end",
            [(u, page, self.run_id, now()) for u in urls])

    def attachment_state(self, url: str, state: str, reason: str | None = None) -> None:
        if self.writer is not None:
            self.writer.executemany("update attachments set state = ?, reason = ?, at = ? where url = ?",
                                    [(state, reason, now(), url)])

    def item_scraped(self, item, response=None, spider=None):
        url = _attachment_of(response)
        if url:
            self.attachment_state(url, "archived")

    def item_dropped(self, item, response=None, exception=None, spider=None):
        url = _attachment_of(response)
        if url:
            self.attachment_state(url, "unreadable", str(exception) if exception else None)

    def _seen(self, request, stat: str) -> None:
        self.crawler.stats.inc_value(stat)
        self.crawler.stats.inc_value("xxgk/reports_seen")
        self.seen(request.url, request.meta.get("xxgk_entry"))

    def process_request(self, request, spider=None):
        if not is_report_request(request):
            return None
        if request.url in self.skip:
            self._seen(request, "xxgk/reports_resumed")
            if request.meta.get("xxgk_attachment"):
                self.attachment_state(request.meta["xxgk_attachment"], "archived")
            raise Skipped(f"{request.url}: archived by the interrupted run, not fetched again")
        if request.url in self.open_pages:
            return None  # its attachments are owed: the page in full, not a 304
        etag, modified = self.validators.get(request.url, (None, None))
        if etag:
            request.headers.setdefault("If-None-Match", etag)
        if modified:
            request.headers.setdefault("If-Modified-Since", modified)
        return None

    def process_response(self, request, response, spider=None):
        if response.status == 304 and is_report_request(request):
            self._seen(request, "xxgk/reports_not_modified")
            if request.meta.get("xxgk_attachment"):
                self.attachment_state(request.meta["xxgk_attachment"], "archived")
            raise Skipped(f"{request.url}: not modified")
        return response


def known_entries(db) -> dict[str, tuple[str, int, str | None, int | None]]:
    """Entry URL -> (its list entry, how many archived sources it leads to, its column, its place
    in the re-check rotation)."""
    return {url: (entry, n, column, seq) for url, entry, n, column, seq in db.execute(
        "select s.entry_url, s.entry, count(*), max(s.[column]), r.seq from sources s"
        " left join rechecks r on r.url = s.entry_url where s.entry_url is not null"
        " and s.entry is not null group by s.entry_url")}


def rechecks_due(db, month: str, share: float = DEFAULT_SHARE) -> set[str]:
    """The entry URLs whose re-check falls in the run of `month` (as `due` decides)."""
    return {url for url, (_e, _n, _c, seq) in known_entries(db).items() if due(seq, url, month, share)}


def entries_by_column(known: dict[str, tuple]) -> dict[str, list[str]]:
    """Column -> the entry URLs listed in it, of `known_entries`: a column cut short looks up its
    own entries, not every known report's."""
    columns: dict[str, list[str]] = {}
    for url, (_entry, _n, column, _seq) in known.items():
        if column:
            columns.setdefault(column, []).append(url)
    return columns


KEEP_COLUMNS = ("insert into list_columns (url, parent, callback, kwargs, start) values (?, ?, ?, ?, ?)"
                " on conflict(url, parent) do nothing")


def list_columns(db) -> dict[str, list[tuple[str, str, str, int]]]:
    """Parent page -> the columns its page led to: (URL, callback, cb_kwargs as JSON, start)."""
    children: dict[str, list[tuple[str, str, str, int]]] = {}
    for url, parent, callback, kwargs, start in db.execute(
            "select url, parent, callback, kwargs, start from list_columns order by rowid"):
        children.setdefault(parent, []).append((url, callback, kwargs, start))
    return children


def validators(db) -> dict[str, tuple[str | None, str | None]]:
    """URL -> (ETag, Last-Modified) of the archived sources that had either."""
    return {url: (etag, lm) for url, etag, lm in db.execute(
        "select url, etag, last_modified from sources where etag is not null or last_modified is not null")}


def _attachment_of(response) -> str | None:
    request = getattr(response, "request", None)
    return request.meta.get("xxgk_attachment") if request is not None else None


def ensure_attachments(db) -> None:
    if not db["list_columns"].exists():
        # Which columns a column's page leads to (a county's column to its towns'), so that a
        # column at rest does not hide them.
        db.execute("create table if not exists list_columns (url text not null, parent text not null,"
                   " callback text not null, kwargs text not null, start integer not null, primary key (url, parent))")
    if not db["rechecks"].exists():
        # Each known report's place in the re-check rotation (see `due`), given once.
        db.execute("create table if not exists rechecks (url text primary key, seq integer not null unique)")
    if not db["rotation_runs"].exists():
        # The month and share of each run's re-checks (see `rechecked_this_month`).
        db.execute("create table if not exists rotation_runs (run_id integer primary key, month text not null,"
                   " share real not null)")
    if not db["attachments"].exists():
        db["attachments"].create({"url": str, "page_url": str, "state": str, "reason": str, "run_id": int, "at": str},
                                 pk="url", not_null={"url"})
        db["attachments"].create_index(["page_url"], if_not_exists=True)
        db["attachments"].create_index(["state"], if_not_exists=True)


def open_pages(db) -> set[str]:
    """Report pages with an attachment still owed (pending: the crawl ended before it; failed:
    its download or reading failed)."""
    if not db["attachments"].exists():
        return set()
    return {u for (u,) in db.execute("select distinct page_url from attachments where state in ('pending', 'failed')")}
