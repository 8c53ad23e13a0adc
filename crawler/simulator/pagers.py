"""The long tail with no family of its own (portal-evidence.md §3.6; portal-styles.md B): one small
portal per pagination spelling of `listing.py` (index_N, index_n2 without _1, list_N.shtml, ?page=N,
cur_page=, N.html, VSB's reversed numbering), each with a pager drawn at random from those its
spelling can be read from. Nothing but the generic list reader crawls them.

Three more portals carry the obstacles of §3.2: one lists a year's reports whose pages answer 200
with a 160-byte stub (a failed fetch, never a report); one draws its later pages with a `goPage(n)`
script nobody can follow, under a `共N条` total (the crawl reaches the first page and records the
declared count against the reached one); one is a single-page-app shell that answers every path
with the same 200 page. Two serve one scheme only (https-only: plain HTTP answers 404; http-only:
the TLS handshake fails), their registry entries giving the other.
"""
from __future__ import annotations

import random
from html import escape

from .common import Reply, article_page, frame, not_found
from .listing import COMPATIBLE, find_item, serve_list
from .model import Gen, Organ, column, make_portal
from .reports import body_of

STYLE = "pagers"
COL_DIR = "/xxgk/nb/"
SPELLINGS = ("index_n", "index_n2", "list_n", "query", "cur_page", "n_html", "vsb")
STUB = "<html><head><title></title></head><body><script>location.href='/';</script></body></html>"
SPA_SHELL = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府门户网站</title>'
             '<script src="/static/js/chunk-vendors.3f2a1c.js"></script><script src="/static/js/app.9b8e7d.js"></script>'
             '</head><body><noscript>请开启JavaScript</noscript><div id="app"></div></body></html>')


def build(seed: int) -> list:
    rng = random.Random(f"{seed}/pagers")
    portals = []
    for n, spelling in enumerate(SPELLINGS):
        control = rng.choice(COMPATIBLE[spelling])
        g = Gen(seed, f"pagers-{spelling}")
        code = f"{620521 + n}"
        county = Organ(f"长尾{n + 1}县人民政府", code + "000000", "county", f"cw{n}")
        town = Organ(f"长尾{n + 1}县东关镇", code + "101000", "town", f"dg{n}", county.name)
        items = g.reports(county, range(2014, 2026), 10) + g.reports(town, range(2019, 2026), 4) + g.news(county, 5)
        col = column("nb", "政府信息公开年报", county, items, per_page=rng.choice((5, 7, 8)), opts={"spelling": spelling, "control": control})
        portals.append(make_portal(f"pager-{spelling}", county.name, code, "county", "longtail", STYLE, [col],
                                   parent="甘肃省天水市人民政府", start_path=col_path(None, col)))
    # And one portal per page-count script, whose pager has no anchor at all.
    for n, (control, spelling) in enumerate((("trs_script", "index_n"), ("count_page", "index_n"), ("parse_int", "n_html"))):
        g = Gen(seed, f"pagers-{control}")
        code = f"{620541 + n}"
        county = Organ(f"脚本{n + 1}县人民政府", code + "000000", "county", f"jb{n}")
        items = g.reports(county, range(2012, 2026), 10) + g.news(county, 4)
        col = column("nb", "政府信息公开年报", county, items, per_page=rng.choice((4, 6)), opts={"spelling": spelling, "control": control})
        portals.append(make_portal(f"script-{control}", county.name, code, "county", "longtail", STYLE, [col],
                                   parent="甘肃省天水市人民政府", start_path=col_path(None, col)))
    # 200 stubs: two reports whose pages answer a bare 160-byte page.
    g = Gen(seed, "pagers-stub")
    county = Organ("石壁县人民政府", "620530000000", "county", "sb")
    items = g.reports(county, range(2017, 2026), 10) + g.news(county, 3)
    for r in items:
        r.stub = getattr(r, "year", 0) in (2020, 2023)
    col = column("nb", "政府信息公开年报", county, items, per_page=6, opts={"spelling": "index_n", "control": "links"})
    p = make_portal("stubs", county.name, "620530", "county", "longtail", STYLE, [col], parent="甘肃省天水市人民政府",
                    start_path=col_path(None, col))
    p.expect_reason = "no report body"
    portals.append(p)
    # A list whose later pages only a script draws: 共N条 declared, the first page reached.
    g = Gen(seed, "pagers-jsonly")
    county = Organ("河口县人民政府", "620531000000", "county", "hk")
    items = g.reports(county, range(2008, 2026), 10) + g.news(county, 4)
    col = column("nb", "政府信息公开年报", county, items, per_page=8, opts={"spelling": "index_n", "control": "js_only"})
    col.reachable, col.declared = col.per_page, len(col.items)
    p = make_portal("jsonly", county.name, "620531", "county", "longtail", STYLE, [col], parent="甘肃省天水市人民政府",
                    start_path=col_path(None, col))
    p.expect_reason = f"declared {len(col.items)}, reached {col.per_page}"
    portals.append(p)
    # A host that serves only https (its registry entry says http://) and one that serves only
    # http (its entry says https://): each start URL fails over the scheme given and is read over
    # the other.
    for n, (key, only, given) in enumerate((("https-only", "https", "http"), ("http-only", "http", "https"))):
        g = Gen(seed, f"pagers-{key}")
        code = f"{530321 + n}"
        county = Organ(f"曲水{n + 1}县人民政府", code + "000000", "county", f"qs{n}")
        items = g.reports(county, range(2018, 2026), 10) + g.news(county, 2)
        col = column("nb", "政府信息公开年报", county, items, per_page=6, opts={"spelling": "index_n", "control": "links"})
        p = make_portal(key, county.name, code, "county", "longtail", STYLE, [col], parent="云南省曲靖市人民政府",
                        start_path=col_path(None, col))
        p.extra.update(scheme=only, registry_scheme=given)
        p.expect_reason = f"answered over {only}"
        portals.append(p)
    # A single-page app: the same 200 shell on every path, the real one or not.
    g = Gen(seed, "pagers-spa")
    county = Organ("韩原县人民政府", "610581000000", "county", "hy")
    col = column("nb", "政府信息公开年报", county, g.reports(county, range(2022, 2025), 8), opts={"spa": True})
    p = make_portal("spa", county.name, "610581", "county", "longtail", STYLE, [col], parent="陕西省渭南市人民政府",
                    start_path="/zwgk/xxgknb/")
    p.expect_status, p.expect_reason = "failed", "no 年报"
    portals.append(p)
    return portals


def col_path(portal, col) -> str:
    from .listing import page_name

    return COL_DIR + page_name(col.opts["spelling"], 0, 1)


def item_path(portal, col, item) -> str:
    return f"/xxgk/art/{item.pub_date:%Y}/{item.doc_id}.html"


def route(portal, req) -> Reply:
    col = portal.columns[0]
    if col.opts.get("spa"):
        return Reply(200, SPA_SHELL)
    if req.path in ("/", "/index.html"):
        body = f'<div class="nav"><a href="/xxgk/">信息公开</a> <a href="{col_path(portal, col)}">政府信息公开年报</a></div>'
        return Reply(200, frame(portal, portal.name, body))

    def page(col, k, rows, pager):
        body = (f'<div class="crumb">首页 &gt; 信息公开 &gt; {escape(col.name)}</div>'
                f'<div class="list"><ul class="list-ul">{rows}</ul>{pager}</div>')
        return Reply(200, frame(portal, f"{col.name}-{portal.name}", body, {"ColumnName": col.name}))

    reply = serve_list(portal, req, col, COL_DIR, col.opts["spelling"], col.opts["control"], page,
                       lambda c, i: item_path(portal, c, i))
    if reply is not None:
        return reply
    found = find_item(portal, req.path, item_path)
    if found:
        c, item = found
        if getattr(item, "stub", False):
            return Reply(200, STUB)
        return Reply(200, article_page(portal, c, item, body_of(item), "article-content"))
    return not_found(portal)
