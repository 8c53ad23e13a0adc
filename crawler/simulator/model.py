"""The shared core of the simulated web: portals, their columns and organs, the generator of
reports (every value) and news drawn from a seed, and the statuses a correct crawl records.
Every family module builds its portals from these and renders them its own way; no family
imports another."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from archive import schema

from . import world as w
from .world import NewsItem, Organ, SimReport


def has_file(item) -> bool:
    """Whether the report is published as an attachment (attachments.py makes the file)."""
    return getattr(item, "file", None) is not None


def archived(item) -> bool:
    """Whether a correct crawl archives the listed report (its attachment, if any, is readable)."""
    return not has_file(item) or item.file.expect != "failed"


@dataclass
class SimColumn:
    key: str  # platform-specific id: path, colid, organId, category id …
    name: str
    organ: Organ
    items: list  # SimReport | NewsItem, newest first
    per_page: int = 15
    disallowed: bool = False  # robots.txt forbids this column
    # How many of the items (newest first) a reader can reach; None: all. A list whose later pages
    # only a script the crawler cannot run would show (goPage(n)) is crawled as far as it can be,
    # and its coverage (declared against reached) is recorded.
    reachable: int | None = None
    declared: int | None = None  # the number of items the list says it has (recordCount, 共N条)
    opts: dict = field(default_factory=dict)  # a family's own settings of this column

    def reached(self) -> list:
        return self.items if self.reachable is None else self.items[:self.reachable]


@dataclass
class SimPortal:
    key: str
    name: str  # SiteName
    code: str  # 行政区划代码
    level: str
    platform: str  # hanweb / trs / lonsun / gkmlpt / kaipu / longtail
    style: str  # the module serving it (hanweb, jpaas, trs, lonsun, gkmlpt, kaipu, aspx, pdfsum)
    columns: list[SimColumn]
    parent: str | None = None
    encoding: str = "utf-8"  # "gbk": served as GBK, declared gb2312
    obstacle: str | None = None  # a whole-portal obstacle, see OBSTACLES
    delay: float = 0.0  # seconds before every answer (slow portal)
    flaky: bool = False  # the first request to each article is reset; a retry succeeds
    quirk_404: bool = False  # gkmlpt: list pages ≥ 2 answer 404
    start_path: str = "/"  # what the registry gives as start URL
    site_id: str = ""
    domain: str = ""
    expect_status: str = "ok"
    expect_reason: str | None = None  # a substring of the recorded reason
    extra: dict = field(default_factory=dict)

    def reports(self) -> list[SimReport]:
        """Every report the portal lists, once (a report listed in two columns is one report)."""
        seen, out = set(), []
        for col in self.columns:
            for it in col.items:
                if isinstance(it, SimReport) and id(it.origin) not in seen:
                    seen.add(id(it.origin))
                    out.append(it.origin)
        return out

    def listed(self) -> list[tuple[SimColumn, SimReport]]:
        return [(c, it) for c in self.columns for it in c.items if isinstance(it, SimReport)]

    def reachable(self) -> list[tuple[SimColumn, SimReport]]:
        return [(c, it) for c in self.columns for it in c.reached() if isinstance(it, SimReport)]

    def expected_reports(self) -> list[SimReport]:
        """What a correct crawl archives: nothing behind an obstacle, nothing robots.txt forbids,
        no attachment that cannot be read (it gets a recorded status instead)."""
        if self.expect_status != "ok":
            return []
        allowed = {id(it.origin) for c, it in self.reachable() if not c.disallowed and archived(it)
                   and not getattr(it, "stub", False)}
        return [r for r in self.reports() if id(r) in allowed]

    def expected_listings(self) -> list[tuple[SimColumn, SimReport]]:
        if self.expect_status != "ok":
            return []
        return [(c, it) for c, it in self.reachable() if not c.disallowed and archived(it)
                and not getattr(it, "stub", False)]

    def expected_found(self) -> int:
        """Report documents a correct crawl stores (portal_status.reports_found): one per listing,
        two where the article prints the report and also attaches it."""
        return sum(1 + bool(has_file(it) and it.file.also_html) for _, it in self.expected_listings())

    def expected_failures(self) -> list[tuple[SimColumn, SimReport]]:
        """Listed reports whose attachment must end with a recorded failure status."""
        if self.expect_status != "ok":
            return []
        return [(c, it) for c, it in self.reachable() if not c.disallowed and not archived(it)]

    def expected_stubs(self) -> list[tuple[SimColumn, SimReport]]:
        """Listed reports whose page answers 200 with a stub: a failed fetch, never a report."""
        if self.expect_status != "ok":
            return []
        return [(c, it) for c, it in self.reachable() if not c.disallowed and getattr(it, "stub", False)]


# What each whole-portal obstacle must leave in portal_status: (status, reason substring).
OBSTACLES = {
    "jsl": ("blocked", "加速乐"),
    "ruishu": ("blocked", "412"),
    "nwaf": ("blocked", "405"),
    "wzws": ("blocked", "wzws"),
    "robots_disallow": ("disallowed", "robots.txt forbids"),
    "robots_403": ("disallowed", "robots.txt answered 403"),
    "robots_404": ("ok", None),
    "dead": ("failed", "HTTP 404"),
    "moved": ("failed", "redirected to the home page"),
    "soft404": ("failed", "soft 404"),
    "stall": ("failed", "timeout"),
    "reset": ("failed", "connection"),
    "redirect": ("ok", None),
}


class Gen:
    def __init__(self, seed: int, key: str):
        self.rng = random.Random(f"{seed}/{key}")
        self.ids = iter(self.rng.sample(range(1_000_000, 9_999_999), 3000))

    def reports(self, organ: Organ, years, scale: int, title=None) -> list[SimReport]:
        rng, out = self.rng, []
        carried = {c: 0 for c in schema.APPLICANT_PARTS}
        for year in years:
            if year < 2019:
                values, template = {}, None
            else:
                template = "2019" if year < 2021 else "2021"
                apps = w._applications(rng, template, carried, scale)
                carried = {c: int(apps["carried_forward"][c]) for c in schema.APPLICANT_PARTS}
                values = {"active": w._active(rng, template, scale), "applications": apps, "reviews": w._reviews(rng, scale)}
            pub = date(year + 1, rng.randint(1, 3) if year < 2019 else 1, rng.randint(8, 28))
            t = (title or report_title)(rng, organ, year)
            r = SimReport(organ, year, template, t, pub, next(self.ids), values)
            r.origin = r
            out.append(r)
        return out

    def news(self, organ: Organ, n: int, years=range(2008, 2026)) -> list[NewsItem]:
        out = []
        for _ in range(n):
            y = self.rng.choice(list(years))
            t = self.rng.choice(w.NEWS_TITLES).format(y=y, o=organ.name.removesuffix("人民政府"))
            out.append(NewsItem(t, date(min(y + 1, 2025), self.rng.randint(1, 12), self.rng.randint(1, 28)), next(self.ids),
                                f"{t}。为深入贯彻落实《中华人民共和国政府信息公开条例》，现将有关事项通知如下。"))
        return out

    def copy(self, r: SimReport) -> SimReport:
        """The same report filed again under another URL (a county's aggregate column)."""
        c = SimReport(r.organ, r.year, r.template, r.title, r.pub_date, next(self.ids), r.values)
        c.origin = r
        return c


def report_title(rng: random.Random, organ: Organ, year: int) -> str:
    if year < 2019:
        return rng.choice([f"{year}年{organ.name}政府信息公开工作年度报告", f"{organ.name}{year}年政府信息公开工作年度报告"])
    return w._title(rng, organ, year)


def newest_first(items: list) -> list:
    return sorted(items, key=lambda i: (i.pub_date, i.doc_id), reverse=True)


def column(key, name, organ, items, per_page=15, **kw) -> SimColumn:
    return SimColumn(key, name, organ, newest_first(items), per_page, **kw)


# The city governments the simulated counties sit under, by the real city prefix of their codes:
# what a registry entry's `parent` says, and how the archive learns each report's city.
PARENTS = {
    "yunxi": "福建省福州市人民政府", "danxi": "浙江省丽水市人民政府", "qinghu": "浙江省丽水市人民政府",
    "yunling": "广西壮族自治区南宁市人民政府", "yifeng": "安徽省铜陵市人民政府", "nangang": "广东省广州市人民政府",
    "jianyang": "四川省成都市人民政府", "hedong": "河北省沧州市人民政府", "wuxi": "广西壮族自治区梧州市人民政府",
}


def make_portal(key, name, code, level, platform, style, columns, **kw) -> SimPortal:
    kw.setdefault("parent", PARENTS.get(key))
    p = SimPortal(key, name, code, level, platform, style, columns, site_id=code[:6] + "0001",
                  domain=f"www.{key}.gov.cn", **kw)
    if p.obstacle:
        p.expect_status, p.expect_reason = OBSTACLES[p.obstacle]
    return p
