"""Pictures of reports (PNG/JPG attachments, scanned PDFs) read by two OCR engines, cell by cell.

The page is turned the right way up (sideways when its lines of text run down the page,
upside down when RapidOCR reads its lines better turned half round) and its ruled tables found
(tablegrid: OpenCV); each cell's lines of
ink are cut out inside its rules and read by RapidOCR (PP-OCR recognition; its models ship in
the wheel). Label cells keep RapidOCR's text, and the grids are mapped by their labels like any
other reader's grids. Every value cell is read a second time by Tesseract (digits only), an
independent engine: a number is kept when both read the same number, or when one read it with
confidence and an accounting identity (A1–A4), all of whose other cells are known, balances
with exactly that number (archive/confirm.py, the mapping side: this reader yields a Document
whose value cells carry both readings). Anything else is unknown, never guessed, and the report
carries source_format "ocr" and a warning saying how many cells were read how. A page whose
characters are under COARSE_CHAR pixels keeps none of its numbers. Running text
(title, headings) is RapidOCR's; a number in it is kept only where Tesseract (chi_sim) reads it
too.
"""
from __future__ import annotations

import io
import os
import re
import shutil
from dataclasses import dataclass

from ..document import Document
from ..errors import ParseError
from ..htmlgrid import Grid
from . import limits

UNREADABLE = "\ufffd"  # a doubted digit in running text: the stream reader cannot read it as a number
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


# RapidOCR ---------------------------------------------------------------------------------------
_RAPID = None
COARSE_CHAR = 14  # pixels: a page whose characters are smaller is read, but none of its numbers kept
RAPID_CONFIDENT = 0.9  # RapidOCR's line score (mean character probability) that makes a reading a candidate
TESS_CONFIDENT = 80.0


def rapid():
    """RapidOCR's recogniser (PP-OCR, its models ship in the wheel: nothing is downloaded), used
    without its detector (the cells and lines are cut out here) and without its text-direction
    classifier, which turns single digits upside down (6 ↔ 9)."""
    global _RAPID
    if _RAPID is None:
        try:
            from rapidocr import RapidOCR
        except ImportError:
            raise ParseError("RapidOCR", "not installed (pyproject.toml: rapidocr, onnxruntime)") from None
        _RAPID = RapidOCR(params={
            "Global.use_det": False, "Global.use_cls": False, "Global.log_level": "error",
            "Rec.rec_batch_num": 1,
            # Crops are as wide as their text: no padding to the default 320 pixels.
            "Rec.rec_img_shape": [3, 48, 48],
            # One thread: the reader process runs beside the crawl on a small machine.
            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        })
    return _RAPID


def recognise(crops: list) -> list[tuple[str, float]]:
    """Each crop (one line of text, grey) read by RapidOCR: (text, score), full-width forms
    folded (NFKC), so that ０-９ read as 0-9."""
    import unicodedata

    import cv2

    if not crops:
        return []
    eng = rapid()
    imgs = [cv2.cvtColor(c, cv2.COLOR_GRAY2BGR) for c in crops]
    res = eng.recognize_txt(imgs)
    return [(unicodedata.normalize("NFKC", t or ""), float(s)) for t, s in zip(res.txts, res.scores)]


# Tesseract over cut-out cells ------------------------------------------------------------------
TESS_HEIGHT = 36  # pixels a line of digits is scaled to for Tesseract


def tesseract_lines(crops: list, source: str, timeout: float | None, lang: str = "eng",
                    whitelist: str | None = "0123456789.-/") -> list[list[Char]]:
    """The crops stacked one under the other with wide gaps, scaled to one height, read in one
    Tesseract run; each line's characters go back to the crop they were cut from."""
    import cv2
    import numpy as np
    from PIL import Image

    if not crops:
        return []
    scaled = []
    for c in crops:
        f = TESS_HEIGHT / max(c.shape[0], 1)
        scaled.append(cv2.resize(c, (max(1, int(c.shape[1] * f)), TESS_HEIGHT), interpolation=cv2.INTER_CUBIC))
    gap = TESS_HEIGHT
    width = max(c.shape[1] for c in scaled) + 40
    canvas = np.full((len(scaled) * (TESS_HEIGHT + gap) + gap, width), 255, dtype=np.uint8)
    bands = []
    for i, c in enumerate(scaled):
        top = gap + i * (TESS_HEIGHT + gap)
        canvas[top : top + TESS_HEIGHT, 20 : 20 + c.shape[1]] = c
        bands.append((top, top + TESS_HEIGHT))
    buf = io.BytesIO()
    Image.fromarray(canvas).save(buf, "PNG")
    out: list[list[Char]] = [[] for _ in crops]
    for ch in ocr_chars(buf.getvalue(), source, timeout, lang=lang, whitelist=whitelist):
        i = int((ch.cy - gap / 2) // (TESS_HEIGHT + gap))
        if 0 <= i < len(out) and bands[i][0] - gap / 2 <= ch.cy <= bands[i][1] + gap / 2:
            out[i].append(ch)
    return out


# Readings of one cell ---------------------------------------------------------------------------
_MARKS = "“”\"'‘’。，,、`：:；;|_~"
_CJK = re.compile(r"[\u3400-\u9fff]")


def _clean_number(text: str) -> str:
    """A reading of a value cell without spaces and stray marks at its ends (an engine writes
    quotes or stops into the paper left by an erased rule). Digits are never added or changed."""
    return text.replace(" ", "").strip(_MARKS)


def _number(text: str):
    from ..labels import read_value

    v = read_value(text)
    return (v.status, v.number) if v.status in ("number", "dash") else None


def _tess_text(chars: list[Char]) -> tuple[str, float]:
    return _clean_number("".join(c.text for c in chars)), min((c.conf for c in chars), default=0.0)


@dataclass
class Reading:
    """What the two engines read in one value cell: RapidOCR, Tesseract's English model and,
    where those differ, its Chinese one (both restricted to digits)."""

    rapid: str
    score: float
    tess: str
    tess_conf: float
    tess2: str = ""
    tess2_conf: float = 0.0
    coarse: bool = False  # read on a page scanned too coarsely to trust any reading (COARSE_CHAR)

    @property
    def agreed(self) -> str | None:
        if self.coarse:
            return None
        a = _number(self.rapid)
        if a is not None and (a == _number(self.tess) or a == _number(self.tess2)):
            return self.rapid
        return None

    def candidates(self) -> list:
        """Numbers one engine alone read with confidence: kept only if an identity confirms one."""
        out = []
        if self.coarse:
            return out
        if self.score >= RAPID_CONFIDENT and _number(self.rapid):
            out.append(self.rapid)
        for text, conf in ((self.tess, self.tess_conf), (self.tess2, self.tess2_conf)):
            if text and conf >= TESS_CONFIDENT and _number(text) and text not in out:
                out.append(text)
        return out


# Reading a page --------------------------------------------------------------------------------
@dataclass
class PageReading:
    grids: list[Grid]
    outside: list[str]  # lines of running text
    boxes: list  # tablegrid.Box of every table cell
    readings: dict  # id(Cell) -> Reading, for the value cells


ORIENTATION_LINES = 8  # lines of text read both ways up to tell which way up a page is


def _upside_down(page) -> bool:
    """Whether RapidOCR reads the page's widest lines of text better turned half round: it reads
    text upside down as marks it is unsure of."""
    import numpy as np

    from . import tablegrid as tg

    lines = [ln for ln in tg.text_lines(page, [])
             if ln[3] - ln[2] >= 3 * page.char and ln[1] - ln[0] <= 1.8 * page.char]
    lines = sorted(lines, key=lambda ln: ln[2] - ln[3])[:ORIENTATION_LINES]
    if not lines:
        return False
    # Eight characters of each are enough to tell, and keep the work small.
    crops = [tg.crop(page, (y0, y1, x0, min(x1, x0 + int(8 * page.char)))) for y0, y1, x0, x1 in lines]
    read = recognise(crops + [np.ascontiguousarray(np.rot90(c, 2)) for c in crops])
    up = sum(sc for _, sc in read[: len(crops)])
    down = sum(sc for _, sc in read[len(crops):])
    return down > up


def upright(img):
    """The page prepared (tablegrid.prepare) the right way up: a page scanned sideways (its
    lines of text run down the page) is turned a quarter, one upside down half round."""
    from . import tablegrid as tg

    page = tg.prepare(img)
    if tg.text_runs_vertically(page):
        img = img.rotate(90, expand=True)
        page = tg.prepare(img)
    if _upside_down(page):
        page = tg.prepare(img.rotate(180))
    return page


def read_page(img, source: str, timeout: float | None = None) -> PageReading:
    from . import tablegrid as tg

    page = upright(img)
    tables = tg.find_tables(page)
    boxes = [b for _, bs in tables for b in bs]
    for b in boxes:
        b.lines = tg.cell_lines(page, b)
    outside_lines = tg.text_lines(page, boxes)
    # One RapidOCR pass over every line of every cell and of the running text.
    crops, owner, first = [], [], {}
    for b in boxes:
        for n, piece in enumerate(tg.cell_crops(page, b)):
            if n == 0:
                first[id(b.cell)] = piece
            crops.append(piece)
            owner.append(b)
    outside_crops = [tg.crop(page, line) for line in outside_lines]
    read = recognise(crops + outside_crops)
    cell_reads, outside_reads = read[: len(crops)], read[len(crops):]
    texts: dict[int, list[tuple[str, float]]] = {}
    for b, r in zip(owner, cell_reads):
        texts.setdefault(id(b.cell), []).append(r)
    values, stacked = [], []
    for b in boxes:
        got = texts.get(id(b.cell), [])
        text = "".join(t for t, _ in got)
        if not b.lines:
            b.cell.text = ""
        elif _CJK.search(text) or re.search(r"[A-Za-z]{2,}", text):
            b.cell.text = _no_rules(text).replace(" ", "")
        elif len(b.lines) == 1:
            values.append(b)
        else:
            # Lines of digits one above the other: no value cell prints that (a rule between
            # two rows was not found, or a seal left marks); none of it is read.
            stacked.append(b)
    # The value cells read again by Tesseract, digits only: a second, independent reading.
    value_crops = [first[id(b.cell)] for b in values]
    tess = tesseract_lines(value_crops, source, timeout)
    readings = {}
    for b, chars in zip(values, tess):
        (rtext, score), = texts[id(b.cell)]
        if tg.widest_gap(page, b.lines[0]) > page.char:
            rtext, score, chars = "", 0.0, []  # two things printed in one cell: none is read
        readings[id(b.cell)] = Reading(_clean_number(rtext), score, *_tess_text(chars))
    for b in stacked:
        readings[id(b.cell)] = Reading("", 0.0, "", 0.0)
    if page.char < COARSE_CHAR:
        # Characters this small (a page under ~120 dpi) lose a minus sign or a stroke in both
        # engines alike (measured: -12 read 12 by both at 100 dpi), or a whole digit (an 8 read as
        # an empty cell): no reading stands, not even of an empty cell.
        for b in boxes:
            if not b.lines:
                readings[id(b.cell)] = Reading("", 0.0, "", 0.0)
        for r in readings.values():
            r.coarse = True
    # Where the two differ, Tesseract's Chinese model reads the cell too (restricted to digits
    # it knows those of 楷体 fonts, whose 9 its English model takes for a q).
    again = [i for i, b in enumerate(values) if readings[id(b.cell)].agreed is None] if page.char >= COARSE_CHAR else []
    for i, chars in zip(again, tesseract_lines([value_crops[i] for i in again], source, timeout, lang=LANG)):
        r = readings[id(values[i].cell)]
        r.tess2, r.tess2_conf = _tess_text(chars)
    outside = _checked_lines(page, outside_lines, outside_crops, outside_reads, source, timeout)
    return PageReading([g for g, _ in tables], outside, boxes, readings)


_NUMBERS = re.compile(r"\d+(?:\.\d+)?")


def _no_rules(text: str) -> str:
    """Words without the bars RapidOCR reads into them where a stub of a rule is left in a crop:
    no report prints a bar in its labels or prose (a value cell's bar may be a 1: never dropped)."""
    return text.replace("|", "")


def _checked_lines(page, lines, crops, reads, source, timeout) -> list[str]:
    """Running text as RapidOCR read it; a line's numbers are kept only when Tesseract (chi_sim)
    reads the same numbers in it, otherwise its digits become marks no reader takes for a number."""
    if not lines:
        return []
    numbered = [i for i, (t, _) in enumerate(reads) if _NUMBERS.search(t)]
    second = tesseract_lines([crops[i] for i in numbered], source, timeout, lang=LANG, whitelist=None)
    out = [_no_rules(t) for t, _ in reads]
    import unicodedata

    for i, chars in zip(numbered, second):
        theirs = unicodedata.normalize("NFKC", "".join(c.text for c in chars))
        if _NUMBERS.findall(out[i]) != _NUMBERS.findall(theirs):
            out[i] = re.sub(r"\d", UNREADABLE, out[i])
    return out


# Documents ------------------------------------------------------------------------------------------
def read_pages(images, source: str, what: str) -> Document:
    """The pages' tables and running text, each value cell with what the two engines read in it
    (Document.doubted): archive/confirm.py decides which numbers stand."""
    pages = [read_page(img, source) for img in images]
    grids = [g for p in pages for g in p.grids]
    outside = "\n".join(line for p in pages for line in p.outside)
    readings = {}
    for p in pages:
        readings.update(p.readings)
    if not outside.strip() and not any(b.cell.text or id(b.cell) in readings for p in pages for b in p.boxes):
        raise ParseError(source, f"{what}: OCR found no text")
    doubted = [(b.cell, readings[id(b.cell)]) for p in pages for b in p.boxes if id(b.cell) in readings]
    return Document("ocr", grids=grids, text=outside, doubted=doubted, read_by=f"OCR (RapidOCR and Tesseract) from {what}")


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
            # In colour: a red seal is read through the red channel, where it fades to paper.
            frames.append(img.convert("RGB") if img.mode not in ("L", "1", "I;16", "I") else img.convert("L"))
        return frames
    except ParseError:
        raise
    except Image.DecompressionBombError:
        raise ParseError(source, "image too large (decompression bomb)") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ParseError(source, "not a readable image (damaged or truncated)") from None


def read_image(data: bytes, source: str) -> Document:
    return read_pages(_open_image(data, source), source, "an image")


def read_scanned_pdf(data: bytes, source: str, dpi: int = 200) -> Document:
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
            images.append(page.render(scale=scale).to_pil().convert("RGB"))
            page.close()
    finally:
        doc.close()
    try:
        return read_pages(images, source, "a scanned PDF")
    except ParseError as e:
        if e.reason.endswith("OCR found no text"):
            # Kept as before OCR existed: an empty page is simply a PDF with nothing to read.
            raise ParseError(source, "PDF has no text layer (a scan?)") from None
        raise
