"""Shaanxi `N.html` lists (portal-evidence.md §2.7; 延安, 西安 districts, 渭南): pages `1.html`,
`2.html` … whose total only `parseInt('N')` in an inline script gives, articles under 19-digit
snowflake ids (`/zfxxgk/zfxxgknb/xj/1753311688616128514.html`), a per-街道 column, a non-standard
port (西咸新区 :9311 — every simulated portal has its own port), and in front of it all a WAF
that answers a first visit with a 302 to the same URL setting a cookie, and the page only to a
client that sends the cookie back (openresty CT6T; §3.4).
"""
from __future__ import annotations

from html import escape

from .common import Reply, article_page, frame, not_found
from .listing import find_item, serve_list
from .model import Gen, Organ, column, make_portal
from .reports import body_of

STYLE = "shaanxi"
COOKIE = "CT6T=a1b2c3d4e5f6"
_EPOCH = 1288834974657  # Twitter's snowflake epoch, as the Java CMSs copy it


def build(seed: int) -> list:
    g = Gen(seed, "shaanxi")
    county = Organ("吴旗县人民政府", "610626000000", "county", "wq")
    street = Organ("吴旗县吴仓堡街道办事处", "610626001000", "town", "wcb", county.name)
    cols = [column("xj", "政府信息公开年报", county, g.reports(county, range(2011, 2026), 15) + g.news(county, 4), per_page=7),
            column("jd", "街道政府信息公开年报", street, g.reports(street, range(2019, 2026), 4) + g.news(street, 1), per_page=5)]
    p = make_portal("shaanxi", county.name, "610626", "county", "longtail", STYLE, cols, parent="陕西省延安市人民政府",
                    start_path=col_path(None, cols[0]))
    p.extra["cookie_302"] = COOKIE
    return [p]


def col_dir(col) -> str:
    return f"/zfxxgk/zfxxgknb/{col.key}/"


def col_path(portal, col) -> str:
    return col_dir(col) + "1.html"


def snowflake(item) -> int:
    ms = int(item.pub_date.strftime("%s")) * 1000 + item.doc_id % 86_400_000 - _EPOCH
    return (ms << 22) | (item.doc_id % 4096)


def item_path(portal, col, item) -> str:
    return f"{col_dir(col)}{snowflake(item)}.html"


def guard(portal, req) -> Reply | None:
    """The cookie WAF: a 302 to the very URL asked for, setting the cookie a retry must carry."""
    name, value = COOKIE.split("=")
    if f"{name}={value}" in req.headers.get("Cookie", ""):
        return None
    return Reply(302, "", headers=[("Location", req.full), ("Set-Cookie", f"{COOKIE}; Path=/; HttpOnly")])


def route(portal, req) -> Reply:
    if (reply := guard(portal, req)) is not None:
        return reply
    if req.path in ("/", "/index.html"):
        links = "".join(f'<li><a href="{col_path(portal, c)}">{escape(c.name)}</a></li>' for c in portal.columns)
        return Reply(200, frame(portal, portal.name, f'<ul class="xxgk">{links}</ul>'))
    for col in portal.columns:
        def page(c, k, rows, pager):
            side = "".join(f'<li><a href="{col_path(portal, t)}">{escape(t.organ.name.removeprefix("吴旗县"))}</a></li>'
                           for t in portal.columns[1:]) if c is portal.columns[0] else ""
            body = f'<div class="m-side"><ul>{side}</ul></div><div class="m-lst"><ul>{rows}</ul></div>{pager}'
            return Reply(200, frame(portal, f"{c.name}-{portal.name}", body, {"ColumnName": c.name}))

        reply = serve_list(portal, req, col, col_dir(col), "n_html", "parse_int", page, lambda c, i: item_path(portal, c, i))
        if reply is not None:
            return reply
    found = find_item(portal, req.path, item_path)
    if found:
        return Reply(200, article_page(portal, found[0], found[1], body_of(found[1]), "m-txt-article"))
    return not_found(portal)
