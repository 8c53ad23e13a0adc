"""The whole simulated web: one portal per platform style of portal-styles.md, plus portals that
present one obstacle each, with the ground truth of what a correct crawl records.

Every portal is drawn from its own seeded generator, so the 云溪县 TRS portal of `world.py` is the
same whatever else is added. For each portal the truth says which reports exist (organ, year,
every value), at which URLs they are listed, which the crawler must archive (none behind a
challenge, none in a column robots.txt disallows), and the status it must record.
"""
from __future__ import annotations

from . import attachments
from . import world as w
from .model import (OBSTACLES, PARENTS, Gen, NewsItem, Organ, SimColumn, SimPortal, SimReport,  # noqa: F401
                    column, make_portal)


def _yunxi(seed: int) -> SimPortal:
    """The original TRS county of world.py, unchanged, so its 63 reports stay what they were."""
    world = w.build_world(seed)
    for r in world.reports:
        r.origin = r
    cols = [SimColumn(c.path, c.name, c.organ, c.items, c.per_page) for c in world.columns]
    p = make_portal("yunxi", w.COUNTY.name, w.COUNTY.code[:6], "county", "trs", "trs", cols, start_path=world.start_path)
    p.site_id, p.domain, p.extra["world"] = "3501280001", "www.yunxi.gov.cn", world
    return p


def _small(g: Gen, key: str, name: str, code: str, platform: str, style: str, obstacle: str, **kw) -> SimPortal:
    """A portal with one column of a few reports and news, presenting one obstacle."""
    organ = Organ(name, code + "000000", "county", key)
    items = g.reports(organ, range(2022, 2025), 10) + g.news(organ, 2, range(2022, 2025))
    return make_portal(key, name, code, "county", platform, style, [column(_colkey(style, 0), "政府信息公开年报", organ, items)],
                   obstacle=obstacle, **kw)


def _colkey(style: str, i: int) -> str:
    return {"hanweb": f"{1229325036 + i}", "jpaas": f"{1229700100 + i}", "lonsun": f"{4971 + i}",
            "gkmlpt": f"{2629 + i}", "kaipu": f"xxgknb{i or ''}", "aspx": f"{1019 + i}", "pdfsum": f"u{i}",
            "trs": "/zwgk/zfxxgk/zfxxgknb/" if i == 0 else f"/xzjd/z{i}/zfxxgknb/"}[style]


def build_universe(seed: int = 2024) -> list[SimPortal]:
    portals = [_yunxi(seed)]

    # A. Hanweb jcms: inline datastore, POST dataproxy.jsp; a town column that robots.txt forbids.
    g = Gen(seed, "danxi")
    county = Organ("丹溪县人民政府", "331125000000", "county", "dx")
    depts = [Organ("丹溪县发展和改革局", "331125000000-fgj", "department", "fgj", county.name),
             Organ("丹溪县自然资源和规划局", "331125000000-zrj", "department", "zrj", county.name)]
    towns = [Organ(f"丹溪县{t}", c, "town", s, county.name) for t, c, s in
             (("下各镇", "331125101000", "xgz"), ("横山镇", "331125102000", "hsz"), ("白沙乡", "331125200000", "bsx"))]
    items = g.reports(county, range(2008, 2026), 30) + g.news(county, 8)
    for d in depts:
        items += g.reports(d, range(2019, 2026), 8)
    for r in items:
        # This bureau posts its reports as PDF attachments of a one-line article.
        r.attachment = getattr(r, "organ", None) is depts[1]
    cols = [column(_colkey("hanweb", 0), "政府信息公开年报", county, items)]
    for i, t in enumerate(towns, 1):
        cols.append(column(_colkey("hanweb", i), "政府信息公开年报", t, g.reports(t, range(2019, 2026), 6) + g.news(t, 2),
                         disallowed=(i == 3)))
    portals.append(make_portal("danxi", "丹溪县人民政府", "331125", "county", "hanweb", "hanweb", cols))

    # A2. Hanweb JPaaS: pager div with queryData, JSON `front/page/build/unit`.
    g = Gen(seed, "qingtian")
    county = Organ("青湖县人民政府", "331121000000", "county", "qh")
    town = Organ("青湖县船寮镇", "331121103000", "town", "clz", county.name)
    items = g.reports(county, range(2008, 2026), 30) + g.reports(town, range(2021, 2026), 6) + g.news(county, 4)
    portals.append(make_portal("qinghu", "青湖县人民政府", "331121", "county", "hanweb", "jpaas",
                           [column(_colkey("jpaas", 0), "政府信息公开年报", county, items, per_page=6)]))

    # B2. TRS legacy district: GBK declared gb2312 with GBK-only characters, _wap twins, a town's
    # reports listed again in the district's column, pre-2019 reports, HTTP only.
    g = Gen(seed, "yunling")
    county = Organ("云岭区人民政府", "450123000000", "county", "yl")
    towns = [Organ("云岭区堃山镇", "450123101000", "town", "ksz", county.name),
             Organ("云岭区喆溪乡", "450123201000", "town", "zxx", county.name)]
    town_reports = [g.reports(t, range(2008, 2021), 4) for t in towns]
    items = g.reports(county, range(2008, 2026), 20) + [g.copy(r) for r in town_reports[0][-3:]] + g.news(county, 6)
    cols = [column(_colkey("trs", 0), "政府信息公开年报", county, items)]
    for i, (t, rs) in enumerate(zip(towns, town_reports), 1):
        cols.append(column(_colkey("trs", i), "政府信息公开年报", t, rs + g.news(t, 2), per_page=8))
    portals.append(make_portal("yunling", "云岭区人民政府", "450123", "county", "trs", "trs", cols, encoding="gbk"))

    # C. LonSun: every town its own organId; the list comes in AJAX publicInfoList fragments.
    g = Gen(seed, "yifeng")
    county = Organ("义丰县人民政府", "340722000000", "county", "yf")
    towns = [Organ(f"义丰县{t}", c, "town", s, county.name) for t, c, s in
             (("老洲乡", "340722200000", "lzx"), ("钟鸣镇", "340722101000", "zmz"), ("西联乡", "340722201000", "xlx"))]
    cols = [column(_colkey("lonsun", 0), "政府信息公开年报", county, g.reports(county, range(2008, 2026), 25) + g.news(county, 5))]
    for i, t in enumerate(towns, 1):
        cols.append(column(_colkey("lonsun", i), "政府信息公开年报", t, g.reports(t, range(2019, 2026), 5) + g.news(t, 1)))
    portals.append(make_portal("yifeng", "义丰县人民政府", "340722", "county", "lonsun", "lonsun", cols))

    # D. gkmlpt: JSON list API, article HTML inside _CONFIG, page ≥ 2 answers 404; the 年报
    # category has one child per organ, whose lists fit on one page.
    g = Gen(seed, "nanhai")
    county = Organ("南岗区人民政府", "440118000000", "county", "ng")
    dept = Organ("南岗区生态环境局", "440118000000-sthjj", "department", "sthjj", county.name)
    town = Organ("南岗区石滩镇", "440118101000", "town", "stz", county.name)
    cols = [column("2630", "区政府", county, g.reports(county, range(2008, 2026), 30) + g.news(county, 3), per_page=30),
            column("2631", "石滩镇", town, g.reports(town, range(2019, 2026), 5), per_page=30),
            column("3101", "区生态环境局", dept, g.reports(dept, range(2019, 2026), 6) + g.news(dept, 2), per_page=30)]
    portals.append(make_portal("nangang", "南岗区人民政府", "440118", "county", "gkmlpt", "gkmlpt", cols, quirk_404=True,
                           extra={"sid": "758019", "per_page": 30}))

    # E. Kaipu CMSPRO: cmspro_documents, 下一页 links; articles reset on their first request.
    g = Gen(seed, "jianyang")
    county = Organ("涧阳县人民政府", "510185000000", "county", "jy")
    town = Organ("涧阳县三星镇", "510185102000", "town", "sxz", county.name)
    items = g.reports(county, range(2008, 2026), 25) + g.reports(town, range(2019, 2026), 5) + g.news(county, 6)
    portals.append(make_portal("jianyang", "涧阳县人民政府", "510185", "county", "kaipu", "kaipu",
                           [column(_colkey("kaipu", 0), "政府信息公开年报", county, items, per_page=10)], flaky=True))

    # F. Long tail: ASPX query-string paging, slow answers.
    g = Gen(seed, "hedong")
    county = Organ("河东县人民政府", "130928000000", "county", "hd")
    dept = Organ("河东县住房和城乡建设局", "130928000000-zjj", "department", "zjj", county.name)
    items = g.reports(county, range(2008, 2026), 20) + g.reports(dept, range(2019, 2026), 5) + g.news(county, 6)
    portals.append(make_portal("hedong", "河东县人民政府", "130928", "county", "longtail", "aspx",
                           [column(_colkey("aspx", 0), "政府信息公开年报", county, items, per_page=10)], delay=0.05))

    # F. Long tail: a 年报汇总 page linking straight to PDFs, /wzxxgknb/{pubYear}/{unit}.pdf.
    g = Gen(seed, "wuzhou")
    county = Organ("梧溪县人民政府", "450421000000", "county", "wx")
    units = [county] + [Organ(f"梧溪县{t}", c, "town", s, county.name) for t, c, s in
                        (("长洲镇", "450421101000", "czz"), ("龙圩镇", "450421102000", "lwz"))]
    items = []
    for u in units:
        items += g.reports(u, range(2008 if u is county else 2016, 2025), 10)
    portals.append(make_portal("wuxi", "梧溪县人民政府", "450421", "county", "longtail", "pdfsum",
                           [column(_colkey("pdfsum", 0), "政府信息公开年报汇总", county, items, per_page=1000)]))

    # One portal per whole-portal obstacle, spread over the platforms.
    g = Gen(seed, "obstacles")
    portals += [
        _small(g, "jsl", "石门县人民政府", "430726", "hanweb", "hanweb", "jsl"),
        _small(g, "ruishu", "东源县人民政府", "441625", "gkmlpt", "gkmlpt", "ruishu", extra={"sid": "758020", "per_page": 20}),
        _small(g, "nwaf", "金堂县人民政府", "510121", "kaipu", "kaipu", "nwaf"),
        _small(g, "wzws", "枞阳县人民政府", "340823", "lonsun", "lonsun", "wzws"),
        _small(g, "nobots", "宁化县人民政府", "350424", "trs", "trs", "robots_disallow"),
        _small(g, "bots403", "永和县人民政府", "141032", "longtail", "aspx", "robots_403"),
        _small(g, "bots404", "大宁县人民政府", "141030", "longtail", "aspx", "robots_404"),
        _small(g, "dead", "蒲县人民政府", "141033", "longtail", "aspx", "dead", start_path="/Category_598/Index.aspx"),
        _small(g, "moved", "宁远县人民政府", "431126", "trs", "trs", "moved", start_path="/zwgk/zfxxgk/zfxxgknb/"),
        _small(g, "soft404", "剑阁县人民政府", "510823", "kaipu", "kaipu", "soft404", start_path="/xxgknb/index.shtml"),
        _small(g, "stall", "汾西县人民政府", "141029", "longtail", "aspx", "stall", start_path="/InfoPublic.aspx?cid=1019&pid=971&page=1"),
        _small(g, "reset", "岳西县人民政府", "340828", "lonsun", "lonsun", "reset",
               start_path="/public/column/4971?type=3&catId=4971&action=list"),
        _small(g, "redirect", "平江县人民政府", "430626", "hanweb", "hanweb", "redirect", start_path="/col/old_nianbao/"),
    ]

    # Reports published only as attachments, in every format, linked as TRS, LonSun and Hanweb
    # portals link them (attachments.py).
    portals += attachments.build(seed)
    return portals


def build_bench(seed: int = 2024, organs: int = 20, years=range(2008, 2026)) -> list[SimPortal]:
    """A larger world for bench/crawl.py: one portal per list style, each with `organs` organs
    publishing every year of `years` in their own column, and some news in each column."""
    styles = [("trs", "trs"), ("hanweb", "hanweb"), ("lonsun", "lonsun"), ("gkmlpt", "gkmlpt"),
              ("kaipu", "kaipu"), ("longtail", "aspx")]
    portals = []
    for n, (platform, style) in enumerate(styles):
        g = Gen(seed, f"bench-{style}")
        code = f"{990100 + n}"
        county = Organ(f"基准{n}县人民政府", code + "000000", "county", f"b{n}")
        cols = []
        for i in range(organs):
            organ = county if i == 0 else Organ(f"基准{n}县第{i}镇", f"{code}{100 + i}000", "town", f"t{i}", county.name)
            key = str(2630 + i) if style == "gkmlpt" else _colkey(style, i)
            cols.append(column(key, "政府信息公开年报", organ, g.reports(organ, years, 10) + g.news(organ, 2), per_page=15))
        extra = {"sid": f"75{n:04d}", "per_page": 30} if style == "gkmlpt" else {}
        portals.append(make_portal(f"bench{n}", county.name, code, "county", platform, style, cols, extra=extra))
    return portals
