"""Discovery from a portal's home page alone: the platform and the 年报 columns of every simulated
platform, through the real `xxgk discover` over HTTP."""
import pytest

from .conftest import run_xxgk

HOME_COLUMNS = {  # portal key → (platform, column paths found from "/")
    "yunxi": ("trs", ["/zwgk/zfxxgk/zfxxgknb/", "/xzjd/cgz/zfxxgknb/", "/xzjd/mlz/zfxxgknb/", "/xzjd/sqx/zfxxgknb/",
                      "/xzjd/czz/zfxxgknb/"]),
    "yunling": ("trs", ["/zwgk/zfxxgk/zfxxgknb/", "/xzjd/z1/zfxxgknb/", "/xzjd/z2/zfxxgknb/"]),
    # the third town's column is forbidden by robots.txt, so discovery does not open it
    "danxi": ("hanweb", ["/col/col1229325036/index.html", "/col/col1229325037/index.html", "/col/col1229325038/index.html"]),
    "qinghu": ("hanweb", ["/col/col1229700100/index.html"]),
    "yifeng": ("lonsun", [f"/public/column/{i}?type=3&catId={i}&action=list" for i in (4971, 4972, 4973, 4974)]),
    "nangang": ("gkmlpt", ["/gkmlpt/index"]),
    "jianyang": ("kaipu", ["/xxgknb/index.shtml"]),
    "hedong": ("longtail", ["/InfoPublic.aspx?cid=1019&pid=971&page=1"]),
    "wuxi": ("longtail", ["/wzxxgknb/index.html"]),
}


@pytest.fixture(scope="module")
def discovered(simulator):
    homes = {simulator.base(k) + "/": k for k in HOME_COLUMNS}
    out = run_xxgk("discover", "--fast", *homes).stdout
    found, current = {}, None
    for line in out.splitlines():
        if not line.startswith("  "):
            url, _, rest = line.partition(": platform ")
            current = homes[url]
            found[current] = (rest.split()[0], [])
        else:
            found[current][1].append(line.strip().removeprefix(simulator.base(current)))
    return found


@pytest.mark.parametrize("key", sorted(HOME_COLUMNS))
def test_home_page_alone_finds_platform_and_columns(discovered, key):
    platform, columns = discovered[key]
    assert (platform, sorted(columns)) == (HOME_COLUMNS[key][0], sorted(HOME_COLUMNS[key][1]))


def test_bare_home_page_crawl_archives_the_portal(simulator, tmp_path):
    """`xxgk crawl URL` of a home page: platform recognised, columns found, every report archived."""
    out = run_xxgk("crawl", "--data", tmp_path, "--fast", "-q", simulator.base("yifeng") + "/").stdout
    assert "39 reports seen: 39 new" in out
