"""Hanweb's 信息公开 annual-report module (portal-evidence.md §1.2; 荣成, 微山, 温州鹿城): one page
per unit and report year, `/module/xxgk/xxgkAnnualReport.jsp?area=<统一社会信用代码>&fbtime=<report
year>` (fbtime is the report year, published the next January), listed per unit on
`/module/xxgk/annualReportList.jsp?area=…` pages linked from the 年报 column.
"""
from __future__ import annotations

from html import escape

from .common import Reply, article_page, frame, not_found
from .model import Gen, Organ, column, make_portal
from .reports import body_of

STYLE = "hanwebnb"
ROOT = "/col/nb/index.html"


def build(seed: int) -> list:
    g = Gen(seed, "hanwebnb")
    county = Organ("荣川市人民政府", "371082000000", "county", "rc")
    units = [(county, "11371082004339301A"),
             (Organ("荣川市东山街道办事处", "371082004000", "town", "dsj", county.name), "11371082004339319Q"),
             (Organ("荣川市港湾街道办事处", "371082005000", "town", "gwj", county.name), "11371082004339327K")]
    cols = [column(area, "政府信息公开年报", organ, g.reports(organ, range(2019 if organ is not county else 2016, 2026), 8),
                   per_page=100) for organ, area in units]
    return [make_portal("hanwebnb", county.name, "371082", "county", "longtail", STYLE, cols, parent="山东省威海市人民政府",
                        start_path=ROOT)]


def col_path(portal, col) -> str:
    return f"/module/xxgk/annualReportList.jsp?area={col.key}"


def item_path(portal, col, item) -> str:
    return f"/module/xxgk/xxgkAnnualReport.jsp?area={col.key}&fbtime={item.year}"


def route(portal, req) -> Reply:
    if req.path in ("/", ROOT):
        units = "".join(f'<li><a href="{escape(col_path(portal, c))}">{escape(c.organ.name)}</a></li>' for c in portal.columns)
        body = f'<div class="crumb">首页 &gt; 政府信息公开 &gt; 政府信息公开年报</div><ul class="units">{units}</ul>'
        return Reply(200, frame(portal, "政府信息公开年报", body, {"ColumnName": "政府信息公开年报"}))
    col = next((c for c in portal.columns if c.key == req.query.get("area")), None)
    if col and req.path == "/module/xxgk/annualReportList.jsp":
        rows = "".join(f'<tr><td><a href="{escape(item_path(portal, col, i))}" target="_blank">{escape(i.title)}</a></td>'
                       f'<td>{i.pub_date:%Y-%m-%d}</td></tr>' for i in col.items)
        return Reply(200, frame(portal, f"{col.organ.name}政府信息公开年报", f'<table class="nb">{rows}</table>'))
    if col and req.path == "/module/xxgk/xxgkAnnualReport.jsp":
        for item in col.items:
            if str(item.year) == req.query.get("fbtime"):
                return Reply(200, article_page(portal, col, item, body_of(item), "zoom"))
    return not_found(portal)
