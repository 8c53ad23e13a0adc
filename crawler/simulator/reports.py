"""The body of an article of the simulated web, rendered from the ground truth: a report of
2019 or later (its narrative and the official tables), a free-form pre-2019 report with its old
统计表, or a piece of news. Every family renders through these, so the same report reads the same
on every platform."""
from __future__ import annotations

import random
from html import escape

from .tables import active_table, applications_table, reviews_table
from .world import SimReport


def report_body(r: SimReport) -> str:
    rng = random.Random(r.doc_id)
    apps, rv = r.values["applications"], r.values["reviews"]
    year, organ = r.year, escape(r.organ.name)
    fmt = "国办公开办函〔2021〕30号" if r.template == "2021" else "国办公开办函〔2019〕60号"
    new_total, done = apps["new_received"]["total"], apps["total_processed"]["total"]
    review_total = rv["review"]["total"]
    lit_total = rv["litigation_direct"]["total"] + rv["litigation_after_review"]["total"]
    paragraphs = [
        f"本报告根据《中华人民共和国政府信息公开条例》和《{fmt}》要求编制。本报告所列数据统计期限为{year}年1月1日至{year}年12月31日。",
        "一、总体情况",
        f"{year}年，{organ}认真贯彻落实政务公开各项决策部署，持续深化政务公开，以公开促落实、助监督、强监管。",
        f"（一）主动公开。全年通过政府门户网站主动公开政府信息{rng.randint(200, 9000)}条。",
        f"（二）依申请公开。{year}年共收到政府信息公开申请{new_total}件，办结{done}件。",
        f"（三）政府信息管理。（四）平台建设。（五）监督保障。全年因政府信息公开被申请行政复议{review_total}件，提起行政诉讼{lit_total}件。",
        "二、主动公开政府信息情况",
    ]
    html = "".join(f"<p>{p}</p>" for p in paragraphs)
    html += active_table(r, rng)
    html += "<p>三、收到和处理政府信息公开申请情况</p>" + applications_table(r, rng)
    html += "<p>四、政府信息公开行政复议、行政诉讼情况</p>" + reviews_table(r, rng)
    html += "<p>五、存在的主要问题及改进情况</p><p>存在的问题：政务公开工作人员业务能力有待提升。改进措施：加强培训。</p>"
    html += f"<p>六、其他需要报告的事项</p><p>本年度未收取信息处理费。</p><p>{organ}</p><p>{r.pub_date.year}年{r.pub_date.month}月{r.pub_date.day}日</p>"
    return html


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
        return report_body(item) if item.template else old_report_body(item)
    return f"<p>{escape(item.body)}</p>"
