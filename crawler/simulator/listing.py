"""List pages as the long tail of portals writes them (portal-evidence.md §2, §3.6): how page k of a
column is spelled in its URL, and how the pager tells a reader where the other pages are. Shared
core of the family modules: a family picks a spelling and a pager and renders its own frame.

Spellings (page k counted from 0): `index_n` index.html, index_1.html …; `index_n2` index.html,
index_2.html … (no _1); `list_n` list.shtml, list_2.shtml …; `query` list.jsp?page=1 …;
`cur_page` iList.jsp?node_id=GKnb&cur_page=1 …; `n_html` 1.html, 2.html …; `vsb` nb.htm then
nb/<count-1>.htm … nb/1.htm (reversed: a page's number changes whenever an item is added);
`xlist` xlist.shtml, xlist_2.shtml … (Hunan).

Pagers: `links` 首页/上一页/下一页/尾页 anchors; `numbers` one anchor per page; `trs_script`
createPageHTML(count, current, "index", "html"); `count_page` var countPage = N (no anchors);
`parse_int` parseInt('N') (no anchors); `hunan_script` createPageHTML('page_div', count, current,
'xlist', 'shtml', records), whose totals may be stale; `js_only` a goPage(n) pager and 共N条,
which no reader can follow.
"""
from __future__ import annotations

from html import escape

SPELLINGS = ("index_n", "index_n2", "list_n", "query", "cur_page", "n_html", "vsb", "xlist")
PAGERS = ("links", "numbers", "trs_script", "count_page", "parse_int", "hunan_script", "js_only")
# Which pagers a spelling can be read from: a page-count script names its own spelling.
COMPATIBLE = {
    "index_n": ("links", "numbers", "trs_script", "count_page"),
    "index_n2": ("links", "numbers"),
    "list_n": ("links", "numbers"),
    "query": ("links", "numbers"),
    "cur_page": ("links", "numbers"),
    "n_html": ("links", "numbers", "parse_int"),
    "vsb": ("links",),
    "xlist": ("hunan_script",),
}


def page_count(col) -> int:
    return max(1, -(-len(col.items) // col.per_page))


def page_name(spelling: str, k: int, count: int, base: str | None = None) -> str:
    """The URL (relative to the column directory) of page k (0-based) of `count` pages; `base`
    renames the page (zfxxgkMultiList.shtml instead of list.shtml)."""
    if spelling == "index_n":
        return "index.html" if k == 0 else f"index_{k}.html"
    if spelling == "index_n2":
        return "index.html" if k == 0 else f"index_{k + 1}.html"
    if spelling == "list_n":
        stem, ext = (base or "list.shtml").rsplit(".", 1)
        return f"{stem}.{ext}" if k == 0 else f"{stem}_{k + 1}.{ext}"
    if spelling == "query":
        return f"list.jsp?page={k + 1}"
    if spelling == "cur_page":
        return f"iList.jsp?node_id=GKnb&cur_page={k + 1}"
    if spelling == "n_html":
        return f"{k + 1}.html"
    if spelling == "vsb":
        return "nb.htm" if k == 0 else f"nb/{count - k}.htm"
    if spelling == "xlist":
        return "xlist.shtml" if k == 0 else f"xlist_{k + 1}.shtml"
    raise ValueError(spelling)


def page_of(spelling: str, rest: str, count: int, base: str | None = None) -> int | None:
    """The page index that `rest` (path and query after the column directory) names, or None."""
    for k in range(count):
        if page_name(spelling, k, count, base) == rest:
            return k
    return None


def rest_of(req, col_dir: str) -> str | None:
    """What follows the column directory in the request (path and query), or None if elsewhere."""
    if not req.full.startswith(col_dir):
        return None
    return req.full[len(col_dir):]


def items_on(col, k: int) -> list:
    return col.items[k * col.per_page:(k + 1) * col.per_page]


def pager(spelling: str, control: str, k: int, count: int, records: int, col_dir: str,
          stale: tuple[int, int] | None = None, base: str | None = None) -> str:
    """The pager of page k; `stale` (pages, records) is what a stale page-count script claims."""
    name = lambda i: escape(col_dir + page_name(spelling, i, count, base))
    if control == "links":
        out = f'<a href="{name(0)}">首页</a> '
        if k > 0:
            out += f'<a href="{name(k - 1)}">上一页</a> '
        if k + 1 < count:
            out += f'<a href="{name(k + 1)}">下一页</a> '
        out += f'<a href="{name(count - 1)}">尾页</a> <span class="p_t">{k + 1}/{count}</span>'
        return f'<div class="pagination">{out}</div>'
    if control == "numbers":
        links = "".join(f"<span>{i + 1}</span> " if i == k else f'<a href="{name(i)}">{i + 1}</a> ' for i in range(count))
        return f'<div class="page">{links}</div>'
    if control == "trs_script":
        return f'<div class="page"><script>createPageHTML({count}, {k}, "index", "html");</script></div>'
    if control == "count_page":
        return (f'<div class="page" id="pager"></div><script>var countPage = {count};var currentPage = {k};'
                'drawPager("pager", countPage, currentPage, "index", "html");</script>')
    if control == "parse_int":
        return (f'<div class="m-page" id="pages"></div><script>var total = parseInt(\'{count}\');'
                f"var cur = parseInt('{k + 1}');laypage({{elem: 'pages', count: total, curr: cur}});</script>")
    if control == "hunan_script":
        pages, recs = stale or (count, records)
        return f"<div id=\"page_div\"></div><script>createPageHTML('page_div',{pages}, {k + 1},'xlist','shtml',{recs});</script>"
    if control == "js_only":
        links = "".join(f'<a href="javascript:goPage({i + 1})">{i + 1}</a> ' for i in range(count))
        return f'<div class="pager">{links}<span>共{records}条</span></div>'
    raise ValueError(control)


def item_links(rows: list[tuple[str, object]], extra=None) -> str:
    return "".join(f'<li><a href="{escape(href)}" target="_blank" title="{escape(i.title)}">{escape(i.title)}</a>'
                   f'<span class="date">{i.pub_date:%Y-%m-%d}</span>{extra(href, i) if extra else ""}</li>\n'
                   for href, i in rows)



def serve_list(portal, req, col, col_dir: str, spelling: str, control: str, page, href, stale=None, base=None,
               extra=None):
    """The list page of `col` the request names, rendered by `page(col, k, rows_html, pager_html)`
    with item links from `href(col, item)`; None if the request names no page of this column."""
    rest = rest_of(req, col_dir)
    if rest is None:
        return None
    count = page_count(col)
    k = page_of(spelling, rest, count, base)
    if k is None:
        return None
    rows = item_links([(href(col, i), i) for i in items_on(col, k)], extra)
    return page(col, k, rows, pager(spelling, control, k, count, len(col.items), col_dir, stale, base))


def find_item(portal, path: str, item_path):
    """(column, item) whose article is at `path`, or None."""
    index = portal.extra.get("_paths")
    if index is None:
        index = portal.extra["_paths"] = {item_path(portal, c, i): (c, i) for c in portal.columns for i in c.items}
    return index.get(path)
