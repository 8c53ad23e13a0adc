"""A scanned page made ready for OCR, its ruled tables found and their cells cut out (OpenCV).

Real scans are grey, noisy, slightly rotated and stamped with a red seal; photos show the page
in perspective on a darker ground, whose four corners are mapped onto a rectangle first. The page is read in
its red channel (a red seal is as light as the paper there, black ink stays dark), the paper's
shading is divided out, the page is turned upright (the angle whose horizontal profile is the
sharpest: ruled tables and lines of text make it peak), and binarised. Rules are the long
straight runs of ink (a morphological opening with a long thin kernel); those that meet rules
of the other direction form the tables, and the slots between consecutive rules become a grid
in which a merged cell is one Cell. Each cell's ink is cut out inside its rules, line by line.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..htmlgrid import Cell

MAX_SKEW = 10.0  # degrees either way searched when turning a page upright (a page laid crooked on the glass)
# No table of a report has more (表四: 15 columns; 表三: 28 rows, a few more where wrapped).
MAX_COLUMNS = 24
MAX_ROWS = 60
MAX_SIDE = 3400  # pixels: larger pages are scaled down first


@dataclass
class Page:
    gray: np.ndarray  # upright, shading divided out, uint8 (paper ≈ 255)
    ink: np.ndarray  # bool: ink without specks of dust
    rules: np.ndarray  # bool: rule pixels
    char: float  # typical character height, pixels
    angle: float  # degrees the page was turned by


@dataclass
class Box:
    x0: float
    y0: float
    x1: float
    y1: float
    cell: Cell
    lines: list = field(default_factory=list)  # (y0, y1, x0, x1) of each line of ink inside


def ink_channel(img) -> np.ndarray:
    """The grey page a reader sees through red glass: a red seal vanishes, black ink stays."""
    arr = np.asarray(img)
    if arr.ndim == 3:
        return np.ascontiguousarray(arr[..., 0])
    return arr


def flatten(gray: np.ndarray) -> np.ndarray:
    """Paper shading divided out: the background, estimated as the local maximum over
    character-sized windows on a small copy, becomes 255."""
    import cv2

    h, w = gray.shape
    f = 8
    small = cv2.resize(gray, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA)
    bg = cv2.dilate(small, np.ones((7, 7), np.uint8))
    bg = cv2.medianBlur(bg, 5)
    bg = cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.divide(gray, np.maximum(bg, 1), scale=255)


def _threshold(gray: np.ndarray) -> int:
    import cv2

    t, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return int(min(t, 170))


def skew_angle(dark: np.ndarray) -> float:
    """The rotation (degrees, counter-clockwise) that makes rows of ink horizontal."""
    import cv2

    h, w = dark.shape
    f = max(1, int(max(h, w) / 900))
    small = cv2.resize(dark.astype(np.float32), (w // f, h // f), interpolation=cv2.INTER_AREA)
    centre = (small.shape[1] / 2, small.shape[0] / 2)

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rot = cv2.warpAffine(small, m, (small.shape[1], small.shape[0]), flags=cv2.INTER_LINEAR, borderValue=0)
        rows = rot.sum(axis=1)
        return float((rows.astype(np.float64) ** 2).sum())

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.25), key=sharpness)
    best = max(np.arange(best - 0.25, best + 0.25 + 1e-9, 0.05), key=sharpness)
    return float(best)


def _speckless(dark: np.ndarray) -> tuple[np.ndarray, float]:
    """Ink without isolated specks, and the typical height of a character."""
    import cv2

    n, labels, stats, _ = cv2.connectedComponentsWithStats(dark.astype(np.uint8), connectivity=8)
    hs = stats[1:, cv2.CC_STAT_HEIGHT]
    ws = stats[1:, cv2.CC_STAT_WIDTH]
    sized = hs[(hs >= 6) & (hs <= 120) & (ws <= 3 * hs)]
    char = float(np.percentile(sized, 80)) if sized.size else 20.0
    keep = np.zeros(n, dtype=bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= max(4, int(0.012 * char * char))
    return keep[labels], char


def page_corners(gray: np.ndarray) -> np.ndarray | None:
    """The four corners of a sheet of paper photographed on a darker ground (top left, top right,
    bottom right, bottom left), or None when the picture is the page itself (a scan) or no four
    corners stand out. The paper is the largest bright region of a small, blurred copy; its
    outline, simplified, must have four corners and cover from a fifth to all but a
    sliver of the picture."""
    import cv2

    h, w = gray.shape
    f = 600 / max(h, w)
    small = cv2.GaussianBlur(cv2.resize(gray, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA), (5, 5), 0)
    _, bright = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Text and rules are dark too: closed over, so the paper is one region.
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    hull = cv2.convexHull(max(contours, key=cv2.contourArea))
    area = cv2.contourArea(hull) / (small.shape[0] * small.shape[1])
    if not 0.2 <= area <= 0.93:
        return None
    quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
    if len(quad) != 4:
        return None
    pts = quad.reshape(4, 2).astype(np.float32) / f
    s, d = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    return np.float32([pts[s.argmin()], pts[d.argmin()], pts[s.argmax()], pts[d.argmax()]])


def flatten_perspective(gray: np.ndarray) -> np.ndarray:
    """A photographed page (see page_corners) mapped onto an upright rectangle; any other
    picture as it is."""
    import cv2

    corners = page_corners(gray)
    if corners is None:
        return gray
    tl, tr, br, bl = corners
    width = int(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = int(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    dst = np.float32([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]])
    m = cv2.getPerspectiveTransform(corners, dst)
    return cv2.warpPerspective(gray, m, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def prepare(img) -> Page:
    """The page upright, flattened and binarised, with its rules found."""
    import cv2

    gray = flatten_perspective(ink_channel(img))
    h, w = gray.shape
    if max(h, w) > MAX_SIDE:
        # A 300 dpi page read at 200 dpi: characters stay over 20 pixels high, the work shrinks.
        f = MAX_SIDE / max(h, w)
        gray = cv2.resize(gray, (int(w * f), int(h * f)), interpolation=cv2.INTER_AREA)
    gray = flatten(gray)
    dark = gray < _threshold(gray)
    angle = skew_angle(dark)
    if abs(angle) >= 0.05:
        h, w = gray.shape
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        gray = cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=255)
        dark = gray < _threshold(gray)
    ink, char = _speckless(dark)
    length = max(15, int(1.3 * char))
    d8 = ink.astype(np.uint8)
    hmask = cv2.morphologyEx(cv2.morphologyEx(d8, cv2.MORPH_CLOSE, np.ones((1, 5), np.uint8)),
                             cv2.MORPH_OPEN, np.ones((1, length), np.uint8)) > 0
    vmask = cv2.morphologyEx(cv2.morphologyEx(d8, cv2.MORPH_CLOSE, np.ones((5, 1), np.uint8)),
                             cv2.MORPH_OPEN, np.ones((length, 1), np.uint8)) > 0
    page = Page(gray, ink, hmask | vmask, char, angle)
    page.specks = dark & ~ink  # type: ignore[attr-defined]
    page.hmask, page.vmask, page.length = hmask, vmask, length  # type: ignore[attr-defined]
    return page


def text_runs_vertically(page: Page) -> bool:
    """Whether the page's lines of text run top to bottom (a page scanned sideways). Ink off
    the rules, smeared along a line by most of a character, joins the characters of each line of
    text into one blob; smeared across the lines instead, it joins far fewer (lines are farther
    apart than characters). Fewer blobs the other way means the lines run the other way (measured
    on the simulator's scans: 1.3–2.0 times fewer blobs smeared along the lines, either way up)."""
    import cv2

    text = (page.ink & ~page.rules).astype(np.uint8)
    k = max(2, int(page.char * 0.8))
    across = cv2.connectedComponents(cv2.morphologyEx(text, cv2.MORPH_CLOSE, np.ones((1, k), np.uint8)))[0]
    down = cv2.connectedComponents(cv2.morphologyEx(text, cv2.MORPH_CLOSE, np.ones((k, 1), np.uint8)))[0]
    return down < across


# Rules and cells -------------------------------------------------------------------------------
def _segments(mask, axis: int, min_len: int):
    """Rules as (position, start, end, band start, band end) from a mask of rule pixels: bands
    of adjacent rows (columns) form one rule of some thickness."""
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
        for run in np.split(xs, np.flatnonzero(np.diff(xs) > 4) + 1):
            if run[-1] - run[0] + 1 >= min_len:
                out.append(((band[0] + band[-1]) / 2, int(run[0]), int(run[-1]), int(band[0]), int(band[-1])))
    return out


def _cluster(values, tol: float = 6):
    out = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


def find_tables(page: Page) -> list[tuple[list[list[Cell]], list[Box]]]:
    """The ruled tables of a page, top to bottom: per table its grid of Cells (a merged cell is
    one Cell in every slot it covers) and each Cell's box."""
    hmask, vmask, min_len = page.hmask, page.vmask, page.length  # type: ignore[attr-defined]
    hs = _segments(hmask, 1, min_len)
    vs = _segments(vmask, 0, min_len)
    tol = max(4, int(page.char * 0.3))

    def meets(hseg, vseg):
        y, hx0, hx1 = hseg[0], hseg[1], hseg[2]
        x, vy0, vy1 = vseg[0], vseg[1], vseg[2]
        return hx0 - tol <= x <= hx1 + tol and vy0 - tol <= y <= vy1 + tol

    # Keep rules that meet at least two rules of the other direction: an underline, a dash in
    # a cell or a stroke of a character does not.
    for _ in range(2):
        hs = [a for a in hs if sum(meets(a, b) for b in vs) >= 2]
        vs = [b for b in vs if sum(meets(a, b) for a in hs) >= 2]
    # Only the rules of tables are rules: a long stroke of a heading is ink. Grown by two
    # pixels: the grey edges of a rule are not ink of the cell beside it.
    import cv2

    rules = np.zeros(hmask.shape, dtype=np.uint8)
    for _, x0, x1, b0, b1 in hs:
        rules[b0 : b1 + 1, x0 : x1 + 1] = hmask[b0 : b1 + 1, x0 : x1 + 1]
    for _, y0, y1, b0, b1 in vs:
        rules[y0 : y1 + 1, b0 : b1 + 1] |= vmask[y0 : y1 + 1, b0 : b1 + 1]
    page.rules = cv2.dilate(rules, np.ones((5, 5), np.uint8)) > 0
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
        ctol = max(6, page.char * 0.4)
        ys = _cluster([a[0] for a in hg], ctol)
        xs = _cluster([b[0] for b in vg], ctol)
        if len(ys) < 2 or len(xs) < 2:
            continue
        if len(xs) - 1 > MAX_COLUMNS or len(ys) - 1 > MAX_ROWS:
            continue  # strokes of characters taken for rules (a page scanned too coarsely): no table
        tables.append(_cells(ys, xs, hmask, vmask))
    tables.sort(key=lambda t: (t[1][0].y0, t[1][0].x0))
    return tables


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
        f0, f1 = int(fixed) - 4, int(fixed) + 5
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
    grid: list[list[Cell]] = []
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


# Lines of ink -----------------------------------------------------------------------------------
def _bands(rows_with_ink: np.ndarray, min_gap: int) -> list[tuple[int, int]]:
    idx = np.flatnonzero(rows_with_ink)
    if idx.size == 0:
        return []
    out = []
    for run in np.split(idx, np.flatnonzero(np.diff(idx) > min_gap) + 1):
        out.append((int(run[0]), int(run[-1]) + 1))
    return out


def cell_lines(page: Page, box: Box) -> list[tuple[int, int, int, int]]:
    """The lines of ink inside a cell's rules, as (y0, y1, x0, x1) in page coordinates."""
    inset = max(3, int(page.char * 0.25))
    y0, y1 = int(box.y0) + inset, int(box.y1) - inset
    x0, x1 = int(box.x0) + inset, int(box.x1) - inset
    if y1 <= y0 or x1 <= x0:
        return []
    ink = page.ink[y0:y1, x0:x1] & ~page.rules[y0:y1, x0:x1]
    return _lines_in(ink, page.char, y0, x0)


def _lines_in(ink: np.ndarray, char: float, oy: int, ox: int, split_gap: float | None = None):
    out = []
    min_h = max(3, int(char * 0.25))
    # Lines of text are a third of a character apart; a thin waist of a glyph is not a gap.
    for a, b in _bands(ink.any(axis=1), max(2, int(char * 0.25))):
        if b - a < min_h:
            continue
        cols = ink[a:b].any(axis=0)
        if split_gap is None:
            xs = np.flatnonzero(cols)
            out.append((oy + a, oy + b, ox + int(xs[0]), ox + int(xs[-1]) + 1))
        else:
            for c0, c1 in _bands(cols, int(split_gap)):
                if (c1 - c0) >= min_h:
                    out.append((oy + a, oy + b, ox + c0, ox + c1))
    return out


def text_lines(page: Page, boxes: list[Box]) -> list[tuple[int, int, int, int]]:
    """Lines of running text outside the tables (title, headings, narrative), top to bottom;
    a line broken by a wide gap is cut in two."""
    ink = page.ink & ~page.rules
    ink = ink.copy()
    for b in boxes:
        ink[max(int(b.y0) - 3, 0) : int(b.y1) + 4, max(int(b.x0) - 3, 0) : int(b.x1) + 4] = False
    return _lines_in(ink, page.char, 0, 0, split_gap=page.char * 3)


def crop(page: Page, line: tuple[int, int, int, int], within: tuple[int, int, int, int] | None = None,
         pad: float = 0.3) -> np.ndarray:
    """A line of ink with a margin of paper around it, the rules whitened. The margin is wide:
    the faint strokes of a blurred glyph (the thin arc and base of a serif 2) fall short of the
    ink threshold, and a crop cut at the dark ones alone shows another digit (a 7). ``within``
    (y0, y1, x0, x1) bounds it: the inside of its cell, between the lines above and below."""
    y0, y1, x0, x1 = line
    h, w = page.gray.shape
    m = max(2, int(page.char * pad))
    a, b, c, d = max(y0 - m, 0), min(y1 + m, h), max(x0 - m, 0), min(x1 + m, w)
    if within is not None:
        a, b, c, d = max(a, within[0]), min(b, within[1]), max(c, within[2]), min(d, within[3])
    out = page.gray[a:b, c:d].copy()
    out[page.rules[a:b, c:d] | page.specks[a:b, c:d]] = 255  # type: ignore[attr-defined]
    return out


def cell_crops(page: Page, box: Box) -> list[np.ndarray]:
    """Each line of a cell cut out, reaching halfway to the lines above and below it."""
    inset = max(3, int(page.char * 0.25))
    y0, y1, x0, x1 = int(box.y0) + inset, int(box.y1) - inset, int(box.x0) + inset, int(box.x1) - inset
    out = []
    for i, line in enumerate(box.lines):
        top = y0 if i == 0 else (box.lines[i - 1][1] + line[0]) // 2
        bottom = y1 if i == len(box.lines) - 1 else (line[1] + box.lines[i + 1][0]) // 2
        out.append(crop(page, line, (top, bottom, x0, x1)))
    return out


def widest_gap(page: Page, line: tuple[int, int, int, int]) -> int:
    """The widest run of paper between the ink of a line: two numbers side by side (a cell
    whose rule between two columns was not found) leave a gap no printed number has."""
    y0, y1, x0, x1 = line
    cols = (page.ink[y0:y1, x0:x1] & ~page.rules[y0:y1, x0:x1]).any(axis=0)
    xs = np.flatnonzero(cols)
    return int(np.diff(xs).max() - 1) if xs.size > 1 else 0
