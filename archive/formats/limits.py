"""Limits on what one attachment may cost: its size, what it unpacks to, and how long a child
process (LibreOffice, Tesseract) may run.

A portal attachment is untrusted input: a 4 KB DOCX can unpack to gigabytes, a damaged DOC can
keep LibreOffice busy forever. Each limit ends in a ParseError naming the file and the reason,
which the crawl records as the attachment's status.
"""
from __future__ import annotations

import io
import os
import signal
import subprocess
import zipfile

from ..errors import ParseError

MAX_BYTES = 64 * 1024 * 1024  # the crawler's DOWNLOAD_MAXSIZE: nothing larger is ever fetched
MAX_UNZIPPED = 256 * 1024 * 1024  # a real report's DOCX/XLSX unpacks to a few MiB
MAX_RATIO = 200  # deflated XML packs 5–30×; far beyond that is a bomb, whatever the total
MAX_MEMBERS = 5000
OFFICE_TIMEOUT = 120.0  # seconds for one LibreOffice conversion
OCR_TIMEOUT = 120.0  # seconds for one Tesseract run (one page)
MAX_OCR_PAGES = 20  # a scanned report is a handful of pages; a 300-page scan is not a report
MAX_PIXELS = 60_000_000  # one page image (an A4 page at 600 dpi is 35 Mpx)
MAX_TOTAL_PIXELS = 200_000_000  # all the frames of one multi-frame image together
MAX_TABLE_SCAN_PAGES = 500  # pages of a PDF searched for its tables (pdfparse.MAX_PAGES of text)


def mib(n: int | float) -> str:
    return f"{n / 2**20:.0f} MiB"


def check_size(size: int, source: str) -> None:
    if size > MAX_BYTES:
        raise ParseError(source, f"too large ({mib(size)} > {mib(MAX_BYTES)})")


def open_zip(data: bytes, source: str) -> zipfile.ZipFile:
    """The ZIP container of an OOXML file, refused before anything is unpacked when its members
    declare more than MAX_UNZIPPED or an implausible compression ratio (zip bomb). Members that
    lie about their size fail their CRC check when read (zipfile stops at the declared size)."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise ParseError(source, "not a readable ZIP container (damaged or truncated)") from None
    except NotImplementedError as e:  # a ZIP version or compression method zipfile cannot read
        raise ParseError(source, f"unsupported ZIP container ({e})") from None
    if len(infos) > MAX_MEMBERS:
        raise ParseError(source, f"zip bomb refused: {len(infos)} members (limit {MAX_MEMBERS})")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED:
        raise ParseError(source, f"zip bomb refused: unpacks to {mib(total)} (limit {mib(MAX_UNZIPPED)})")
    for i in infos:
        if i.file_size > 1024 * 1024 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            ratio = i.file_size // max(i.compress_size, 1)
            raise ParseError(source, f"zip bomb refused: {i.filename} packs {ratio}:1 (limit {MAX_RATIO}:1)")
    return z


def run(cmd: list[str], source: str, what: str, timeout: float, stdin_bytes: bytes | None = None,
        **kwargs) -> subprocess.CompletedProcess:
    """Run a converter in its own process group; on timeout the whole group is killed (soffice
    is a shell script that starts oosplash and soffice.bin: killing the first alone would leave
    the others running) and the reason recorded."""
    stdin = subprocess.DEVNULL if stdin_bytes is None else subprocess.PIPE
    proc = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            **kwargs)
    try:
        out, err = proc.communicate(input=stdin_bytes, timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        raise ParseError(source, f"{what} timed out after {timeout:g} s (killed)") from None
    except BaseException:
        kill_group(proc)
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate()
