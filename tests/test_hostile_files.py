"""Hostile files to `xxgk parse`, each in a reader process under a memory limit: every file gets
its one line naming it, special files are refused by their type, grids are bounded in cells,
damaged bytes in a text report are replaced (with a warning, and the report flagged when they
sit in a table), and nothing hangs."""
from __future__ import annotations

import io
import json
import os
import random
import struct

from archive.formats.docx import set_spans
from archive.htmlgrid import Cell
from archive.parse import parse_bytes

from .conftest import run_xxgk
from .layouts import random_report, render_tabs


def merged_cells_page() -> bytes:
    cells = "".join('<td rowspan="200" colspan="200">1</td>' for _ in range(400))
    return f"<html><body><table><tr>{cells}</tr><tr>{cells}</tr></table></body></html>".encode()


def tall_xlsx(rows: int) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["本年新收政府信息公开申请数量", "自然人", "总计"])
    for i in range(rows):
        ws.append([f"第{i}行", i, i])
    ws.merge_cells("A1:C1")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def zip_version_99(data: bytes) -> bytes:
    bad = bytearray(data)
    for sig, off in ((b"PK\x03\x04", 4), (b"PK\x01\x02", 6)):
        i = 0
        while (j := bad.find(sig, i)) >= 0:
            bad[j + off:j + off + 2] = struct.pack("<H", 99)
            i = j + 4
    return bytes(bad)


def text_report() -> tuple[str, object]:
    truth = random_report(random.Random(11))
    return render_tabs(truth, random.Random(11)), truth


def test_set_spans_is_one_pass():
    # 20,000 rows × 10: rows × cells would be 4·10⁹ steps; one pass is 200,000.
    grid = [[Cell("x", r, c) for c in range(10)] for r in range(20_000)]
    top = Cell("merged", 0, 0)
    for r in range(3):
        for c in range(2):
            grid[r][c] = top
    set_spans(grid)
    assert (top.rowspan, top.colspan) == (3, 2)
    assert (grid[5][5].rowspan, grid[5][5].colspan) == (1, 1)


def test_damaged_bytes_in_a_text_report():
    text, truth = text_report()
    clean = parse_bytes(text.encode(), "clean.txt")
    assert not clean.flagged and not clean.warnings
    data = bytearray(text.encode())
    # one damaged byte in the narrative (no digit near it), one in a table row
    prose = data.find("存在的主要问题".encode())
    data[prose] = 0xFF
    damaged_prose = parse_bytes(bytes(data), "prose.txt")
    # the lead byte of a 3-byte character: it and its two stray continuation bytes are replaced
    assert damaged_prose.warnings == ["damaged bytes: 3 characters of the text replaced by U+FFFD"]
    assert not damaged_prose.flagged
    assert [c for c in damaged_prose.cells()] == [c for c in clean.cells()]
    row = data.find("商业企业".encode())
    data[row + 1] = 0xFE
    damaged_table = parse_bytes(bytes(data), "table.txt")
    assert damaged_table.warnings[0] == "damaged bytes: 6 characters of the text replaced by U+FFFD"
    assert damaged_table.flagged and damaged_table.to_json()["flagged"] is True
    # A GBK text stays a GBK text: never read as damaged UTF-8.
    assert list(parse_bytes(text.encode("gb18030"), "gbk.txt").cells()) == list(clean.cells())


def test_hostile_batch(tmp_path):
    from tests.documents import docx_bytes, truth

    files = {
        "merged.html": merged_cells_page(),
        "tall.xlsx": tall_xlsx(20_000),
        "version.docx": zip_version_99(docx_bytes(truth())),
        "report.docx": docx_bytes(truth()),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    assert len(files["merged.html"]) < 40_000
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    paths = [tmp_path / "merged.html", "/dev/zero", fifo, tmp_path / "tall.xlsx", tmp_path / "version.docx",
             tmp_path / "missing.pdf", tmp_path, tmp_path / "report.docx"]
    p = run_xxgk("parse", "--json", "--memory-limit", "2048", "--time-limit", "120", *paths, check=False, timeout=600)
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert p.stderr.splitlines() == [
        f"xxgk parse: {tmp_path / 'merged.html'}: tables of more than 200,000 cells, not a report's",
        "xxgk parse: /dev/zero: a character device, not a regular file: refused",
        f"xxgk parse: {fifo}: a FIFO (named pipe), not a regular file: refused",
        f"xxgk parse: {tmp_path / 'tall.xlsx'}: no report found (no dated title, no tables)",
        f"xxgk parse: {tmp_path / 'version.docx'}: unsupported ZIP container (zip file version 9.9)",
        f"xxgk parse: {tmp_path / 'missing.pdf'}: No such file or directory",
        f"xxgk parse: {tmp_path}: is a directory, not a file",
    ]
    out = json.loads(p.stdout)
    assert [o["file"] for o in out] == [str(x) for x in paths]  # every file its entry, in order
    assert out[-1]["year"] == truth().year and "error" not in out[-1]


def test_a_file_over_the_memory_limit_is_one_line(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(("云溪县2023年政府信息公开工作年度报告" * 1_000_000).encode())  # 54 MiB of text
    p = run_xxgk("parse", "--memory-limit", "200", big, tmp_path / "missing.pdf", check=False)
    lines = p.stderr.splitlines()
    assert len(lines) == 2 and "Traceback" not in p.stderr, p.stderr
    assert lines[0] == f"xxgk parse: {big}: too large: needed more than the reader's memory limit of 200 MiB (reader replaced)"
    assert lines[1] == f"xxgk parse: {tmp_path / 'missing.pdf'}: No such file or directory"
