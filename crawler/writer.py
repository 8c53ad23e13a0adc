"""The one writer of the archive in a crawl process, shared by every portal's crawler: one
SQLite connection and one WARC file, reports written in batched transactions.

A commit per report costs an fsync of the WAL and one of the WARC file (half the time of a
crawl, measured); a batch pays them once for up to `BATCH` reports or `SECONDS` seconds. A batch
is atomic and SIGKILL-safe: its WARC records are synced to disk before the transaction that
points at them commits, so a killed crawl leaves whole batches; the WARC records of the batch
it lost are cut back by the next run (`Archive.repair_snapshots`), which fetches those reports
again. Each report keeps its own savepoint, so one that fails to store leaves the batch intact.
One connection for all: several connections of one thread, each holding a batch open, would
wait on one another's write lock forever.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

from archive.snapshots import SnapshotWriter
from archive.store import Archive, sha256

log = logging.getLogger(__name__)

BATCH = 200  # reports per transaction
SECONDS = 1.0  # longest a report waits for its commit (while the crawl goes on)

_writers: dict[str, "ArchiveWriter"] = {}


def acquire(data_dir: str | Path) -> "ArchiveWriter":
    key = str(Path(data_dir).resolve())
    w = _writers.get(key)
    if w is None:
        w = _writers[key] = ArchiveWriter(data_dir, key)
    w.users += 1
    return w


class ArchiveWriter:
    def __init__(self, data_dir: str | Path, key: str):
        self.key = key
        self.users = 0
        self.archive = Archive(data_dir)
        for name in self.archive.repair_snapshots():
            log.warning("%s: left open by an interrupted crawl, cut back to its last archived record", name)
        self.snapshots = SnapshotWriter(data_dir)
        self.pending = 0
        self.opened = 0.0
        self._timer = None

    def _begin(self) -> None:
        if not self.pending:
            self.archive.begin_batch()
            self.opened = time.monotonic()
            self._arm()
        self.pending += 1

    def _arm(self) -> None:
        """Commit a batch left open while no report comes (a slow portal): at most SECONDS late."""
        from twisted.internet import reactor

        if self._timer is None or not self._timer.active():
            self._timer = reactor.callLater(SECONDS, self._due)

    def _due(self) -> None:
        self._timer = None
        if self.pending:
            self.flush()

    def store(self, parsed, *, url: str, body: bytes, status: int, headers, fetched_at: str,
              digest: str | None = None, **kw) -> str:
        # Hashed once for the snapshot and the store (a re-check's page was hashed by delta-fetch).
        snapshot, digest = None, digest or sha256(body)
        if self.archive.known_digest(url) != digest:
            snapshot = self.snapshots.write(url, body, status=status, headers=headers, fetched_at=fetched_at,
                                            sync=False, digest=digest)
        self._begin()
        outcome = self.archive.store(parsed, url=url, body=body, fetched_at=fetched_at, snapshot=snapshot,
                                     digest=digest, **kw)
        if self.pending >= BATCH or time.monotonic() - self.opened >= SECONDS:
            self.flush()
        return outcome

    def seen(self, url: str, run_id: int | None, entry=None) -> None:
        if run_id is None:
            return
        self._begin()
        self.archive.seen(url, run_id, entry)

    def executemany(self, sql: str, rows) -> None:
        """Bookkeeping rows (attachments owed, their states) in the current batch, so that they
        commit with the reports they belong to."""
        self._begin()
        self.archive.db.conn.executemany(sql, rows)

    def flush(self) -> None:
        if not self.pending:
            return
        self.snapshots.sync()  # the records first: a committed row never points past the file's end
        self.archive.commit_batch()
        self.pending = 0

    def release(self) -> None:
        self.users -= 1
        if self.users > 0:
            self.flush()
            return
        self.flush()
        if self._timer is not None and self._timer.active():
            self._timer.cancel()
        self.snapshots.close()
        self.archive.close()
        _writers.pop(self.key, None)
