"""The LonSun portal of the simulator (one organId per town, AJAX publicInfoList fragments),
crawled over HTTP and compared with the ground truth."""

from .universe import check_cells, check_no_news


def test_exact_counts(universe, simulator):
    assert check_cells(universe[0], simulator.portal("yifeng")) == 5584


def test_news_never_archived(universe, simulator):
    check_no_news(universe[0], simulator.portal("yifeng"))


def test_one_column_per_organ_id_read_through_ajax_fragments(universe, simulator):
    fragments = sorted({(p.split("organId=")[1].split("&")[0], p.split("pageIndex=")[1].split("&")[0])
                       for k, _, p in universe[2] if k == "yifeng" and "labelName=publicInfoList" in p})
    assert fragments == [("4971", "1"), ("4971", "2"), ("4972", "1"), ("4973", "1"), ("4974", "1")]
