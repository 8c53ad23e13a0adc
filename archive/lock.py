"""One writer per archive: a crawl holds `crawl.lock` in the data directory (an flock, released
by the kernel however the crawl ends, SIGKILL included, so a killed crawl never blocks the next);
a second crawl waits for it or refuses with a message saying who holds it."""
from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

LOCK_NAME = "crawl.lock"


class Locked(Exception):
    """Another process is writing this archive."""


class DataLock:
    def __init__(self, data_dir: str | Path):
        self.path = Path(data_dir) / LOCK_NAME
        self.fh = None

    def holder(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8").strip() or "another process"
        except OSError:
            return "another process"

    def acquire(self, wait: float = 0) -> "DataLock":
        """Take the lock; wait up to `wait` seconds for another crawl to end, then refuse."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+", encoding="utf-8")
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    fh.close()
                    raise Locked(f"{self.path.parent}: another crawl is writing this archive ({self.holder()}); "
                                 "wait for it to finish (or use --wait SECONDS)") from None
                time.sleep(0.5)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        fh.flush()
        self.fh = fh
        return self

    def release(self) -> None:
        if self.fh is not None:
            self.fh.seek(0)
            self.fh.truncate()
            fcntl.flock(self.fh, fcntl.LOCK_UN)
            self.fh.close()
            self.fh = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()
