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
import zlib
from dataclasses import dataclass
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


FONTS = {
    "sans": FONT,
    "serif": "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    # A handwriting-like regular script (楷体), as many offices print their reports in.
    "kai": "/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf",
}


def _font(name: str, size: int):
    from PIL import ImageFont

    path = FONTS[name] if Path(FONTS[name]).exists() else FONT
    return ImageFont.truetype(path, size)


def table_image(grid, size: int = 22, font: str = "sans", ink: int = 0, rule: int = 2):
    from PIL import Image, ImageDraw

    font = _font(font, size)
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
        draw.rectangle([x0, y0, x1, y1], outline=ink, width=rule)
        lines = _wrap(draw, cell.text, font, x1 - x0 - size // 2)
        top = (y0 + y1) / 2 - len(lines) * size * 1.35 / 2
        for i, line in enumerate(lines):
            w = draw.textlength(line, font=font)
            draw.text(((x0 + x1 - w) / 2, top + i * size * 1.35), line, font=font, fill=ink)
    return img


def report_image(r, size: int = 22, font: str = "sans", ink: int = 0, rule: int = 2):
    """The whole report as one picture: title, section headings and the three tables."""
    from PIL import Image, ImageDraw

    body = _font(font, size)
    title_font = _font(font, int(size * 1.3))
    parts = [table_image(g, size, font, ink, rule) for g in grids(r)]
    margin = size * 2
    width = max(p.width for p in parts) + 2 * margin
    height = margin + int(size * 3) + sum(p.height + int(size * 2.5) for p in parts) + margin
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    draw.text((margin, margin), r.title, font=title_font, fill=ink)
    y = margin + int(size * 3)
    for heading, part in zip(SECTIONS, parts):
        draw.text((margin, y), heading, font=body, fill=ink)
        y += int(size * 2)
        page.paste(part, (margin, y))
        y += part.height + int(size * 0.5)
    return page


# Scans as real ones look ------------------------------------------------------------------------
@dataclass(frozen=True)
class Scan:
    """How one picture of a report was printed and scanned, drawn from the report's identity (so
    the simulator serves the same bytes on every run)."""

    dpi: int
    font: str
    skew: float  # degrees, counter-clockwise
    paper: tuple[int, int, int]
    ink: int
    noise: float  # standard deviation of the sensor noise, in grey levels
    blur: float
    quality: int  # JPEG quality
    seal: tuple[float, float]  # centre of the red seal, as fractions of the third table

    @property
    def size(self) -> int:
        # Tables are printed in 小五/五号 (9–10.5 pt): the pixel size follows the resolution.
        return round(self.dpi * 9.5 / 72)


def scan_of(r, kind: str) -> Scan:
    """kind: png, jpeg or scan."""
    rng = random.Random(zlib.crc32(f"{r.organ.name}|{r.year}|{kind}".encode()))
    # Pictures are scans saved for the web: at most 200 dpi (a noisy page compresses badly, and
    # a portal serves megabytes slowly); a scanned PDF keeps the scanner's 150–300 dpi.
    dpi = rng.choice((150, 200) if kind in ("png", "jpeg") else (150, 200, 300))
    font = ("sans", "serif", "kai")[zlib.crc32(f"{r.organ.name}|{r.year}".encode()) % 3]
    skew = rng.choice((-1, 1)) * rng.uniform(1.0, 3.0)
    grey = rng.randint(200, 232)
    paper = (grey + rng.randint(0, 12), grey + rng.randint(0, 8), grey)
    # A PNG is a page exported for the web, not scanned: no sensor noise (which no PNG compresses).
    noise = 0.0 if kind == "png" else rng.uniform(5, 11)
    return Scan(dpi=dpi, font=font, skew=round(skew, 2), paper=paper, ink=rng.randint(15, 60),
                noise=noise, blur=rng.uniform(0.4, 0.9), quality=rng.randint(55, 75),
                seal=(rng.uniform(0.55, 0.85), rng.uniform(0.3, 0.7)))


def _seal(diameter: int, organ: str):
    """A red official seal (公章): a ring, a star and the organ's name around it, as an RGBA
    layer. Real seals are stamped in translucent red ink over the text."""
    import math

    from PIL import Image, ImageDraw

    layer = Image.new("RGBA", (diameter, diameter), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    red = (214, 30, 38, 190)
    ring = max(3, diameter // 28)
    draw.ellipse([ring, ring, diameter - ring, diameter - ring], outline=red, width=ring)
    c = diameter / 2
    star = [(c + (diameter * (0.16 if i % 2 == 0 else 0.065)) * math.sin(i * math.pi / 5),
             c - (diameter * (0.16 if i % 2 == 0 else 0.065)) * math.cos(i * math.pi / 5)) for i in range(10)]
    draw.polygon(star, fill=red)
    size = max(8, diameter // 9)
    font = _font("sans", size)
    text = organ[:12]
    for i, ch in enumerate(text):
        angle = math.radians(-120 + 240 * (i + 0.5) / len(text))
        glyph = Image.new("RGBA", (size * 2, size * 2), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((size / 2, size / 2), ch, font=font, fill=red)
        glyph = glyph.rotate(-math.degrees(angle), resample=Image.BICUBIC)
        rad = c - ring * 2 - size * 0.75
        layer.alpha_composite(glyph, (int(c + rad * math.sin(angle) - size), int(c - rad * math.cos(angle) - size)))
    return layer


def scanned_image(r, kind: str):
    """The report printed on grey paper, stamped with a red seal across its third table, then
    scanned: slightly rotated, blurred, with sensor noise (the JPEG artefacts come when it is
    saved). RGB, at the scan's resolution."""
    s = scan_of(r, kind)
    return scan_picture(r, s, kind), s


def scan_picture(r, s: Scan, kind: str = "scan", page=None):
    """The scanning of scanned_image with a given Scan, of the report's page as report_image
    draws it or of ``page`` (a grey page drawn otherwise: tests/scan_fuzz.py). RGB."""
    import numpy as np
    from PIL import Image, ImageFilter

    if page is None:
        page = report_image(r, s.size, s.font, ink=s.ink, rule=max(2, s.dpi // 100))
    parts = [table_image(g, s.size, s.font) for g in grids(r)]
    # Where the third table sits on the page (report_image's layout).
    margin = s.size * 2
    top = margin + int(s.size * 3) + sum(p.height + int(s.size * 2.5) for p in parts[:2]) + int(s.size * 2)
    rgb = Image.merge("RGB", [page.point(lambda v, p=p: v * p // 255) for p in s.paper])
    diameter = int(s.dpi * 1.65)  # a 42 mm seal
    seal = _seal(diameter, r.organ.name)
    cx = margin + int(parts[2].width * s.seal[0])
    cy = top + int(parts[2].height * s.seal[1])
    # A page drawn otherwise may be smaller: the seal's centre stays on it.
    cx = max(min(cx, page.width - 1), diameter // 2)
    cy = max(min(cy, page.height - 1), diameter // 2)
    base = rgb.convert("RGBA")
    stamp = Image.new("RGBA", base.size, (0, 0, 0, 0))
    stamp.alpha_composite(seal, (cx - diameter // 2, cy - diameter // 2))
    # Ink multiplies with what is under it: the text stays dark through the seal.
    a = np.asarray(stamp, dtype=np.float32)
    alpha = a[..., 3:4] / 255
    under = np.asarray(base, dtype=np.float32)[..., :3]
    mixed = under * (1 - alpha) + under * (a[..., :3] / 255) * alpha
    rgb = Image.fromarray(mixed.clip(0, 255).astype(np.uint8), "RGB")
    rgb = rgb.rotate(s.skew, resample=Image.BICUBIC, expand=True, fillcolor=s.paper)
    rgb = rgb.filter(ImageFilter.GaussianBlur(s.blur))
    rng = np.random.default_rng(zlib.crc32(f"{r.organ.name}|{r.year}|{kind}|noise".encode()))
    arr = np.asarray(rgb, dtype=np.float32)
    arr += rng.normal(0, s.noise, arr.shape[:2])[..., None]
    # Dust: sparse dark specks.
    specks = rng.random(arr.shape[:2]) < 0.0004
    arr[specks] *= 0.35
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8), "RGB")


def image_bytes(r, fmt: str = "PNG", size: int | None = None) -> bytes:
    """A picture of the report as offices publish them: a scan (see scanned_image), saved as
    JPEG; a PNG is that JPEG converted, artefacts and all. ``size`` renders the clean picture instead (white, upright, one font)."""
    buf = io.BytesIO()
    if size is not None:
        report_image(r, size).save(buf, fmt, **({"quality": 90} if fmt == "JPEG" else {}))
        return buf.getvalue()
    img, s = scanned_image(r, fmt.lower())
    if fmt == "JPEG":
        img.save(buf, "JPEG", quality=s.quality, dpi=(s.dpi, s.dpi))
    else:
        img.save(buf, fmt, dpi=(s.dpi, s.dpi))
    return buf.getvalue()


def scan_pdf_bytes(r, size: int | None = None) -> bytes:
    """The scan wrapped in a PDF, as a scanner writes it: one JPEG image per page at the scan's
    resolution, no text layer."""
    buf = io.BytesIO()
    if size is not None:
        report_image(r, size).convert("RGB").save(buf, "PDF", resolution=150)
        return buf.getvalue()
    img, s = scanned_image(r, "scan")
    img.save(buf, "PDF", resolution=s.dpi, quality=s.quality)
    return buf.getvalue()
