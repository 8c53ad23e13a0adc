"""`xxgk demo --no-serve`: simulator → crawl → archive, and what it prints."""
from .conftest import free_port, run_xxgk


def test_demo_no_serve(tmp_path):
    p = run_xxgk("demo", "--no-serve", "--data", tmp_path / "data", "--sim-port", free_port())
    assert "356 reports seen: 352 new, 0 changed, 0 unchanged, 4 more sources of known reports, 0 failed" in p.stdout
    assert "total: 352 reports, 47066 cells" in p.stdout
    assert "  blocked       0 found    0 new  东源县人民政府  (瑞数 WAF 412 Environment Checking page)" in p.stdout
    assert (tmp_path / "data" / "xxgk.db").exists()
    # The log holds one line per problem, never a traceback (it used to print Twisted's
    # AlreadyCalledError after the stalled and reset portals: crawler/download.py).
    log = p.stdout + p.stderr
    assert "Traceback" not in log and "CRITICAL" not in log, log
    assert "Gave up retrying" not in log  # the spider's own line names the URL and the reason


def test_demo_serves_every_report(tmp_path):
    """`xxgk demo` (the README's first command) ends with Datasette answering with all 352 reports."""
    import signal
    import subprocess

    import httpx

    from .conftest import ROOT, XXGK, wait_http

    port = free_port()
    proc = subprocess.Popen([*XXGK, "demo", "--data", tmp_path / "data", "--port", str(port), "--sim-port", str(free_port())],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_http(f"http://127.0.0.1:{port}/-/versions.json", timeout=120)
        rows = httpx.get(f"http://127.0.0.1:{port}/xxgk.json",
                         params={"sql": "select count(*) as n from reports", "_shape": "array"}).json()
        assert rows == [{"n": 352}]
        csv_text = httpx.get(f"http://127.0.0.1:{port}/xxgk/reports.csv", params={"_size": "max", "_col": "title"}).text
        assert len(csv_text.strip().splitlines()) == 353
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert code == 0, proc.stdout.read()
    assert not _datasette_running(tmp_path)


def _datasette_running(tmp_path) -> bool:
    import subprocess

    out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return str(tmp_path) in out
