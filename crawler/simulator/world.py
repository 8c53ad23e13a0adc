"""The simulator's ground truth: which organs publish which reports, with every value.

Everything is drawn from one seed, so a test can rebuild the same world and compare the archive
cell by cell. Values satisfy the accounting identities of report-format.md (A1–A4) and A5
across years, as a consistent real report does.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from archive import schema


@dataclass(frozen=True)
class Organ:
    name: str  # the body as named in report titles
    code: str  # 行政区划代码 (12 digits for towns) or the county code plus a department suffix
    level: str  # county / town / department
    slug: str  # path segment of its sub-site column
    parent: str | None = None


class _Article:
    """Where a TRS site files an article: ./YYYYMM/tYYYYMMDD_NNNNNNN.html."""

    pub_date: date
    doc_id: int

    @property
    def article_name(self) -> str:
        return f"t{self.pub_date:%Y%m%d}_{self.doc_id:07d}.html"

    @property
    def month_dir(self) -> str:
        return f"{self.pub_date:%Y%m}"


@dataclass
class SimReport(_Article):
    organ: Organ
    year: int
    template: str  # "2019" or "2021"
    title: str
    pub_date: date
    doc_id: int
    # table -> row -> column -> Decimal
    values: dict[str, dict[str, dict[str, Decimal]]]
    raw: dict[tuple[str, str, str], str] = field(default_factory=dict)  # printed text where not plain


@dataclass
class NewsItem(_Article):
    title: str
    pub_date: date
    doc_id: int
    body: str


@dataclass
class Column:
    """One 政府信息公开年报 column: the county's, or a town's on its own sub-site."""

    path: str  # URL path of the column directory, ending in "/"
    name: str
    organ: Organ
    items: list  # SimReport | NewsItem, newest first
    per_page: int = 15


COUNTY = Organ("云溪县人民政府", "350128000000", "county", "yxx")
TOWNS = (
    Organ("云溪县城关镇", "350128100000", "town", "cgz", COUNTY.name),
    Organ("云溪县梅林镇", "350128101000", "town", "mlz", COUNTY.name),
    Organ("云溪县石桥乡", "350128200000", "town", "sqx", COUNTY.name),
    Organ("云溪县慈周寨镇", "350128102000", "town", "czz", COUNTY.name),
)
DEPARTMENTS = (
    Organ("云溪县教育局", "350128000000-jyj", "department", "jyj", COUNTY.name),
    Organ("云溪县财政局", "350128000000-czj", "department", "czj", COUNTY.name),
    Organ("云溪县卫生健康局", "350128000000-wsj", "department", "wsj", COUNTY.name),
    Organ("云溪县市场监督管理局", "350128000000-scj", "department", "scj", COUNTY.name),
)
YEARS = range(2019, 2026)

NEWS_TITLES = (
    "关于做好{y}年度政府信息公开工作年度报告编制和发布工作的通知",
    "{o}{y}年政府信息公开工作年度报告解读",
    "{o}召开{y}年政务公开工作推进会",
    "{o}政府信息公开指南（{y}年修订）",
    "{o}{y}年政务公开工作要点",
    "{o}开展政府信息公开业务培训",
)


def _title(rng: random.Random, organ: Organ, year: int) -> str:
    style = rng.randrange(4)
    if style == 0:
        return f"{organ.name}{year}年政府信息公开工作年度报告"
    if style == 1:
        return f"{organ.name}{year}年度政府信息公开工作年度报告"
    if style == 2:
        return f"{year}年{organ.name}政府信息公开工作年度报告"
    return f"{organ.name}{year}年度政府信息公开工作报告"


def _sparse(rng: random.Random, big: int, p_zero: float) -> int:
    return 0 if rng.random() < p_zero else rng.randint(1, big)


def _applications(rng: random.Random, template: str, carried_over: dict[str, int], scale: int):
    rows = schema.RESULT_ROWS_2021 if template == "2021" else schema.RESULT_ROWS_2019
    t: dict[str, dict[str, int]] = {}
    weights = {"natural_person": (scale, 0.2), "commercial": (max(2, scale // 8), 0.6)}
    for row in rows:
        t[row] = {}
        for col in schema.APPLICANT_PARTS:
            big, pz = weights.get(col, (3, 0.85))
            if row in ("granted", "unavailable_not_held"):
                pz = pz / 2
            t[row][col] = _sparse(rng, big, min(0.97, pz + 0.3 * (row not in ("granted", "partial", "unavailable_not_held"))))
    t["carried_over"] = dict(carried_over)
    t["carried_forward"] = {c: _sparse(rng, 3, 0.7) for c in schema.APPLICANT_PARTS}
    t["total_processed"] = {c: sum(t[r][c] for r in rows) for c in schema.APPLICANT_PARTS}
    # A1: new + carried_over = processed + carried_forward; new may not go negative.
    t["new_received"] = {}
    for c in schema.APPLICANT_PARTS:
        new = t["total_processed"][c] + t["carried_forward"][c] - t["carried_over"][c]
        if new < 0:
            t["carried_forward"][c] -= new
            new = 0
        t["new_received"][c] = new
    for cols in t.values():
        cols["total"] = sum(cols[c] for c in schema.APPLICANT_PARTS)
    order = [k for k, _, _ in schema.APPLICATION_ROWS if k in t]
    return {r: {c: Decimal(v) for c, v in t[r].items()} for r in order}


def _reviews(rng: random.Random, scale: int):
    out = {}
    for key, _ in schema.REVIEW_ROWS:
        parts = {c: _sparse(rng, max(1, scale // 10), 0.55) for c in schema.REVIEW_PARTS}
        parts["total"] = sum(parts.values())
        out[key] = {c: Decimal(v) for c, v in parts.items()}
    return out


def _active(rng: random.Random, template: str, scale: int):
    if template == "2021":
        docs = lambda: {"issued": rng.randint(0, 30), "abolished": rng.randint(0, 10), "in_force": rng.randint(10, 300)}
        return {
            "rules": {k: Decimal(v) for k, v in docs().items()} if rng.random() < 0.3 else {k: Decimal(0) for k in ("issued", "abolished", "in_force")},
            "normative_docs": {k: Decimal(v) for k, v in docs().items()},
            "licensing": {"decisions": Decimal(rng.randint(1, 50 * scale))},
            "punishment": {"decisions": Decimal(rng.randint(0, 20 * scale))},
            "enforcement": {"decisions": Decimal(rng.randint(0, 3 * scale))},
            "fees": {"amount": Decimal(rng.randint(0, 10**7)) / 100},
        }
    items = lambda: {"previous": Decimal(rng.randint(0, 400)), "change": Decimal(rng.randint(-20, 20)), "decisions": Decimal(rng.randint(0, 3000))}
    made = rng.randint(0, 60)
    return {
        "rules": {"made": Decimal(0), "published": Decimal(0), "total_published": Decimal(rng.randint(0, 20))},
        "normative_docs": {"made": Decimal(made), "published": Decimal(made), "total_published": Decimal(made + rng.randint(0, 400))},
        "licensing": items(),
        "other_services": items(),
        "punishment": items(),
        "enforcement": items(),
        "fees": {"previous": Decimal(rng.randint(0, 40)), "change": Decimal(rng.randint(-15, 5))},
        "procurement": {"projects": Decimal(rng.randint(0, 200)), "amount": Decimal(rng.randint(0, 10**9)) / 100},
    }


@dataclass
class World:
    seed: int
    columns: list[Column]
    reports: list[SimReport]
    news: list[NewsItem]
    start_path: str = "/zwgk/zfxxgk/zfxxgknb/"

    def report_at(self, path: str) -> SimReport | None:
        return self._by_path().get(path)

    def _by_path(self):
        if not hasattr(self, "_paths"):
            self._paths = {}
            for col in self.columns:
                for item in col.items:
                    self._paths[f"{col.path}{item.month_dir}/{item.article_name}"] = item
        return self._paths

    def url_of(self, item) -> str:
        for path, it in self._by_path().items():
            if it is item:
                return path
        raise KeyError(item)


def build_world(seed: int = 2024) -> World:
    rng = random.Random(seed)
    doc_ids = iter(rng.sample(range(1_000_000, 9_999_999), 2000))
    reports: list[SimReport] = []
    news: list[NewsItem] = []
    columns: list[Column] = []

    def organ_reports(organ: Organ, scale: int) -> list[SimReport]:
        out = []
        carried = {c: 0 for c in schema.APPLICANT_PARTS}
        for year in YEARS:
            template = "2019" if year < 2021 else "2021"
            apps = _applications(rng, template, carried, scale)
            carried = {c: int(apps["carried_forward"][c]) for c in schema.APPLICANT_PARTS}
            pub = date(year + 1, 1, rng.randint(8, 28))
            r = SimReport(organ, year, template, _title(rng, organ, year), pub, next(doc_ids),
                          {"active": _active(rng, template, scale), "applications": apps, "reviews": _reviews(rng, scale)})
            out.append(r)
        return out

    def organ_news(organ: Organ, n: int) -> list[NewsItem]:
        out = []
        for _ in range(n):
            y = rng.choice(list(YEARS))
            title = rng.choice(NEWS_TITLES).format(y=y, o=organ.name.removesuffix("人民政府"))
            out.append(NewsItem(title, date(y + 1, rng.randint(1, 12), rng.randint(1, 28)), next(doc_ids),
                                f"{title}。为深入贯彻落实《中华人民共和国政府信息公开条例》，现将有关事项通知如下。"))
        return out

    county_items: list = organ_reports(COUNTY, 40)
    for dept in DEPARTMENTS:
        county_items += organ_reports(dept, 8)
    county_news = organ_news(COUNTY, 9)
    reports += county_items
    news += county_news
    county_items = sorted(county_items + county_news, key=lambda i: (i.pub_date, i.doc_id), reverse=True)
    columns.append(Column("/zwgk/zfxxgk/zfxxgknb/", "政府信息公开年报", COUNTY, county_items))
    for town in TOWNS:
        items = organ_reports(town, 6)
        town_news = organ_news(town, 3)
        reports += items
        news += town_news
        items = sorted(items + town_news, key=lambda i: (i.pub_date, i.doc_id), reverse=True)
        columns.append(Column(f"/xzjd/{town.slug}/zfxxgknb/", "政府信息公开年报", town, items, per_page=8))
    return World(seed, columns, reports, news)
