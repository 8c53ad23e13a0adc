"""Reader processes with limits: an Executor whose workers each run one task at a time under a
memory limit (RLIMIT_AS) and a wall-clock limit.

A hostile file must cost at most its limit, never the crawl: a task that overruns its time is
killed with its worker, a task that runs out of memory ends its worker, and in both cases the
task's future fails with a `ReaderLimit` (a ParseError whose reason says `timed out` or
`too large`, the statuses the crawl records) and a fresh worker takes the next task. A worker
that dies (a library crashed) fails its task the same way and is replaced.

Drop-in for ProcessPoolExecutor where tasks are picklable functions: `submit()` returns a
concurrent.futures.Future, `max_workers=N` runs N tasks at once, and `loop.run_in_executor()`
works with it. Workers are spawned (the crawl process runs threads), lazily, as tasks come.
"""
from __future__ import annotations

import ctypes
import os
import signal
import threading
import time
import traceback
from collections import deque
from concurrent.futures import Executor, Future
from multiprocessing import connection, get_context

from .errors import ParseError

# A report is a few MiB; reading one with LibreOffice, pdfium or OCR takes a few hundred MiB of
# address space. Room for that, never the machine's memory.
MEMORY_LIMIT = int(os.environ.get("XXGK_READER_MEMORY_MB") or 3072) * 2**20
TIME_LIMIT = float(os.environ.get("XXGK_READER_TIMEOUT") or 300)


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def death_signal(sig: int, parent: int, libc=None) -> bool:
    """Asks the kernel to send `sig` to this process when its parent dies (Linux's
    PR_SET_PDEATHSIG; elsewhere nothing). Returns whether `parent` is still the parent: False
    means it died before the request took effect, and no signal will ever come. `libc`, loaded
    beforehand, for a child between fork and exec."""
    try:
        (libc or ctypes.CDLL(None, use_errno=True)).prctl(_PR_SET_PDEATHSIG, sig)
    except (OSError, AttributeError):
        pass
    return os.getppid() == parent


class ReaderLimit(ParseError):
    """A task that overran a limit of its reader process, or whose reader died on it."""

    def __init__(self, source: str, reason: str, status: str):
        super().__init__(source, reason)
        self.status = status  # timeout, too_large or crashed

    def __reduce__(self):
        return (ReaderLimit, (self.source, self.reason, self.status))


def _worker(conn, memory: int | None, initializer, initargs) -> None:
    os.setsid()  # its own process group: killing it kills what it started in that group
    if memory:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    if initializer is not None:
        initializer(*initargs)
    while True:
        try:
            task = conn.recv()  # unpickling the task imports its module: it may need memory too
        except (EOFError, OSError):
            return
        except MemoryError:
            conn.send(("memory", None))
            os._exit(3)
        except BaseException as e:  # noqa: BLE001 — a task whose function cannot be imported here
            conn.send(("error", RuntimeError(f"task not readable in the reader: {type(e).__name__}: {e}")))
            continue
        if task is None:
            return
        fn, args, kwargs = task
        try:
            result = ("ok", fn(*args, **kwargs))
        except MemoryError:
            conn.send(("memory", None))
            os._exit(3)  # the heap may be fragmented beyond use: a fresh worker takes over
        except BaseException as e:  # noqa: BLE001 — every error crosses back to the caller
            result = ("error", e)
        try:
            conn.send(result)
        except MemoryError:
            conn.send(("memory", None))
            os._exit(3)
        except Exception as e:  # the result or the exception does not pickle
            conn.send(("error", RuntimeError(f"{type(e).__name__}: {e}\n{''.join(traceback.format_exception(result[1])) if result[0] == 'error' else ''}")))


class _Worker:
    def __init__(self, ctx, memory, initializer, initargs):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, memory, initializer, initargs), daemon=True)
        self.proc.start()
        child.close()
        self.task: tuple[Future, float] | None = None  # (future, deadline)

    def kill(self) -> None:
        for target in (lambda: os.killpg(self.proc.pid, signal.SIGKILL), self.proc.kill):
            try:
                target()
            except (ProcessLookupError, PermissionError, OSError):
                pass
        self.proc.join(5)
        self.conn.close()


class LimitedExecutor(Executor):
    def __init__(self, max_workers: int = 1, memory: int | None = MEMORY_LIMIT, timeout: float = TIME_LIMIT,
                 initializer=None, initargs=(), mp_context=None):
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        self.max_workers, self.memory, self.timeout = max_workers, memory, timeout
        self.initializer, self.initargs = initializer, initargs
        self.ctx = mp_context or get_context("spawn")
        self.pending: deque = deque()
        self.workers: list[_Worker] = []
        self.lock = threading.Lock()
        self.wake_r, self.wake_w = get_context("spawn").Pipe(duplex=False)
        self.closed = False
        self.thread: threading.Thread | None = None
        self.replaced = 0  # workers replaced after an overrun or a crash

    # Executor API ------------------------------------------------------------------------------
    def submit(self, fn, /, *args, **kwargs) -> Future:
        f: Future = Future()
        with self.lock:
            if self.closed:
                raise RuntimeError("cannot submit to a LimitedExecutor after shutdown")
            self.pending.append((f, fn, args, kwargs))
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="xxgk-reader", daemon=True)
                self.thread.start()
        self._wake()
        return f

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self.lock:
            self.closed = True
            if cancel_futures:
                while self.pending:
                    self.pending.popleft()[0].cancel()
        self._wake()
        if wait and self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join()

    # The dispatcher ----------------------------------------------------------------------------
    def _wake(self) -> None:
        try:
            self.wake_w.send_bytes(b"!")
        except OSError:
            pass

    def _dispatch(self) -> None:
        with self.lock:
            while self.pending:
                idle = next((w for w in self.workers if w.task is None), None)
                if idle is None and len(self.workers) < self.max_workers:
                    idle = _Worker(self.ctx, self.memory, self.initializer, self.initargs)
                    self.workers.append(idle)
                if idle is None:
                    return
                f, fn, args, kwargs = self.pending.popleft()
                if not f.set_running_or_notify_cancel():
                    continue
                try:
                    idle.conn.send((fn, args, kwargs))
                except Exception as e:  # the task does not pickle
                    f.set_exception(e)
                    continue
                idle.task = (f, time.monotonic() + self.timeout)

    def _retire(self, w: _Worker, error: Exception | None) -> None:
        w.kill()
        self.workers.remove(w)
        if w.task is not None and error is not None:
            w.task[0].set_exception(error)
        w.task = None
        self.replaced += 1

    def _run(self) -> None:
        while True:
            self._dispatch()
            with self.lock:
                busy = [w for w in self.workers if w.task is not None]
                if self.closed and not busy and not self.pending:
                    break
            now = time.monotonic()
            wait = min([w.task[1] - now for w in busy] + [3600.0])
            ready = connection.wait([self.wake_r] + [w.conn for w in busy] + [w.proc.sentinel for w in busy],
                                    timeout=max(0.0, wait))
            if self.wake_r in ready:
                while self.wake_r.poll():
                    self.wake_r.recv_bytes()
            for w in busy:
                f, deadline = w.task
                if w.conn in ready:
                    try:
                        kind, value = w.conn.recv()
                    except (EOFError, OSError):
                        kind, value = "died", None
                    if kind == "ok":
                        w.task = None
                        f.set_result(value)
                    elif kind == "error":
                        w.task = None
                        f.set_exception(value)
                    elif kind == "memory":
                        self._retire(w, ReaderLimit("reader", f"too large: needed more than the reader's memory limit "
                                                             f"of {self.memory // 2**20} MiB (reader replaced)",
                                                    "too_large"))
                    else:
                        self._retire(w, ReaderLimit("reader", "the reader process died on it "
                                                              "(a library crashed or it was killed)", "crashed"))
                elif w.proc.sentinel in ready:
                    self._retire(w, ReaderLimit("reader", f"the reader process died on it (exit {w.proc.exitcode}; "
                                                          "a library crashed or it was killed)", "crashed"))
                elif time.monotonic() >= deadline:
                    self._retire(w, ReaderLimit("reader", f"timed out after {self.timeout:g} s (reader killed)",
                                                "timeout"))
        with self.lock:
            for w in list(self.workers):
                try:
                    w.conn.send(None)
                except OSError:
                    pass
                w.proc.join(5)
                if w.proc.is_alive():
                    w.kill()
            self.workers.clear()
