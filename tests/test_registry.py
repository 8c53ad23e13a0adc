"""The portal registry: its format, its seed entries, choosing entries, the simulator's registry."""
import pytest

from crawler import registry

from .conftest import run_xxgk


def test_seed_registry_loads_and_is_unverified():
    entries = registry.load()
    assert len(entries) == 20
    assert all(e["verified"] is False for e in entries)
    names = {e["name"] for e in entries}
    assert {"福建省平潭综合实验区管委会", "仙居县下各镇", "义安区老洲乡", "滑县慈周寨镇"} <= names
    assert {e["level"] for e in entries} == {"province", "city", "county", "town", "department"}
    assert all(e["parent"] in names for e in entries if e["parent"])


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


def test_portals_command_lists_the_registry():
    out = run_xxgk("portals").stdout.splitlines()
    assert len(out) == 20
    assert out[0].split("\t") == ["福建省平潭综合实验区管委会", "350128", "county", "trs",
                                  "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/", "unverified"]


def test_crawl_of_an_unknown_portal_is_a_usage_error(tmp_path):
    p = run_xxgk("crawl", "--data", tmp_path, "--portal", "不存在县", check=False)
    assert p.returncode == 2 and "no portal named '不存在县'" in p.stderr
