"""Degradations of real scans and phone photos that the simulator's pictures do not show.

A random consistent report (tests/layouts.py's random_report: the truth) is drawn as the simulator
draws its pictures (crawler/simulator/documents.py: report_image, then scan_picture: grey paper, a
red seal, 1–3° of skew, blur, sensor noise), with one thing changed that real scans and photos
change, and saved as a JPG (or a scanned PDF of one JPEG per page). The reader's report is then
compared with the truth (tests/layouts.py's compare): each cell exact, wrong (read as another
number), unknown (listed, which flags the report) or silent (neither read nor listed).

Classes (CLASSES):
- rot90 / rot180 / rot270: a page fed into the scanner sideways or upside down;
- skew: 5–10° of skew (a page laid crooked on the glass);
- photo: a phone photo: perspective, a dark background around the page, light falling off to
  one side and a shadow across it;
- dpi100 / dpi72: scanned at 100 or 72 dpi;
- jpeg20: saved at JPEG quality 20;
- faint_rules: a photocopy's faint, broken ruling lines;
- no_rules: tables printed without any ruling lines;
- split_repeat / split_plain: a scanned PDF of two pages, 表三 broken across them at a row, its
  header repeated on the second page or not;
- salt_pepper: 2% of the pixels black or white;
- stain: two coffee stains over a few cells;
- bold: thick ink (a dark photocopy);
- booklet: an open booklet, two pages side by side on one picture.

`python tests/scan_fuzz.py [N] [class ...]` reads N reports per class (3 by default) and prints
per class: cells exact / wrong / unknown / silent, and whether every report with unknown cells
was flagged. tests/test_scan_fuzz.py holds a small subset to exact bars.
"""
from __future__ import annotations

import dataclasses
import io
import random
import sys
from datetime import date
from decimal import Decimal

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from crawler.simulator import documents as SD
from crawler.simulator.world import Organ, SimReport
from tests import layouts as L


# Reports -----------------------------------------------------------------------------------------
def sim_report(truth: L.Truth) -> SimReport:
    """The truth as a simulator report, which documents.py draws."""
    values = {t: {row: {c: Decimal(v.replace("元", "")) for c, v in cols.items()} for row, cols in rows.items()}
              for t, rows in truth.tables.items()}
    return SimReport(organ=Organ(truth.organ, "000000000000", "county", "x"), year=truth.year,
                     template=truth.template, title=L.title(truth), pub_date=date(truth.year + 1, 1, 20),
                     doc_id=1, values=values)


def scan_for(r: SimReport, rng: random.Random, **change) -> SD.Scan:
    """The simulator's scan of the report as a JPG, with some of its settings changed."""
    s = SD.scan_of(r, "jpeg")
    return dataclasses.replace(s, font=rng.choice(("sans", "serif", "kai")), **change)


def clean_page(r: SimReport, s: SD.Scan) -> Image.Image:
    return SD.report_image(r, s.size, s.font, ink=s.ink, rule=max(2, s.dpi // 100))


def rule_mask(page: Image.Image, s: SD.Scan) -> np.ndarray:
    """The ruling lines of a clean, upright page drawn by report_image: runs of ink longer than
    three characters (no stroke of a glyph is)."""
    import cv2

    dark = (np.asarray(page) < 128).astype(np.uint8)
    n = 3 * s.size
    h = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((1, n), np.uint8))
    v = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((n, 1), np.uint8))
    return (h | v) > 0


def jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def pdf(pages: list[Image.Image], s: SD.Scan) -> bytes:
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", resolution=s.dpi, quality=s.quality, save_all=True, append_images=pages[1:])
    return buf.getvalue()


def table_tops(r: SimReport, s: SD.Scan) -> list[tuple[int, int]]:
    """(top, bottom) of each table on report_image's page (its layout)."""
    parts = [SD.table_image(g, s.size, s.font) for g in SD.grids(r)]
    y = s.size * 2 + int(s.size * 3)
    out = []
    for p in parts:
        y += int(s.size * 2)
        out.append((y, y + p.height))
        y += p.height + int(s.size * 0.5)
    return out


def row_rules(page: Image.Image, s: SD.Scan, top: int, bottom: int) -> list[int]:
    """The y of each horizontal rule of the table between top and bottom."""
    mask = rule_mask(page, s)
    rows = np.flatnonzero(mask[top - 2 : bottom + 3].mean(axis=1) > 0.3) + top - 2
    return [int(g[0]) for g in np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1) if g.size]


# Classes -----------------------------------------------------------------------------------------
def _rotated(angle: int):
    def make(r, rng):
        s = scan_for(r, rng)
        img = SD.scan_picture(r, s, "jpeg").rotate(angle, expand=True)
        return "jpg", jpeg(img, s.quality)
    return make


def skew(r, rng):
    s = scan_for(r, rng, skew=round(rng.choice((-1, 1)) * rng.uniform(5, 10), 2))
    return "jpg", jpeg(SD.scan_picture(r, s, "jpeg"), s.quality)


def photo(r, rng):
    """A phone photo of the page on a desk: the page's corners moved inwards by up to 6% of its
    size, a dark wooden background around it, the light falling off across the page and a
    shadow (a hand or the phone) over one side."""
    import cv2

    s = scan_for(r, rng, dpi=200, skew=0.0)
    img = np.asarray(SD.scan_picture(r, s, "jpeg"), dtype=np.float32)
    h, w = img.shape[:2]
    pad = int(0.08 * max(h, w))
    H, W = h + 2 * pad, w + 2 * pad
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jitter = lambda: rng.uniform(0, 0.06)  # noqa: E731
    dst = np.float32([[pad + jitter() * w, pad + jitter() * h], [pad + w - jitter() * w, pad + jitter() * h],
                      [pad + w - jitter() * w, pad + h - jitter() * h], [pad + jitter() * w, pad + h - jitter() * h]])
    m = cv2.getPerspectiveTransform(src, dst)
    desk = np.array([rng.randint(45, 85), rng.randint(35, 65), rng.randint(20, 45)], dtype=np.float32)
    out = cv2.warpPerspective(img, m, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                              borderValue=desk.tolist())
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    a = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(a) * xx / W + np.sin(a) * yy / H)
    light = 1.0 - 0.3 * (ramp - ramp.min()) / (ramp.max() - ramp.min())
    # A soft shadow over one side of the page.
    edge = rng.uniform(0.15, 0.3) * W
    shadow = 1.0 - 0.25 / (1 + np.exp((xx - edge) / (0.03 * W)))
    out = out * (light * shadow)[..., None]
    return "jpg", jpeg(Image.fromarray(out.clip(0, 255).astype(np.uint8)), 85)


def _dpi(dpi: int):
    def make(r, rng):
        s = scan_for(r, rng, dpi=dpi)
        return "jpg", jpeg(SD.scan_picture(r, s, "jpeg"), s.quality)
    return make


def jpeg20(r, rng):
    s = scan_for(r, rng)
    return "jpg", jpeg(SD.scan_picture(r, s, "jpeg"), 20)


def faint_rules(r, rng):
    """A photocopy: the rules light grey, with gaps of up to two characters here and there."""
    s = scan_for(r, rng)
    page = clean_page(r, s)
    arr = np.asarray(page).copy()
    mask = rule_mask(page, s)
    arr[mask] = rng.randint(150, 185)
    gaps = np.zeros_like(mask)
    hits = np.argwhere(mask)
    for y, x in hits[np.random.default_rng(rng.randint(0, 2**31)).choice(len(hits), 120, replace=False)]:
        n = rng.randint(s.size // 2, 2 * s.size)
        gaps[max(y - 3, 0) : y + 4, max(x - n // 2, 0) : x + n // 2] = True
        gaps[max(y - n // 2, 0) : y + n // 2, max(x - 3, 0) : x + 4] = True
    arr[mask & gaps] = 255
    return "jpg", jpeg(SD.scan_picture(r, s, "jpeg", Image.fromarray(arr)), s.quality)


def no_rules(r, rng):
    s = scan_for(r, rng)
    page = clean_page(r, s)
    arr = np.asarray(page).copy()
    arr[rule_mask(page, s)] = 255
    return "jpg", jpeg(SD.scan_picture(r, s, "jpeg", Image.fromarray(arr)), s.quality)


def _split(repeat: bool):
    def make(r, rng):
        """Two pages: the first ends after some row of 表三, the second holds the rest (with 表三's
        header rows first when ``repeat``) and 表四."""
        s = scan_for(r, rng, skew=round(rng.choice((-1, 1)) * rng.uniform(0.5, 2), 2))
        page = clean_page(r, s)
        top, bottom = table_tops(r, s)[1]
        rules = row_rules(page, s, top, bottom)
        grid = SD.grids(r)[1]
        head = next(i for i, row in enumerate(grid) if any(c.text[:1].isdigit() for c in row))
        cut = rules[rng.randint(head + 3, len(rules) - 4)]
        margin = s.size * 2
        first = page.crop((0, 0, page.width, cut + 2))
        rest = page.crop((0, cut, page.width, page.height))
        parts = [rest]
        if repeat:
            parts.insert(0, page.crop((0, top - 1, page.width, rules[head] + 1)))
        height = margin + sum(p.height for p in parts) + margin
        second = Image.new("L", (page.width, height), 255)
        y = margin
        for p in parts:
            second.paste(p, (0, y))
            y += p.height - 2
        pages = [SD.scan_picture(r, dataclasses.replace(s, skew=-s.skew * i or s.skew), "jpeg", p)
                 for i, p in enumerate((first, second))]
        return "pdf", pdf(pages, s)
    return make


def salt_pepper(r, rng):
    s = scan_for(r, rng)
    arr = np.asarray(SD.scan_picture(r, s, "jpeg")).copy()
    g = np.random.default_rng(rng.randint(0, 2**31))
    u = g.random(arr.shape[:2])
    arr[u < 0.01] = 0
    arr[u > 0.99] = 255
    return "jpg", jpeg(Image.fromarray(arr), s.quality)


def stain(r, rng):
    """Two coffee stains, each over a few cells of 表三 or 表四: a brown translucent blot with a
    darker rim."""
    s = scan_for(r, rng)
    img = SD.scan_picture(r, s, "jpeg").convert("RGBA")
    tops = table_tops(r, s)
    for _ in range(2):
        top, bottom = tops[rng.choice((1, 2))]
        cx = rng.randint(s.size * 12, img.width - s.size * 4)
        cy = rng.randint(top, bottom)
        rad = int(s.size * rng.uniform(1.5, 3))
        layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
        d = ImageDraw.Draw(layer)
        d.ellipse([cx - rad, cy - int(rad * 0.8), cx + rad, cy + int(rad * 0.8)], fill=(120, 75, 30, 110),
                  outline=(90, 50, 20, 170), width=max(2, s.size // 8))
        img = Image.alpha_composite(img, layer.filter(ImageFilter.GaussianBlur(1.5)))
    return "jpg", jpeg(img, s.quality)


def bold(r, rng):
    s = scan_for(r, rng)
    page = clean_page(r, s).filter(ImageFilter.MinFilter(3 if s.dpi <= 150 else 5))
    return "jpg", jpeg(SD.scan_picture(r, s, "jpeg", page), s.quality)


def booklet(r, rng):
    """An open booklet on the glass: the page cut after 表二, the two halves side by side with a
    dark gutter between them."""
    s = scan_for(r, rng)
    page = clean_page(r, s)
    cut = table_tops(r, s)[0][1] + s.size
    left, right = page.crop((0, 0, page.width, cut)), page.crop((0, cut, page.width, page.height))
    gutter = s.size * 3
    both = Image.new("L", (2 * page.width + gutter, max(left.height, right.height) + 2 * s.size), 255)
    both.paste(left, (0, s.size))
    both.paste(right, (page.width + gutter, s.size))
    shade = np.asarray(both, dtype=np.float32)
    x = np.arange(both.width, dtype=np.float32)
    mid = page.width + gutter / 2
    shade = shade * (1 - 0.55 * np.exp(-(((x - mid) / (gutter * 0.6)) ** 2)))[None, :]
    return "jpg", jpeg(SD.scan_picture(r, s, "jpeg", Image.fromarray(shade.astype(np.uint8))), s.quality)


CLASSES = {
    "rot90": _rotated(90), "rot180": _rotated(180), "rot270": _rotated(270),
    "skew": skew, "photo": photo, "dpi100": _dpi(100), "dpi72": _dpi(72), "jpeg20": jpeg20,
    "faint_rules": faint_rules, "no_rules": no_rules, "split_repeat": _split(True), "split_plain": _split(False),
    "salt_pepper": salt_pepper, "stain": stain, "bold": bold, "booklet": booklet,
}


# Reading and scoring ----------------------------------------------------------------------------
@dataclasses.dataclass
class Score:
    exact: int = 0
    wrong: int = 0
    unknown: int = 0
    silent: int = 0
    failed: int = 0  # reports the reader refused with a ParseError (recorded as failed, never stored)
    reports: int = 0
    unflagged: int = 0  # reports with unknown or silent cells that are not flagged
    wrong_cells: list = dataclasses.field(default_factory=list)

    def add(self, other: "Score") -> None:
        for f in ("exact", "wrong", "unknown", "silent", "failed", "reports", "unflagged"):
            setattr(self, f, getattr(self, f) + getattr(other, f))
        self.wrong_cells += other.wrong_cells


def make(name: str, seed: int):
    """(truth, kind, bytes) of report ``seed`` of class ``name``."""
    rng = random.Random(f"{name}|{seed}")
    truth = L.random_report(rng)
    kind, data = CLASSES[name](sim_report(truth), rng)
    return truth, kind, data


HANG = 200  # seconds a report may take to read before it counts as failed (pages take 4–20 s)


def score(name: str, seed: int) -> Score:
    from archive.errors import ParseError
    from archive.parse import parse_bytes

    truth, kind, data = make(name, seed)
    n = sum(1 for _ in truth.cells())
    import signal

    def hung(*_):
        raise TimeoutError

    # A reading that hangs (a regular expression backtracking on OCR's text) is a failure too.
    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(HANG)
    try:
        report = parse_bytes(data, f"{name}-{seed}.{kind}")
    except (ParseError, TimeoutError):
        return Score(failed=1, reports=1, unknown=n)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    exact, wrong, unknown = L.compare(report, truth, set())
    silent = [k for k in wrong if " " not in k and report.tables.get(k.split(".")[0], {}).get(k.split(".")[1], {})
              .get(k.split(".")[2]) is None]
    wrong = [k for k in wrong if k not in silent]
    return Score(len(exact), len(wrong), len(unknown), len(silent), 0, 1,
                 int(bool(unknown or silent) and not report.flagged), [f"{seed}:{k}" for k in wrong])


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv and argv[0].isdigit() else 3
    names = [a for a in argv if not a.isdigit()] or list(CLASSES)
    total = Score()
    print(f"{'class':<13} {'exact':>6} {'wrong':>6} {'unknown':>8} {'silent':>7} {'failed':>7}  flagged")
    for name in names:
        s = Score()
        for seed in range(n):
            s.add(score(name, seed))
        total.add(s)
        flag = "all" if not s.unflagged else f"{s.unflagged} of {s.reports} with unknowns not flagged"
        print(f"{name:<13} {s.exact:>6} {s.wrong:>6} {s.unknown:>8} {s.silent:>7} {s.failed:>7}  {flag}"
              + (f"  wrong: {', '.join(s.wrong_cells[:6])}" if s.wrong_cells else ""), flush=True)
    print(f"{'total':<13} {total.exact:>6} {total.wrong:>6} {total.unknown:>8} {total.silent:>7} {total.failed:>7}  "
          f"{total.reports} reports, {total.unflagged} with unknowns not flagged")


if __name__ == "__main__":
    main(sys.argv[1:])
