"""A reader killed in the middle of a LibreOffice conversion leaves no soffice behind: the
converter's process group dies with it (archive.formats.office)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice absent")

READER = """
import sys
from pathlib import Path
from archive.formats.office import convert
convert(Path(sys.argv[1]).read_bytes(), "r.docx", ".docx", "pdf", timeout=300, workdir=sys.argv[2])
"""


def _processes_under(tag: str) -> list[tuple[int, str]]:
    """(pid, command line) of every process whose command line names ``tag``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if tag in cmd:
            found.append((int(entry.name), cmd))
    return found


def test_killed_reader_leaves_no_soffice(tmp_path):
    import docx

    # A long document (60 pages of tables): its conversion takes many seconds, so a soffice
    # that outlived the reader would still be running when looked for.
    document = docx.Document()
    for _ in range(60):
        document.add_paragraph("政府信息公开工作年度报告" * 40)
        for row in document.add_table(rows=30, cols=8).rows:
            for cell in row.cells:
                cell.text = "123"
    doc = tmp_path / "r.docx"
    document.save(str(doc))
    work = tmp_path / "work"
    work.mkdir()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    reader = subprocess.Popen([sys.executable, "-c", READER, str(doc), str(work)], env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        # The conversion is under way once soffice.bin runs with the reader's private profile.
        while not any("soffice.bin" in cmd for _, cmd in _processes_under(str(work))):
            assert reader.poll() is None, "the reader ended before LibreOffice started"
            assert time.monotonic() < deadline, "LibreOffice never started"
            time.sleep(0.05)
        reader.send_signal(signal.SIGKILL)
        reader.wait(timeout=10)
        deadline = time.monotonic() + 5  # the conversion alone takes several times longer
        while _processes_under(str(work)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _processes_under(str(work)) == []
    finally:
        if reader.poll() is None:
            reader.kill()
        for pid, _ in _processes_under(str(work)):  # only what this test started
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
