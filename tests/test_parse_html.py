"""Parsing real report HTML (the corpus) and the simulator's own pages, by labels."""
import json
import random
from decimal import Decimal

import pytest

from archive.htmlgrid import html_grids
from archive.parse import parse_html
from archive.report import ParsedReport
from archive.tables import read_grids
from crawler.simulator import trs
from crawler.simulator.world import build_world

from .conftest import run_xxgk


@pytest.fixture(scope="module")
def pingtan(corpus):
    out = run_xxgk("parse", "--json", corpus / "reports" / "pingtan_zone_2024.html").stdout
    expected = json.loads((corpus / "expected" / "pingtan_zone_2024.html.json").read_text())
    return json.loads(out), expected


def test_pingtan_2024_identity(pingtan):
    got, _ = pingtan
    assert (got["template"], got["year"], got["organ"]) == ("2021", 2024, "平潭综合实验区")


@pytest.mark.parametrize("table", ["active", "applications", "reviews"])
def test_pingtan_2024_every_cell(pingtan, table):
    got, expected = pingtan
    want = {(r, c): Decimal(str(v)) for r, cols in expected[table].items() for c, v in cols.items()}
    have = {(r, c): Decimal(str(v)) for r, cols in got[table].items() for c, v in cols.items() if v is not None}
    assert have == want


def test_pingtan_2024_fee_keeps_its_decimals(pingtan):
    got, _ = pingtan
    assert got["active"]["fees"]["amount"] == "18651.06"
    assert got["raw"]["active"]["fees"]["amount"] == "18651.06"


def test_shanghai_2019_blank_cells_stay_blank(corpus):
    got = json.loads(run_xxgk("parse", "--json", corpus / "reports" / "shanghai_city_govoffice_2019.html").stdout)
    assert got["template"] == "2019"
    assert got["applications"]["granted"]["total"] is None
    assert got["raw"]["applications"]["granted"]["total"] == ""
    assert got["active"]["procurement"]["amount"] == 251000
    assert got["raw"]["active"]["procurement"]["amount"] == "251000元"
    assert got["applications"]["new_received"]["total"] == 859


def test_simulator_pages_parse_exactly():
    """The project's own fixtures: every generated page of one seed read back cell for cell."""
    world = build_world(7)
    for col in world.columns:
        for item in col.items:
            if not hasattr(item, "values"):
                continue
            r = parse_html(trs.article_page(world, col, item))
            assert (r.year, r.organ, r.template) == (item.year, item.organ.name, item.template)
            got = {(t, row, c): v.number for t, row, c, v in r.cells()}
            want = {(t, row, c): v for t, rows in item.values.items() for row, cols in rows.items() for c, v in cols.items()}
            assert got == want, item.title


def test_misaligned_spans_read_by_labels():
    """A value row whose colspan sits on the first value cell while the header's sits on the
    second (Shanghai 2019) is still read by its labels."""
    html = """<table><tr><td colspan="5">第二十条第（五）项</td></tr>
    <tr><td>信息内容</td><td>上一年项目数量</td><td colspan="2">本年增/减</td><td>处理决定数量</td></tr>
    <tr><td>行政许可</td><td colspan="2">12</td><td>-3</td><td>40</td></tr></table>"""
    r = ParsedReport()
    read_grids(html_grids(html), r)
    assert r.tables["active"]["licensing"]["previous"].number == 12
    assert r.tables["active"]["licensing"]["change"].number == -3
    assert r.tables["active"]["licensing"]["decisions"].number == 40
