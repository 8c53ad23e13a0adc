"""Publishing the archive with Datasette."""
from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from .store import DB_NAME, Archive

METADATA = Path(__file__).resolve().parent.parent / "metadata.yml"


def datasette_command(data_dir: Path, host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    db = Path(data_dir) / DB_NAME
    cmd = [sys.executable, "-m", "datasette", "serve", "-i", str(db), "--host", host, "--port", str(port),
           "--setting", "default_page_size", "50", "--setting", "max_returned_rows", "5000",
           "--setting", "sql_time_limit_ms", "5000", "--setting", "allow_download", "off"]
    if METADATA.exists():
        cmd += ["--metadata", str(METADATA)]
    return cmd


def serve(data_dir: Path, host: str = "127.0.0.1", port: int = 8001) -> int:
    """Serve the archive read-only until interrupted."""
    Archive(data_dir).close()  # creates an empty archive if there is none; folds in the WAL
    # A crawl earlier in this process (xxgk demo) leaves Scrapy's signal handlers installed;
    # Ctrl-C and SIGTERM must stop the server, not ask a finished crawl to shut down.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    proc = subprocess.Popen(datasette_command(Path(data_dir), host, port))
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return 0  # stopped by the user, as intended


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt
