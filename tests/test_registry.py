"""The portal registry: its format, its seed entries, choosing entries, the simulator's registry."""
import pytest

from crawler import registry

from .conftest import run_xxgk


def test_seed_registry_loads_and_is_unverified():
    entries = registry.load()
    assert len(entries) == 197
    assert all(e["verified"] is False for e in entries)
    names = {e["name"] for e in entries}
    assert {"福建省平潭综合实验区管委会", "仙居县下各镇", "义安区老洲乡", "滑县慈周寨镇"} <= names
    assert {e["level"] for e in entries} == {"province", "city", "county", "town", "department"}
    assert all(e["parent"] in names for e in entries if e["parent"])


def test_seeds_of_registry_seeds_tsv_keep_their_source():
    """Every organ of registry-seeds.tsv (181 rows, 178 organs, one of them already in the
    registry) is an unverified entry with the URLs seen and where they were seen; an article gives
    its column as start URL."""
    seeded = [e for e in registry.load() if e.get("source")]
    assert len(seeded) == 178
    assert sum(len(e["seen"]) for e in seeded) == 181
    assert all(e["province"] and e["platform_guess"] and not e["verified"] for e in seeded)
    dongcheng = next(e for e in seeded if e["name"] == "北京市东城区人民政府")
    assert dongcheng["start_urls"] == ["https://www.bjdch.gov.cn/zfxxgkzl/zfxxgknb/2024nb/dcqzf2024/"]
    assert dongcheng["seen"] == ["article: https://www.bjdch.gov.cn/zfxxgkzl/zfxxgknb/2024nb/dcqzf2024/202503/"
                                 "t20250307_4028343.html"]
    assert dongcheng["source"] == ["pages corpus: stored copy of this URL"]


@pytest.mark.parametrize("article, column", [
    ("https://www.bjdch.gov.cn/zfxxgkzl/zfxxgknb/2024nb/dcqzf2024/202503/t20250307_4028343.html",
     "https://www.bjdch.gov.cn/zfxxgkzl/zfxxgknb/2024nb/dcqzf2024/"),
    ("http://www.jxdy.gov.cn/dyxxxgk/c102429/202401/90da02ee81d7436a916a1815a4004b51.shtml",
     "http://www.jxdy.gov.cn/dyxxxgk/c102429/"),
    ("http://hrbfz.gov.cn/fzx/c111797/202401/c01_961750.shtml", "http://hrbfz.gov.cn/fzx/c111797/"),
    ("https://www.hebei.gov.cn/columns/8aef2fa0-cc14-409e-9f68-fbdba00a0c72/202308/21/720faafd-6610-4d9e-9cc8-9e0f056c2101.html",
     "https://www.hebei.gov.cn/columns/8aef2fa0-cc14-409e-9f68-fbdba00a0c72/index.html"),
    ("http://www.wqx.gov.cn/zfxxgk/zfxxgknb/xj/1753311688616128514.html", "http://www.wqx.gov.cn/zfxxgk/zfxxgknb/xj/1.html"),
    ("https://www.example.gov.cn/art/2024/1/15/art_1229325036_59012345.html",
     "https://www.example.gov.cn/col/col1229325036/index.html"),
    ("https://www.example.gov.cn/public/4971/3319851.html", "https://www.example.gov.cn/public/column/4971?type=3&action=list"),
    ("https://www.example.gov.cn/zwgk/zfxxgknb/", None),
])
def test_article_url_to_its_column(article, column):
    assert registry.column_of(article) == column


def test_codes_checked_against_the_region_table():
    """The seeds' codes were assigned from general knowledge: the region table (provinces by
    code prefix, places read from names) finds the central bodies' 100000, which is no 行政区划代码."""
    assert registry.check_codes(registry.load()) == [
        "中国证监会 (100000): 10 is no province in archive/regions.py",
        "文化和旅游部 (100000): 10 is no province in archive/regions.py",
        "退役军人事务部 (100000): 10 is no province in archive/regions.py"]
    bad = [{"name": "湖北省某县人民政府", "code": "430101", "level": "county", "province": "湖北"},
           {"name": "某市人民政府", "code": "420101", "level": "city", "province": "湖北"}]
    assert registry.check_codes(bad) == [
        "湖北省某县人民政府 (430101): code of 湖南省, seeded under 湖北",
        "湖北省某县人民政府 (430101): code of 湖南省, name of 湖北省",
        "某市人民政府 (420101): a city's code ends 00 (and is not a province's)"]
    out = run_xxgk("portals", "--check-codes").stdout.splitlines()
    assert out[-1] == "3 mismatches in 181 coded entries (16 without a code)"


def test_select_by_name():
    entries = registry.load()
    assert [e["name"] for e in registry.select(entries, ["仙居县"])] == ["仙居县人民政府", "仙居县下各镇"]
    with pytest.raises(registry.RegistryError, match="no portal named '不存在县'"):
        registry.select(entries, ["不存在县"])


@pytest.mark.parametrize("change, message", [
    ({"level": "village"}, "level must be one of"),
    ({"code": "12345"}, "code must be a 行政区划代码"),
    ({"start_urls": ["ftp://x"]}, "start_urls must be"),
    ({"platform": "wordpress"}, "unknown platform"),
])
def test_invalid_entries_rejected(tmp_path, change, message):
    entry = {"name": "某县人民政府", "code": "350128", "level": "county", "platform": "trs",
             "start_urls": ["http://www.example.gov.cn/"], **change}
    registry.dump([entry], tmp_path / "r.yml")
    with pytest.raises(registry.RegistryError, match=message):
        registry.load(tmp_path / "r.yml")


def test_simulator_registry_round_trip(simulator, tmp_path):
    registry.dump(simulator.registry(), tmp_path / "sim.yml")
    entries = registry.load(tmp_path / "sim.yml")
    assert len(entries) == len(simulator.portals) == 25
    assert {e["platform"] for e in entries} == {"hanweb", "trs", "lonsun", "gkmlpt", "kaipu", "longtail"}


def test_portals_command_lists_the_registry_by_province():
    out = run_xxgk("portals").stdout.splitlines()
    heads = [line for line in out if not line.startswith("  ")]
    assert heads[0] == "北京市 (11 portals, 0 verified)"
    assert heads[-1] == "197 portals in 30 groups, 0 verified"
    assert sum(int(h.split("(")[1].split()[0]) for h in heads[:-1]) == 197
    fujian = out.index("福建省 (1 portals, 0 verified)")
    assert out[fujian + 1].split("\t") == ["  福建省平潭综合实验区管委会", "350128", "county", "trs",
                                           "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/", "unverified"]


def test_discover_turns_an_article_url_into_its_column(simulator):
    from crawler.simulator.server import item_path

    portal = simulator.portal("yunxi")
    col, item = portal.listed()[0]
    article = simulator.base("yunxi") + item_path(portal, col, item)
    out = run_xxgk("discover", "--fast", article).stdout.splitlines()
    column = simulator.base("yunxi") + col.key
    assert out[0] == f"{article}: an article; its column is {column}"
    assert out[1] == f"{column}: platform trs"
    assert out[2] == f"  {column}"


def test_crawl_of_an_unknown_portal_is_a_usage_error(tmp_path):
    p = run_xxgk("crawl", "--data", tmp_path, "--portal", "不存在县", check=False)
    assert p.returncode == 2 and "no portal named '不存在县'" in p.stderr
