"""The one writer of a distributed crawl: takes the workers' items from Redis and stores them in
the archive, in the batched, SIGKILL-safe transactions of crawler/writer.py.

An item moves atomically from the items list to the writer's own list (LMOVE) and is deleted from
there only after its batch has committed. A writer killed at any moment and started again first
stores what its own list still holds: those of the lost batch are stored as new, those of a
batch that committed just before the kill are found unchanged (same SHA-256: nothing written).
"""
from __future__ import annotations

import logging
import pickle
import time

from crawler.recrawl import KEEP_COLUMNS
from crawler.writer import ArchiveWriter

from . import COUNTS, ITEMS, WRITING, portal_key

log = logging.getLogger(__name__)

BATCH = 200


class RedisArchiveWriter(ArchiveWriter):
    """crawler/writer.py's writer, driven by this loop instead of the reactor's timer."""

    def _arm(self) -> None:
        pass


class Writer:
    def __init__(self, server, data_dir, run_id: int):
        self.server = server
        self.run_id = run_id
        self.w = RedisArchiveWriter(data_dir, str(data_dir))
        self.stored = 0

    def _store(self, data: bytes, outcomes: dict) -> None:
        r = pickle.loads(data)
        key = r.pop("portal_key")
        if "seen" in r:
            # A report a worker did not fetch again: still listed (crawler/distributed/delta.py).
            self.w.seen(r["seen"], self.run_id, r["entry"])
            return
        if "list_columns" in r:
            # The columns a page led to, kept for the columns at rest (crawler/recrawl.py).
            self.w.executemany(KEEP_COLUMNS, r["list_columns"])
            return
        try:
            outcome = self.w.store(r.pop("parsed"), run_id=self.run_id, **r)
        except Exception as e:  # one report that cannot be stored must not stop the crawl
            log.warning("not archived: %s: %s", r["url"], e)
            outcome = "failed"
        outcomes.setdefault(key, {}).setdefault(outcome.replace("-", "_"), 0)
        outcomes[key][outcome.replace("-", "_")] += 1

    def step(self, block: float = 0.5) -> int:
        """Store one batch: what an earlier writer left in its list, or up to BATCH new items.
        Returns how many were stored."""
        pending = self.server.lrange(WRITING, 0, -1)
        if not pending:
            first = self.server.blmove(ITEMS, WRITING, block, "LEFT", "RIGHT")
            if first is None:
                return 0
            pending = [first]
            while len(pending) < BATCH and (data := self.server.lmove(ITEMS, WRITING, "LEFT", "RIGHT")) is not None:
                pending.append(data)
        outcomes: dict[str, dict[str, int]] = {}
        for data in pending:
            self._store(data, outcomes)
        self.w.flush()
        # Committed: the counts and the release of the batch go together.
        pipe = self.server.pipeline(transaction=True)
        for key, counts in outcomes.items():
            for outcome, n in counts.items():
                pipe.hincrby(portal_key(key, "counts"), outcome, n)
                pipe.hincrby(COUNTS, outcome, n)
        pipe.ltrim(WRITING, len(pending), -1)
        pipe.execute()
        self.stored += len(pending)
        return len(pending)

    def idle(self) -> bool:
        return not self.server.llen(ITEMS) and not self.server.llen(WRITING)

    def close(self) -> None:
        self.w.flush()
        self.w.users = 1
        self.w.release()
