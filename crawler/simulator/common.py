"""What every simulated platform shares: the page frame with the portal meta tags, report bodies
(the 2019/2021 tables, or the free-form pre-2019 report with its old 统计表), news bodies."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from html import escape



@dataclass
class Reply:
    status: int = 200
    body: str | bytes = ""
    ctype: str = "text/html"
    headers: list[tuple[str, str]] = field(default_factory=list)


def meta_tags(meta: dict[str, str]) -> str:
    return "".join(f'<meta name="{k}" content="{escape(v)}">\n' for k, v in meta.items())


def frame(portal, title: str, body: str, meta: dict[str, str] | None = None, head: str = "") -> str:
    charset = "gb2312" if portal.encoding == "gbk" else "utf-8"
    meta = {"SiteName": portal.name, "SiteDomain": portal.domain, "SiteIDCode": portal.site_id, **(meta or {})}
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
{meta_tags(meta)}<title>{escape(title)}</title>
{head}</head><body>
<div class="header"><div class="logo"><a href="/">{escape(portal.name)}</a></div></div>
{body}
<div class="footer">主办：{escape(portal.name)}办公室 网站标识码：{portal.site_id}</div>
</body></html>"""


def article_meta(portal, column, item, pub: str) -> dict[str, str]:
    return {"ColumnName": column.name, "ColumnType": "政府信息公开年报", "ArticleTitle": item.title,
            "PubDate": pub, "ContentSource": column.organ.name}


def old_report_body(r) -> str:
    """A report of 2008–2018: free text in the sections of the old regulation and the old
    统计表 (指标名称 / 计量单位 / 本年度 / 历年累计), which the 2019/2021 tables do not describe."""
    rng = random.Random(r.doc_id)
    n = lambda a, b: rng.randint(a, b)
    organ = escape(r.organ.name)
    paras = [
        f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定，特向社会公布{r.year}年度{organ}政府信息公开年度报告。"
        f"本报告中所列数据的统计期限自{r.year}年1月1日起至{r.year}年12月31日止。",
        "一、概述",
        f"{r.year}年，{organ}认真贯彻落实《条例》，进一步完善政府信息公开工作机制。",
        "二、主动公开政府信息情况",
        f"全年主动公开政府信息{n(50, 3000)}条，其中通过网站公开{n(20, 2000)}条。",
        "三、依申请公开政府信息情况",
        f"全年共受理政府信息公开申请{n(0, 30)}件，均已按时答复。",
        "四、政府信息公开的收费及减免情况",
        "本年度未收取任何费用。",
        "五、因政府信息公开申请提起行政复议、行政诉讼的情况",
        "本年度未发生因政府信息公开申请提起行政复议、行政诉讼的情况。",
        "六、存在的主要问题及改进措施",
        "政府信息公开工作仍存在公开内容不够全面等问题，下一步将进一步加强。",
    ]
    html = "".join(f"<p>{p}</p>" for p in paras)
    rows = [("一、主动公开情况", "", "", ""), ("（一）主动公开政府信息数", "条", n(50, 3000), n(3000, 30000)),
            ("其中：主动公开规范性文件数", "条", n(0, 40), n(40, 400)), ("（二）制发规范性文件总数", "件", n(0, 40), n(40, 400)),
            ("二、回应解读情况", "", "", ""), ("（一）回应公众关注热点或重大舆情数", "次", n(0, 20), n(20, 200)),
            ("三、依申请公开情况", "", "", ""), ("（一）收到申请数", "件", n(0, 30), n(30, 300)),
            ("（二）申请办结数", "件", n(0, 30), n(30, 300)), ("四、复议诉讼情况", "", "", ""),
            ("（一）被申请复议数", "件", 0, n(0, 5)), ("（二）被提起诉讼数", "件", 0, n(0, 5))]
    trs = "".join(f"<tr><td>{a}</td><td>{b}</td><td>{c}</td><td>{d}</td></tr>" for a, b, c, d in rows)
    html += ("<p>附表：政府信息公开情况统计表</p><table border=\"1\"><tbody>"
             "<tr><td>指标名称</td><td>计量单位</td><td>本年度</td><td>历年累计</td></tr>" + trs + "</tbody></table>")
    html += f"<p>{organ}</p><p>{r.pub_date.year}年{r.pub_date.month}月{r.pub_date.day}日</p>"
    return html


def body_of(item) -> str:
    """The body HTML of a list item: a report (old style before 2019) or a piece of news."""
    if hasattr(item, "values"):
        from .trs import report_body

        return report_body(item) if item.template else old_report_body(item)
    return f"<p>{escape(item.body)}</p>"


def not_found(portal) -> Reply:
    return Reply(404, "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>")


def soft_not_found(portal) -> Reply:
    """HTTP 200 that says the page does not exist: what many portals answer for a gone page."""
    return Reply(200, frame(portal, "页面不存在", '<div class="error"><h2>抱歉，您访问的页面不存在或已被删除！</h2>'
                                             '<a href="/">返回首页</a></div>'))


def li(href: str, item, extra: str = "") -> str:
    return (f'<li><a href="{escape(href)}" target="_blank" title="{escape(item.title)}">{escape(item.title)}</a>'
            f'<span class="date">{item.pub_date:%Y-%m-%d}</span>{extra}</li>\n')
