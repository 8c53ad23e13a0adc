"""`xxgk demo --no-serve`: simulator → crawl → archive, and what it prints."""
from .conftest import free_port, run_xxgk


def test_demo_no_serve(tmp_path):
    p = run_xxgk("demo", "--no-serve", "--data", tmp_path / "data", "--sim-port", free_port())
    assert "63 reports seen: 63 new" in p.stdout
    assert "total: 63 reports, 12564 cells" in p.stdout
    assert (tmp_path / "data" / "xxgk.db").exists()
