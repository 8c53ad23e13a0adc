"""The limits-enforcing reader (archive/reader.py): a task that overruns its wall clock is killed
with its worker, one that needs more memory than RLIMIT_AS allows ends its worker, one whose
worker dies fails; each fails with a ReaderLimit naming the status the crawl records, and the
next task runs in a fresh worker."""
from __future__ import annotations

import os
import time

import pytest

from archive.errors import ParseError
from archive.reader import LimitedExecutor, ReaderLimit
from crawler.monitor import failure_status


def pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def hog(mib: int) -> int:
    return len(bytearray(mib * 2**20))


def crash() -> None:
    os.kill(os.getpid(), 9)


def fail() -> None:
    raise ParseError("x.pdf", "not a readable PDF (damaged)")


def memory_limit() -> int:
    import resource

    return resource.getrlimit(resource.RLIMIT_AS)[0]


def test_overruns_are_killed_and_replaced():
    with LimitedExecutor(max_workers=1, memory=1024 * 2**20, timeout=3) as ex:
        assert ex.submit(memory_limit).result() == 1024 * 2**20
        first = ex.submit(pid_after, 0).result()
        with pytest.raises(ReaderLimit) as e:
            ex.submit(pid_after, 60).result(timeout=30)
        assert e.value.status == "timeout" and failure_status(e.value.reason) == "timeout"
        assert "timed out after 3 s" in e.value.reason
        second = ex.submit(pid_after, 0).result()
        assert second != first  # the killed worker was replaced
        with pytest.raises(ReaderLimit) as e:
            ex.submit(hog, 2048).result(timeout=30)
        assert e.value.status == "too_large" and failure_status(e.value.reason) == "too_large"
        assert ex.submit(hog, 100).result() == 100 * 2**20  # a fresh worker, memory to spare
        with pytest.raises(ReaderLimit) as e:
            ex.submit(crash).result(timeout=30)
        assert e.value.status == "crashed"
        with pytest.raises(ParseError) as e:  # an ordinary error crosses back as itself
            ex.submit(fail).result()
        assert type(e.value) is ParseError and e.value.reason == "not a readable PDF (damaged)"
        assert ex.submit(pid_after, 0).result() > 0
        assert ex.replaced == 3


def test_pool_runs_tasks_side_by_side():
    with LimitedExecutor(max_workers=2, timeout=30) as ex:
        futures = [ex.submit(pid_after, 1.5) for _ in range(2)]
        assert len({f.result() for f in futures}) == 2  # two workers, one task each at once


def test_asyncio_run_in_executor():
    import asyncio

    async def main(ex):
        return await asyncio.get_running_loop().run_in_executor(ex, hog, 1)

    with LimitedExecutor(timeout=30) as ex:
        assert asyncio.run(main(ex)) == 2**20
