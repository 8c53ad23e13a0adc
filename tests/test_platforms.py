"""What every simulated platform must give, portal by portal: every report archived once with
its template and date, exactly the listed report URLs as sources, every cell equal to the
ground truth, and an "ok" status. What is particular to one platform is in test_platform_*.py."""
import pytest

from .universe import check_cells, check_reports, check_sources, status_of

PORTALS = ['nangang', 'danxi', 'qinghu', 'redirect', 'jianyang', 'hedong', 'wuxi', 'bots404', 'yifeng', 'yunxi', 'yunling']


@pytest.mark.parametrize("key", PORTALS)
def test_every_report_archived_once_with_its_template_and_date(universe, simulator, key):
    portal = simulator.portal(key)
    # A 年报汇总 page links straight to PDFs and prints no publication dates.
    check_reports(universe[0], portal, published=portal.style != "pdfsum")


@pytest.mark.parametrize("key", PORTALS)
def test_sources_are_exactly_the_listed_report_urls(universe, simulator, key):
    check_sources(universe[0], simulator, simulator.portal(key))


@pytest.mark.parametrize("key", PORTALS)
def test_every_cell_equals_ground_truth(universe, simulator, key):
    check_cells(universe[0], simulator.portal(key))


@pytest.mark.parametrize("key", PORTALS)
def test_status_ok(universe, simulator, key):
    assert status_of(universe[0], simulator.portal(key))[0] == "ok"
