"""年报 trees by year and by kind of unit (portal-evidence.md §1.1; 东城, 大冶, 霍林郭勒, 甘州 …): the
年报 column lists year sub-columns (`2025n/`), each year lists its kinds of unit (区政府, 部门,
乡镇（街道）), and each of those is a list of reports. The year folder is the publication year on
this site, except where it lies: one report of 2024 sits in the `2019n` folder (汉台), so the
report year is read from the report, never from the folder.
"""
from __future__ import annotations

import re
from html import escape

from .common import Reply, article_page, frame, not_found
from .listing import find_item, serve_list
from .model import Gen, Organ, column, make_portal
from .reports import body_of

STYLE = "nbtree"
ROOT = "/zfxxgkzl/zfxxgknb/"
KINDS = (("zf", "区政府"), ("bm", "部门"), ("jd", "街道"))
_DIR = re.compile(r"^/zfxxgkzl/zfxxgknb/(\d{4})nb/$")


def build(seed: int) -> list:
    g = Gen(seed, "nbtree")
    county = Organ("东川区人民政府", "110119000000", "county", "dc")
    depts = [Organ("东川区教育委员会", "110119000000-jw", "department", "jw", county.name),
             Organ("东川区财政局", "110119000000-cz", "department", "cz", county.name)]
    streets = [Organ("东川区和平里街道办事处", "110119001000", "town", "hpl", county.name),
               Organ("东川区东华门街道办事处", "110119002000", "town", "dhm", county.name)]
    reports = {"zf": g.reports(county, range(2018, 2026), 20), "bm": [], "jd": []}
    for d in depts:
        reports["bm"] += g.reports(d, range(2019, 2026), 6)
    for s in streets:
        reports["jd"] += g.reports(s, range(2019, 2026), 5)
    cols = []
    for kind, label in KINDS:
        by_folder: dict[int, list] = {}
        for r in reports[kind]:
            folder = r.pub_date.year
            if kind == "zf" and r.year == 2024:
                folder = 2019  # the lying folder
            by_folder.setdefault(folder, []).append(r)
        for folder, items in by_folder.items():
            organ = county if kind == "zf" else items[0].organ
            if kind == "zf":
                items = items + g.news(county, 1, range(folder - 1, folder))
            cols.append(column(f"{folder}/{kind}", label, organ, items, per_page=4, opts={"folder": folder, "kind": kind}))
    return [make_portal("nbtree", county.name, "110119", "county", "longtail", STYLE, cols,
                        parent="北京市人民政府", start_path=ROOT)]


def col_dir(col) -> str:
    return f"{ROOT}{col.opts['folder']}nb/{col.opts['kind']}{col.opts['folder']}/"


def col_path(portal, col) -> str:
    return col_dir(col) + "index.html"


def item_path(portal, col, item) -> str:
    return f"{col_dir(col)}{item.pub_date:%Y%m}/t{item.pub_date:%Y%m%d}_{item.doc_id}.html"


def _folders(portal) -> list[int]:
    return sorted({c.opts["folder"] for c in portal.columns}, reverse=True)


def route(portal, req) -> Reply:
    path = req.path
    if path in ("/", "/index.html"):
        return Reply(200, frame(portal, portal.name, f'<div class="zwgk"><a href="{ROOT}">政府信息公开年报</a></div>'))
    if path in (ROOT, ROOT + "index.html"):
        years = "".join(f'<li><a href="./{y}nb/">{y}年</a></li>' for y in _folders(portal))
        body = f'<div class="crumb">首页 &gt; 政府信息公开 &gt; 政府信息公开年度报告</div><ul class="years">{years}</ul>'
        return Reply(200, frame(portal, "政府信息公开年度报告", body, {"ColumnName": "政府信息公开年度报告"}))
    m = _DIR.match(path.removesuffix("index.html"))
    if m:
        folder = int(m.group(1))
        kinds = [c for c in portal.columns if c.opts["folder"] == folder]
        if kinds:
            links = "".join(f'<li><a href="{col_dir(c)}">{escape(c.name)}</a></li>' for c in kinds)
            body = f'<div class="crumb">首页 &gt; 政府信息公开年度报告 &gt; {folder}</div><ul class="kinds">{links}</ul>'
            return Reply(200, frame(portal, f"{folder}", body, {"ColumnName": str(folder)}))
    for col in portal.columns:
        def page(c, k, rows, pager):
            body = (f'<div class="crumb">首页 &gt; 政府信息公开年度报告 &gt; {c.opts["folder"]} &gt; {escape(c.name)}</div>'
                    f'<ul class="list">{rows}</ul>{pager}')
            return Reply(200, frame(portal, c.name, body, {"ColumnName": c.name}))

        if path == col_dir(col):
            req.full = col_dir(col) + "index.html"
        reply = serve_list(portal, req, col, col_dir(col), "index_n", "links", page, lambda c, i: item_path(portal, c, i))
        if reply is not None:
            return reply
    found = find_item(portal, path, item_path)
    if found:
        return Reply(200, article_page(portal, found[0], found[1], body_of(found[1])))
    return not_found(portal)
