"""A simulator report rendered into every attachment format, with the real tools.

The report's tables are laid out as the simulator lays them out in HTML (the official
rowspan/colspan, labels in one piece), then written as a DOCX by python-docx, as an XLSX by
openpyxl, as a PNG/JPG by Pillow with a CJK font, as a scan (that picture in a PDF without text
layer); LibreOffice makes DOC, WPS (WPS Office's .wps is the Word 97 binary format) and PDF from
the DOCX and XLS from the XLSX. Used by the attachment portals of the simulator and by the
format tests (tests/documents.py).
"""
from __future__ import annotations

import io
import random
import shutil
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

from archive.htmlgrid import distinct, html_grids
from archive.labels import looks_numeric

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


class _Plain(random.Random):
    """Labels printed in one piece (the simulator's rng otherwise splits some over <p>)."""

    def random(self):
        return 0.99


def table_html(r) -> list[str]:
    from crawler.simulator import tables

    rng = _Plain()
    return [tables.active_table(r, rng), tables.applications_table(r, rng), tables.reviews_table(r, rng)]


SECTIONS = ("二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况")


def grids(r):
    return [html_grids(h)[0] for h in table_html(r)]


def narrative(r) -> list[str]:
    return [f"本报告中所列数据的统计期限自{r.year}年1月1日起至{r.year}年12月31日止。",
            f"一、总体情况。{r.year}年，{r.organ.name}认真贯彻落实《中华人民共和国政府信息公开条例》。"]


# DOCX, DOC, WPS, PDF --------------------------------------------------------------------------
def docx_bytes(r) -> bytes:
    import docx
    from docx.shared import Pt

    d = docx.Document()
    d.core_properties.title = ""
    d.add_paragraph(r.title)
    for p in narrative(r):
        d.add_paragraph(p)
    for heading, grid in zip(SECTIONS, grids(r)):
        d.add_paragraph(heading)
        t = d.add_table(rows=len(grid), cols=len(grid[0]))
        t.style = "Table Grid"
        for cell in distinct(c for row in grid for c in row):
            target = t.cell(cell.row, cell.col)
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(t.cell(cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1))
            target.text = cell.text
            for p in target.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(8)
    d.add_paragraph("五、存在的主要问题及改进情况。无。")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def soffice_convert(data: bytes, suffix: str, target: str) -> bytes:
    """A conversion by LibreOffice, independent of archive.formats.office (the simulator must not
    lean on the code it tests). A private profile and $HOME per run, so conversions can run in
    parallel."""
    import os

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"doc{suffix}"
        src.write_bytes(data)
        subprocess.run([shutil.which("soffice"), f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                        "--convert-to", target, "--outdir", f"{tmp}/out", str(src)],
                       check=True, capture_output=True, timeout=300, env={**os.environ, "HOME": tmp})
        (out,) = Path(tmp, "out").iterdir()
        return out.read_bytes()


# XLSX, XLS -------------------------------------------------------------------------------------
def _number(text: str):
    """A value cell as a spreadsheet holds it: a number, or the text when it is not one."""
    try:
        d = Decimal(text)
    except Exception:
        return text or None
    return int(d) if d == d.to_integral_value() and "." not in text else float(text)


def xlsx_bytes(r) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "年报"
    ws.cell(1, 1, r.title)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=10)
    top = 3
    for heading, grid in zip(SECTIONS, grids(r)):
        ws.cell(top, 1, heading)
        top += 1
        for cell in distinct(c for row in grid for c in row):
            value = _number(cell.text) if cell.text[:1].isdigit() or cell.text[:1] == "-" else (cell.text or None)
            ws.cell(top + cell.row, 1 + cell.col, value)
            if cell.rowspan > 1 or cell.colspan > 1:
                ws.merge_cells(start_row=top + cell.row, start_column=1 + cell.col,
                               end_row=top + cell.row + cell.rowspan - 1, end_column=cell.col + cell.colspan)
        top += len(grid) + 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# PNG, JPG, scanned PDF ---------------------------------------------------------------------------
def _wrap(draw, text: str, font, width: int) -> list[str]:
    lines, line = [], ""
    for ch in text.replace(" ", ""):
        if draw.textlength(line + ch, font=font) > width and line:
            lines.append(line)
            line = ch
        else:
            line += ch
    return lines + [line] if line else lines


def _layout(grid, draw, font, size: int) -> tuple[list[int], list[int]]:
    """Column widths and row heights: label columns as wide as their labels (capped, then
    wrapped), value columns as wide as their header words."""
    width = len(grid[0])
    cols = [int(size * 3.2)] * width
    for cell in distinct(c for row in grid for c in row):
        if cell.colspan == 1:
            need = min(int(draw.textlength(cell.text.replace(" ", ""), font=font)) + size, size * 16)
            value = looks_numeric(cell.text)
            cols[cell.col] = max(cols[cell.col], min(need, size * 5) if value else min(need, size * 11))
    rows = [int(size * 1.9)] * len(grid)
    for cell in distinct(c for row in grid for c in row):
        w = sum(cols[cell.col : cell.col + cell.colspan]) - size // 2
        n = len(_wrap(draw, cell.text, font, w))
        need = int(n * size * 1.35 + size * 0.6)
        have = sum(rows[cell.row : cell.row + cell.rowspan])
        if need > have:
            rows[cell.row + cell.rowspan - 1] += need - have
    return cols, rows


def table_image(grid, size: int = 22):
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT, size)
    probe = ImageDraw.Draw(Image.new("L", (10, 10)))
    cols, rows = _layout(grid, probe, font, size)
    xs = [0]
    for w in cols:
        xs.append(xs[-1] + w)
    ys = [0]
    for h in rows:
        ys.append(ys[-1] + h)
    img = Image.new("L", (xs[-1] + 3, ys[-1] + 3), 255)
    draw = ImageDraw.Draw(img)
    for cell in distinct(c for row in grid for c in row):
        x0, y0 = xs[cell.col] + 1, ys[cell.row] + 1
        x1, y1 = xs[cell.col + cell.colspan] + 1, ys[cell.row + cell.rowspan] + 1
        draw.rectangle([x0, y0, x1, y1], outline=0, width=2)
        lines = _wrap(draw, cell.text, font, x1 - x0 - size // 2)
        top = (y0 + y1) / 2 - len(lines) * size * 1.35 / 2
        for i, line in enumerate(lines):
            w = draw.textlength(line, font=font)
            draw.text(((x0 + x1 - w) / 2, top + i * size * 1.35), line, font=font, fill=0)
    return img


def report_image(r, size: int = 22):
    """The whole report as one picture: title, section headings and the three tables."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT, size)
    title_font = ImageFont.truetype(FONT, int(size * 1.3))
    parts = [table_image(g, size) for g in grids(r)]
    margin = size * 2
    width = max(p.width for p in parts) + 2 * margin
    height = margin + int(size * 3) + sum(p.height + int(size * 2.5) for p in parts) + margin
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    draw.text((margin, margin), r.title, font=title_font, fill=0)
    y = margin + int(size * 3)
    for heading, part in zip(SECTIONS, parts):
        draw.text((margin, y), heading, font=font, fill=0)
        y += int(size * 2)
        page.paste(part, (margin, y))
        y += part.height + int(size * 0.5)
    return page


def image_bytes(r, fmt: str = "PNG", size: int = 22) -> bytes:
    buf = io.BytesIO()
    img = report_image(r, size)
    img.save(buf, fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return buf.getvalue()


def scan_pdf_bytes(r, size: int = 22) -> bytes:
    """The picture wrapped in a PDF, as a scanner writes it: one image per page, no text layer."""
    buf = io.BytesIO()
    report_image(r, size).convert("RGB").save(buf, "PDF", resolution=150)
    return buf.getvalue()
