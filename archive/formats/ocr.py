"""Pictures of reports (PNG/JPG attachments, scanned PDFs) read with Tesseract (chi_sim).

A report's tables are ruled. The rules are found in the picture itself (long dark runs, kept
where they meet rules of the other direction), the cells they enclose become a grid in which a
merged cell is one Cell, and the rules are erased before Tesseract reads the page, so that a
vertical rule is never read as a 1. Tesseract's hOCR gives every character its box and its
confidence; each character goes to the cell its centre lies in, and the grid is mapped by its
labels like any HTML table. A picture without rules is read as text by the stream reader.

Numbers are never guessed: a value cell with a character read below MIN_CONFIDENCE, with text
that is not a number, or with ink where nothing was read, is unknown, and the report carries
source_format "ocr" and a warning saying how it was read.
"""
from __future__ import annotations

import io
import os
import re
import shutil
from dataclasses import dataclass

from ..errors import ParseError
from ..htmlgrid import Cell, Grid
from ..report import ParsedReport
from . import limits

MIN_CONFIDENCE = 80.0  # Tesseract's per-character confidence (0–100) below which a digit is doubted
UNREADABLE = "\ufffd"  # a doubted digit in running text: the stream reader cannot read it as a number
# What a doubted value cell holds for the grid mapper. It must look numeric: the mapper tells
# label cells from value cells by whether they read as numbers, and a row with a label-looking
# value would no longer be recognised. No report prints this number; every cell holding it is
# turned into an unknown cell once the grids are mapped.
DOUBTED = "-0.000000000271828"
LANG = "chi_sim"


@dataclass
class Char:
    text: str
    conf: float
    x0: int
    y0: int
    x1: int
    y1: int
    line: int

    @property
    def cx(self):
        return (self.x0 + self.x1) / 2

    @property
    def cy(self):
        return (self.y0 + self.y1) / 2


# Tesseract -----------------------------------------------------------------------------------
def tesseract() -> str:
    exe = shutil.which("tesseract")
    if exe is None:
        raise ParseError("Tesseract", "not installed (scripts/system-packages.txt: tesseract-ocr, tesseract-ocr-chi-sim)")
    return exe


def ocr_chars(png: bytes, source: str, timeout: float | None = None, psm: int = 6, lang: str = LANG,
              whitelist: str | None = None) -> list[Char]:
    """Every character Tesseract reads in a PNG, with its box and confidence (hOCR char boxes)."""
    import lxml.html

    timeout = limits.OCR_TIMEOUT if timeout is None else timeout
    # One thread: on two cores OpenMP's threads slow Tesseract down, and pages run in parallel.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    cmd = [tesseract(), "stdin", "stdout", "-l", lang, "--psm", str(psm), "-c", "hocr_char_boxes=1"]
    if whitelist:
        cmd += ["-c", f"tessedit_char_whitelist={whitelist}"]
    cmd.append("hocr")
    proc = limits.run(cmd, source, "OCR (Tesseract)", timeout, env=env, stdin_bytes=png)
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ParseError(source, f"OCR failed: {msg[-1] if msg else f'tesseract exited {proc.returncode}'}")
    if not proc.stdout.strip():
        return []
    doc = lxml.html.fromstring(proc.stdout)
    chars: list[Char] = []
    for n, line in enumerate(doc.xpath("//*[@class='ocr_line' or @class='ocr_textfloat' or @class='ocr_header' or @class='ocr_caption']")):
        for span in line.xpath(".//*[@class='ocrx_cinfo']"):
            m = re.search(r"x_bboxes (\d+) (\d+) (\d+) (\d+); x_conf ([\d.]+)", span.get("title", ""))
            text = span.text_content().strip()
            if m and text:
                x0, y0, x1, y1 = map(int, m.groups()[:4])
                chars.append(Char(text, float(m.group(5)), x0, y0, x1, y1, n))
    return chars


# Rules and cells -------------------------------------------------------------------------------
def _runs(mask, length: int, axis: int):
    """Pixels of ``mask`` lying on a run of at least ``length`` along ``axis``."""
    import numpy as np

    m = mask if axis == 1 else mask.T
    h, w = m.shape
    if w < length:
        return np.zeros_like(mask)
    cs = np.zeros((h, w + 1), dtype=np.int32)
    np.cumsum(m, axis=1, out=cs[:, 1:])
    full = (cs[:, length:] - cs[:, :-length]) == length  # run of `length` starting at x
    cs2 = np.zeros((h, full.shape[1] + 1), dtype=np.int32)
    np.cumsum(full, axis=1, out=cs2[:, 1:])
    # x is covered when some start in [x-length+1, x] begins a full run.
    idx = np.arange(w)
    hi = np.minimum(idx, full.shape[1] - 1) + 1
    lo = np.clip(idx - length + 1, 0, full.shape[1])
    out = (cs2[:, hi] - cs2[:, lo]) > 0
    return out if axis == 1 else out.T


def _segments(mask, axis: int, min_len: int):
    """Rules as (position, start, end) from a mask of rule pixels: bands of adjacent rows
    (columns) form one rule of some thickness."""
    import numpy as np

    m = mask if axis == 1 else mask.T
    rows = np.flatnonzero(m.any(axis=1))
    out = []
    if rows.size == 0:
        return out
    bands = np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1)
    for band in bands:
        cover = m[band[0] : band[-1] + 1].any(axis=0)
        xs = np.flatnonzero(cover)
        if xs.size == 0:
            continue
        for run in np.split(xs, np.flatnonzero(np.diff(xs) > 2) + 1):
            if run[-1] - run[0] + 1 >= min_len:
                out.append(((band[0] + band[-1]) / 2, int(run[0]), int(run[-1]), int(band[0]), int(band[-1])))
    return out


@dataclass
class Box:
    x0: float
    y0: float
    x1: float
    y1: float
    cell: Cell


def find_tables(gray, min_len: int | None = None):
    """The ruled tables of a page: per table its grid of Cells and each Cell's box, and the
    mask of rule pixels (to erase before OCR)."""

    dark = gray < 140
    h, w = dark.shape
    min_len = min_len or max(15, min(w, h) // 35)
    hmask = _runs(dark, min_len, 1)
    vmask = _runs(dark, min_len, 0)
    hs = _segments(hmask, 1, min_len)
    vs = _segments(vmask, 0, min_len)
    tol = 4

    def meets(hseg, vseg):
        y, hx0, hx1 = hseg[0], hseg[1], hseg[2]
        x, vy0, vy1 = vseg[0], vseg[1], vseg[2]
        return hx0 - tol <= x <= hx1 + tol and vy0 - tol <= y <= vy1 + tol

    # Keep rules that meet at least two rules of the other direction: an underline, a dash in
    # a cell or a stroke of a character does not.
    for _ in range(2):
        hs = [a for a in hs if sum(meets(a, b) for b in vs) >= 2]
        vs = [b for b in vs if sum(meets(a, b) for a in hs) >= 2]
    # Tables: rules joined by crossings.
    parent = list(range(len(hs) + len(vs)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(hs):
        for j, b in enumerate(vs):
            if meets(a, b):
                parent[find(i)] = find(len(hs) + j)
    groups: dict[int, tuple[list, list]] = {}
    for i, a in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(a)
    for j, b in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(b)
    tables = []
    for hg, vg in groups.values():
        if len(hg) < 2 or len(vg) < 2:
            continue
        ys = _cluster([a[0] for a in hg])
        xs = _cluster([b[0] for b in vg])
        if len(ys) < 2 or len(xs) < 2:
            continue
        tables.append(_cells(ys, xs, hmask, vmask))
    tables.sort(key=lambda t: (t[1][0].y0, t[1][0].x0))
    mask = hmask | vmask
    return tables, mask


def _cluster(values, tol: float = 6):
    out = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


def _cells(ys, xs, hmask, vmask):
    """Slots between consecutive rules, joined where the rule between them is missing."""

    nr, nc = len(ys) - 1, len(xs) - 1
    parent = list(range(nr * nc))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def covered(mask, fixed, lo, hi, vertical):
        lo, hi = int(lo + 4), int(hi - 4)
        if hi <= lo:
            return True
        f0, f1 = int(fixed) - 3, int(fixed) + 4
        band = mask[lo:hi, max(f0, 0) : f1] if vertical else mask[max(f0, 0) : f1, lo:hi]
        line = band.any(axis=1) if vertical else band.any(axis=0)
        return line.mean() >= 0.6

    for r in range(nr):
        for c in range(nc):
            if c + 1 < nc and not covered(vmask, xs[c + 1], ys[r], ys[r + 1], True):
                parent[find(r * nc + c)] = find(r * nc + c + 1)
            if r + 1 < nr and not covered(hmask, ys[r + 1], xs[c], xs[c + 1], False):
                parent[find(r * nc + c)] = find((r + 1) * nc + c)
    cells: dict[int, Cell] = {}
    boxes: dict[int, Box] = {}
    grid: list[list[Cell | None]] = []
    for r in range(nr):
        row = []
        for c in range(nc):
            root = find(r * nc + c)
            if root not in cells:
                cells[root] = Cell("", r, c)
                boxes[root] = Box(xs[c], ys[r], xs[c + 1], ys[r + 1], cells[root])
            b = boxes[root]
            b.x0, b.y0 = min(b.x0, xs[c]), min(b.y0, ys[r])
            b.x1, b.y1 = max(b.x1, xs[c + 1]), max(b.y1, ys[r + 1])
            row.append(cells[root])
        grid.append(row)
    from .docx import set_spans

    set_spans(grid)
    return grid, list(boxes.values())


# Reading a page --------------------------------------------------------------------------------
@dataclass
class Page:
    grids: list[Grid]
    text: str  # every character outside the tables, by line, then each table's cells
    chars: list[Char]
    doubted: int = 0


def _is_value(text: str) -> bool:
    return bool(re.fullmatch(r"[\d.,，\-−—/元万件个]*", text.replace(" ", ""))) and bool(text.strip())


def read_page(img, source: str, timeout: float | None = None) -> Page:
    import numpy as np
    from PIL import Image

    gray = np.asarray(img.convert("L"))
    tables, mask = find_tables(gray)
    # Rules erased (with two pixels around them: anti-aliased edges) before OCR.
    grow = mask.copy()
    for _ in range(2):
        g = grow.copy()
        g[1:, :] |= grow[:-1, :]
        g[:-1, :] |= grow[1:, :]
        g[:, 1:] |= grow[:, :-1]
        g[:, :-1] |= grow[:, 1:]
        grow = g
    clean = gray.copy()
    clean[grow] = 255
    dark = clean < 140
    boxes = [b for _, bs in tables for b in bs]
    # The running text (title, narrative) from the page with its tables blanked out; the
    # cells from a second run in which each cell's content stands alone, so that Tesseract's
    # lines never run across cells of different heights.
    outside_img = clean.copy()
    for b in boxes:
        outside_img[int(b.y0) : int(b.y1) + 1, int(b.x0) : int(b.x1) + 1] = 255
    buf = io.BytesIO()
    Image.fromarray(outside_img).save(buf, "PNG")
    outside = ocr_chars(buf.getvalue(), source, timeout)
    first = reread(clean, boxes, source, timeout)
    inked = {id(b.cell): _ink(dark, b) > 0.002 for b in boxes}
    values = [b for b in boxes if _is_value(_join(_strip_marks(first[id(b.cell)])))
              or (not first[id(b.cell)] and inked[id(b.cell)])]
    # Values read a second time, by the English model restricted to digits: a cell is kept
    # only where both readings agree, with every character confident and all its ink read.
    second = reread(clean, values, source, timeout, lang="eng", whitelist="0123456789.-/")
    page = Page([], "", outside + [c for cs in first.values() for c in cs])
    value_ids = {id(b.cell) for b in values}
    for b in boxes:
        got = _strip_marks(first[id(b.cell)])
        text = _join(got)
        if id(b.cell) not in value_ids:
            b.cell.text = text
            continue
        again = _strip_marks(second.get(id(b.cell), []))
        if not got and not again and not inked[id(b.cell)]:
            b.cell.text = ""
            continue
        if (_number(text) is None or _number(text) != _number(_join(again))
                or any(c.conf < MIN_CONFIDENCE for c in got + again)
                or not _covers(dark, b, again)):
            b.cell.text = DOUBTED
            page.doubted += 1
        else:
            b.cell.text = text
    page.grids = [grid for grid, _ in tables]
    lines: list[str] = []
    for n in sorted({c.line for c in outside}):
        # Outside a ruled table only the stream reader can place values: a doubted digit is
        # printed as a mark it cannot read as a number, so its row stays unknown.
        lines.append(_join([c if not (c.text.isdigit() and c.conf < MIN_CONFIDENCE) else
                            Char(UNREADABLE, c.conf, c.x0, c.y0, c.x1, c.y1, c.line) for c in outside if c.line == n]))
    for grid in page.grids:
        for row in grid:
            lines.append(" ".join(dict.fromkeys(c.text for c in row if c is not None and c.text)))
    page.text = "\n".join(lines)
    return page


def _number(text: str):
    from ..labels import read_value

    v = read_value(text)
    return (v.status, v.number) if v.status in ("number", "dash") else None


def _covers(dark, b: Box, chars: list[Char]) -> bool:
    """Whether the characters read account for all the ink of a cell: a minus sign or a digit
    that Tesseract dropped leaves ink no character box covers."""
    import numpy as np

    pad = 5
    crop = dark[int(b.y0 + pad) : int(b.y1 - pad), int(b.x0 + pad) : int(b.x1 - pad)]
    cols = np.flatnonzero(crop.any(axis=0))
    if cols.size == 0:
        return not chars
    if not chars:
        return False
    # Character boxes are in the coordinates of the stacked image: compare extents only.
    ink_runs = np.split(cols, np.flatnonzero(np.diff(cols) > 3) + 1)
    first, last = ink_runs[0], ink_runs[-1]
    read_width = max(c.x1 for c in chars) - min(c.x0 for c in chars)
    ink_width = last[-1] - first[0]
    height = max(max(c.y1 - c.y0 for c in chars), 1)
    return ink_width - read_width <= 0.4 * height


_MARKS = set("“”\"'‘’。，,、`：:；;|")


def _strip_marks(chars: list[Char]) -> list[Char]:
    """Stray marks around a number: Tesseract's LSTM writes quotes and stops into the blank
    space where an erased rule was. Only marks that no number cell prints are dropped, and only
    from the ends; digits are never added or changed."""
    if not any(c.text.isdigit() for c in chars):
        return chars
    lo, hi = 0, len(chars)
    while lo < hi and chars[lo].text in _MARKS:
        lo += 1
    while hi > lo and chars[hi - 1].text in _MARKS:
        hi -= 1
    inner = chars[lo:hi]
    return inner if _is_value(_join(inner)) else chars


def reread(clean, boxes: list[Box], source: str, timeout: float | None, lang: str = LANG,
           whitelist: str | None = None) -> dict[int, list[Char]]:
    """The value cells cut out and stacked one under the other with wide gaps, read in one
    Tesseract run; each line goes back to the cell it was cut from."""
    import numpy as np
    from PIL import Image

    if not boxes:
        return {}
    crops, bands = [], []
    y = 20
    for b in boxes:
        pad = 5
        crop = clean[int(b.y0 + pad) : int(b.y1 - pad), int(b.x0 + pad) : int(b.x1 - pad)]
        ink = np.argwhere(crop < 140)
        if ink.size:
            (r0, c0), (r1, c1) = ink.min(axis=0), ink.max(axis=0)
            crop = crop[max(r0 - 4, 0) : r1 + 5, max(c0 - 4, 0) : c1 + 5]
        crops.append((crop, y))
        bands.append((y, y + crop.shape[0], b))
        y += crop.shape[0] + max(24, crop.shape[0])
    width = max(c.shape[1] for c, _ in crops) + 40
    canvas = np.full((y + 20, width), 255, dtype=np.uint8)
    for crop, top in crops:
        canvas[top : top + crop.shape[0], 20 : 20 + crop.shape[1]] = crop
    buf = io.BytesIO()
    Image.fromarray(canvas).save(buf, "PNG")
    out: dict[int, list[Char]] = {id(b.cell): [] for b in boxes}
    for ch in ocr_chars(buf.getvalue(), source, timeout, lang=lang, whitelist=whitelist):
        for top, bottom, b in bands:
            if top - 8 <= ch.cy <= bottom + 8:
                out[id(b.cell)].append(ch)
                break
    return out


def _join(chars: list[Char]) -> str:
    """Characters of one cell or line as printed: CJK run together, a space where the gap
    between two characters is wider than a character (two numbers side by side)."""
    out = ""
    prev = None
    for c in chars:
        if prev is not None:
            height = max(c.y1 - c.y0, prev.y1 - prev.y0, 1)
            if c.line != prev.line or c.x0 - prev.x1 > 0.8 * height:
                out += " "
        out += c.text
        prev = c
    return out


def _ink(dark, b: Box) -> float:
    pad = 6
    y0, y1, x0, x1 = int(b.y0 + pad), int(b.y1 - pad), int(b.x0 + pad), int(b.x1 - pad)
    if y1 <= y0 or x1 <= x0:
        return 0.0
    return float(dark[y0:y1, x0:x1].mean())


# Reports -------------------------------------------------------------------------------------------
def parse_pages(images, source: str, what: str) -> ParsedReport:
    from .. import schema
    from ..textparse import parse_text
    from . import report_from_grids

    pages = [read_page(img, source) for img in images]
    grids = [g for p in pages for g in p.grids]
    text = "\n".join(p.text for p in pages)
    if not any(p.chars for p in pages):
        raise ParseError(source, f"{what}: OCR found no text")
    if grids:
        report = report_from_grids(grids, text, source, "ocr")
    else:
        report = parse_text(text, source, source_format="ocr")
    doubted = _unknown_from_unreadable(report)
    if report.template:
        _missing_as_unknown(report, schema)
    chars = [c for p in pages for c in p.chars]
    low = sum(1 for c in chars if c.conf < MIN_CONFIDENCE)
    report.warnings.insert(0, (
        f"read by OCR (Tesseract {LANG}) from {what}: {len(chars)} characters, {low} below confidence "
        f"{MIN_CONFIDENCE:g}; {doubted} value cells doubted and left unknown"))
    from ..checks import check_report

    check_report(report)
    return report


def _unknown_from_unreadable(report: ParsedReport) -> int:
    """Value cells that OCR doubted (or read as something that is not a number) become
    unknown cells: removed from the tables, listed in unknown_cells (which flags the report)."""
    n = 0
    for table, row, col, value in list(report.cells()):
        if value.status == "unreadable" or value.raw == DOUBTED:
            del report.tables[table][row][col]
            report.unknown_cells.append(f"{table}.{row}.{col}")
            n += 1
    for table in list(report.tables):
        for row in [r for r, cols in report.tables[table].items() if not cols]:
            del report.tables[table][row]
    return n


def _missing_as_unknown(report: ParsedReport, schema) -> None:
    """Cells of the detected template that were not read at all (a label OCR garbled) are
    unknown too: a picture prints every cell of its tables."""
    expected = expected_cells(report.template, report.template_variant, schema)
    have = {f"{t}.{r}.{c}" for t, r, c, _ in report.cells()} | set(report.unknown_cells)
    for key in expected:
        if key not in have:
            report.unknown_cells.append(key)


def expected_cells(template: str, variant: str | None, schema) -> list[str]:
    out = []
    rows = [k for k, _, _ in schema.APPLICATION_ROWS]
    if template == "2019" or variant == "mixed":
        rows = [k for k in rows if k not in schema.OTHER_2021]
    else:
        rows = [k for k in rows if k != "other"]
    out += [f"applications.{r}.{c}" for r in rows for c, _ in schema.APPLICANT_COLUMNS]
    out += [f"reviews.{g}.{c}" for g, _ in schema.REVIEW_ROWS for c, _ in schema.REVIEW_COLUMNS]
    return out


def _open_image(data: bytes, source: str):
    from PIL import Image, UnidentifiedImageError

    try:
        img = Image.open(io.BytesIO(data))
        if img.width * img.height > limits.MAX_PIXELS:
            raise ParseError(source, f"image too large ({img.width} × {img.height} pixels)")
        frames, total = [], 0
        for i in range(limits.MAX_OCR_PAGES):  # never n_frames: it walks every frame of the file
            if i:
                try:
                    img.seek(i)
                except EOFError:
                    break
            # Each frame may have its own size (TIFF pages): bounded one by one and together.
            total += img.width * img.height
            if img.width * img.height > limits.MAX_PIXELS or total > limits.MAX_TOTAL_PIXELS:
                raise ParseError(source, f"image too large ({i + 1} frames, {total / 1e6:.0f} Mpx)")
            frames.append(img.convert("L"))
        return frames
    except ParseError:
        raise
    except Image.DecompressionBombError:
        raise ParseError(source, "image too large (decompression bomb)") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ParseError(source, "not a readable image (damaged or truncated)") from None


def parse_image(data: bytes, source: str) -> ParsedReport:
    return parse_pages(_open_image(data, source), source, "an image")


def parse_scanned_pdf(data: bytes, source: str, dpi: int = 200) -> ParsedReport:
    """A PDF without text layer: each page rendered by pdfium and read by OCR."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        raise ParseError(source, "not a readable PDF (damaged or truncated)") from None
    try:
        n = len(doc)
        if n > limits.MAX_OCR_PAGES:
            raise ParseError(source, f"scanned PDF of {n} pages: more than {limits.MAX_OCR_PAGES} pages are not OCR'd")
        images = []
        for i in range(n):
            page = doc[i]
            w, h = page.get_size()
            scale = min(dpi / 72, (limits.MAX_PIXELS / max(w * h, 1)) ** 0.5)
            images.append(page.render(scale=scale, grayscale=True).to_pil().convert("L"))
            page.close()
    finally:
        doc.close()
    try:
        return parse_pages(images, source, "a scanned PDF")
    except ParseError as e:
        if e.reason.endswith("OCR found no text"):
            # Kept as before OCR existed: an empty page is simply a PDF with nothing to read.
            raise ParseError(source, "PDF has no text layer (a scan?)") from None
        raise
