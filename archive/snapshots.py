"""Every archived report as fetched, in WARC files (warcio), with SHA-256 digests.

A record is written before the database row that points at it, so a row never names a record
that is not on disk; each record is a complete gzip member, flushed as it is written.
"""
from __future__ import annotations

import hashlib
import io
import itertools
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

WARC_DIR = "warc"
OPEN: set[str] = set()  # WARC files being written by this process
_SERIAL = itertools.count(1)


def closed_marker(path: Path) -> Path:
    """An empty file beside a WARC file that was closed properly: one without it was being
    written when its process died, and may end in a torn record."""
    return path.with_name(path.name + ".closed")


def repair(data_dir: str | Path, referenced: dict[str, int]) -> list[str]:
    """Cut every WARC file left open by a killed process back to the end of the last record the
    archive refers to (``referenced``: file → largest offset in use), so that no torn record
    breaks reading and no record the database never committed is left behind. Returns the
    files repaired."""
    repaired = []
    for path in sorted((Path(data_dir) / WARC_DIR).glob("*.warc.gz")):
        name = f"{WARC_DIR}/{path.name}"
        if name in OPEN or closed_marker(path).exists():
            continue
        offset = referenced.get(name)
        end = 0
        if offset is not None:
            with open(path, "rb") as fh:
                fh.seek(offset)
                it = ArchiveIterator(fh)
                record = next(iter(it))
                record.content_stream().read()
                it.read_to_end(record)
                end = offset + it.get_record_length()
        with open(path, "r+b") as fh:
            fh.truncate(end)
        if end == 0:
            path.unlink()
        else:
            closed_marker(path).touch()
        repaired.append(name)
    return repaired
_DROP = {"content-encoding", "transfer-encoding", "content-length"}  # the body is stored decoded


@dataclass(frozen=True)
class Snapshot:
    warc_file: str  # relative to the archive directory
    offset: int
    record_id: str
    sha256: str


class SnapshotWriter:
    def __init__(self, data_dir: str | Path):
        self.data_dir = Path(data_dir)
        (self.data_dir / WARC_DIR).mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        # One file per writer: several crawlers of one process must never append to one file.
        self.name = f"{WARC_DIR}/xxgk-{stamp}-{os.getpid()}-{next(_SERIAL)}.warc.gz"
        self._fh = None

    def write(self, url: str, body: bytes, *, status: int = 200, headers: list[tuple[str, str]] | None = None,
              fetched_at: str | None = None, sync: bool = True, digest: str | None = None) -> Snapshot:
        """Append one response record. With `sync=False` the record reaches the disk at the next
        `sync()`, which must come before the database commits a row pointing at it. `digest`:
        the body's SHA-256 (hex) when the caller has it already."""
        if self._fh is None:
            OPEN.add(self.name)
            self._fh = open(self.data_dir / self.name, "ab")
            self._writer = WARCWriter(self._fh, gzip=True)
        kept = [(k, v) for k, v in (headers or []) if k.lower() not in _DROP]
        kept.append(("Content-Length", str(len(body))))
        http = StatusAndHeaders(f"{status} {'OK' if status == 200 else ''}".strip(), kept, protocol="HTTP/1.1")
        digest = digest or hashlib.sha256(body).hexdigest()
        warc_headers = {"WARC-Payload-Digest": f"sha256:{digest}"}
        if fetched_at:
            warc_headers["WARC-Date"] = fetched_at.replace("+00:00", "Z")
        record = self._writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                                 warc_headers_dict=warc_headers)
        offset = self._fh.tell()
        self._writer.write_record(record)
        if sync:
            self.sync()
        return Snapshot(self.name, offset, record.rec_headers.get_header("WARC-Record-ID"), digest)

    def sync(self) -> None:
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
            closed_marker(self.data_dir / self.name).touch()
        OPEN.discard(self.name)


def read_snapshot(data_dir: str | Path, warc_file: str, offset: int) -> tuple[str, list[tuple[str, str]], bytes]:
    """(URL, HTTP headers, body) of the record at ``offset``."""
    path = (Path(data_dir) / warc_file).resolve()
    if Path(data_dir).resolve() not in path.parents:
        raise ValueError(f"{warc_file}: outside the archive")
    with open(path, "rb") as fh:
        fh.seek(offset)
        for record in ArchiveIterator(fh):
            headers = record.http_headers.headers if record.http_headers else []
            return record.rec_headers.get_header("WARC-Target-URI"), headers, record.content_stream().read()
    raise ValueError(f"{warc_file}@{offset}: no record")
