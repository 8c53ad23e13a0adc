"""Reports published only as attachments (「详见附件」), in every format and the ways real portals
link them (portal-styles.md):

- TRS: files beside the article, `./P0YYYYMMDD….docx` with `appendix="true" needdownload="true"`,
  and image-only reports as `<img src="./W0YYYYMMDD….png">` in the article body;
- LonSun: FastDFS paths `/group6/M00/00/3A/rBAAB….wps`;
- Hanweb: `/module/download/downfile.jsp?classid=0&showname=<real name>&filename=<32hex>.<ext>`
  answering a 302 to `/attach/0/<hex>.<ext>` on another host (object storage: another port).

Each report's file is made from its ground-truth values with the real tools
(crawler/simulator/documents.py: python-docx, openpyxl, Pillow, LibreOffice, reportlab), and the
truth says what a correct crawl makes of it: every cell exact, OCR (every cell exact or unknown,
never wrong), or a failure with its recorded status and reason. Some files are served under a
misleading extension or Content-Type, so that only their bytes tell what they are.

Making the files takes LibreOffice seconds; they are made once per machine (a cache on disk,
keyed by what goes into them) and once per process in memory, before the portals answer.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import tempfile
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html import escape
from pathlib import Path

from .common import Reply
from .model import Gen, Organ, archived, column, has_file, make_portal  # noqa: F401
from .reports import body_of

log = logging.getLogger(__name__)

GENERATOR_VERSION = "7"  # bump when a file's making changes, to leave the disk cache behind
OVERSIZED = 80 * 2**20  # announced by the oversized file: more than the crawler's 64 MiB limit
BOMB_UNPACKED = 300 * 2**20  # what the zip bomb's one member inflates to

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CTYPES = {"pdf": "application/pdf", "docx": DOCX, "doc": "application/msword", "wps": "application/kswps",
          "xlsx": XLSX, "xls": "application/vnd.ms-excel", "png": "image/png", "jpg": "image/jpeg"}


@dataclass(frozen=True)
class Attachment:
    kind: str  # what the file is (see MAKERS)
    ext: str  # the extension its URL and link show, which may lie
    expect: str  # "exact", "ocr" or "failed"
    source_format: str | None = None  # what the parser says it read (reports.source_format)
    status: str | None = None  # for "failed": the status recorded in portal_events.kind
    reason: str | None = None  # for "failed": the reason recorded (the start of it for too_large)
    ctype: str | None = None  # Content-Type served; None: the one of `ext`
    link: str = "title"  # link text: "title" (the report's title and ext), or the text itself
    also_html: bool = False  # the article prints the report too: one report, two sources

    @property
    def content_type(self) -> str:
        return self.ctype or CTYPES[self.ext]


def exact(kind, ext=None, fmt=None, **kw) -> Attachment:
    return Attachment(kind, ext or kind, "exact", fmt or {"wps": "doc", "rlpdf": "pdf"}.get(kind, kind), **kw)


def ocr(kind, ext) -> Attachment:
    return Attachment(kind, ext, "ocr", "ocr")


def failed(kind, ext, status, reason, **kw) -> Attachment:
    return Attachment(kind, ext, "failed", None, status, reason, **kw)


DAMAGED_ZIP = "not a readable ZIP container (damaged or truncated)"
DAMAGED_PDF = "not a readable PDF (damaged or truncated)"
LOCKED_OFFICE = "password-protected (encrypted Office document)"
LOCKED_PDF = "password-protected PDF"
BOMB = f"zip bomb refused: unpacks to {BOMB_UNPACKED // 2**20} MiB (limit 256 MiB)"
TOO_LARGE = "too large"

# Per portal style: (organ index, year, attachment). Organ 0 is the county, 1 a department.
CASES = {
    "trs": [
        (0, 2024, exact("docx")),
        (0, 2023, exact("doc")),
        (0, 2022, exact("xlsx")),
        (0, 2021, ocr("png", "png")),  # an image-only report: <img> in the article body
        (1, 2024, exact("docx", "pdf", ctype="application/octet-stream")),  # a DOCX under .pdf
        (1, 2023, exact("docx", also_html=True)),
        (1, 2022, failed("corrupt-docx", "docx", "corrupt", DAMAGED_ZIP, link="附件1.docx")),
    ],
    "lonsun": [
        (0, 2024, exact("wps")),
        (0, 2020, exact("xls")),
        (0, 2022, ocr("jpg", "jpg")),
        (0, 2021, failed("encrypted-docx", "docx", "encrypted", LOCKED_OFFICE)),
        (1, 2024, failed("encrypted-xlsx", "xlsx", "encrypted", LOCKED_OFFICE)),
        (1, 2023, failed("bomb", "docx", "zip_bomb", BOMB)),
        (1, 2022, exact("xlsx", "xls")),  # an XLSX under .xls, served as application/vnd.ms-excel
    ],
    "hanweb": [
        (0, 2024, exact("pdf")),
        (0, 2023, ocr("scan", "pdf")),  # a scan: pictures in a PDF, no text layer
        (0, 2022, failed("encrypted-pdf", "pdf", "encrypted", LOCKED_PDF)),
        (0, 2021, failed("oversized", "pdf", "too_large", TOO_LARGE)),
        (1, 2024, failed("corrupt-pdf", "pdf", "corrupt", DAMAGED_PDF)),
        (1, 2020, exact("rlpdf", "doc")),  # a PDF under .doc, served as application/msword
        (1, 2022, exact("docx", link="下载")),  # only showname names the file
    ],
}


# Making the files ----------------------------------------------------------------------------
def _docx(r) -> bytes:
    from .documents import docx_bytes

    return docx_bytes(r)


def _xlsx(r) -> bytes:
    from .documents import xlsx_bytes

    return xlsx_bytes(r)


def _office(r, base, suffix, target) -> bytes:
    from .documents import soffice_convert

    return soffice_convert(base(r), suffix, target)


def _image(r, fmt) -> bytes:
    from .documents import image_bytes

    return image_bytes(r, fmt)


def _scan(r) -> bytes:
    from .documents import scan_pdf_bytes

    return scan_pdf_bytes(r)


def _rlpdf(r, encrypt=None) -> bytes:
    from .pdf import render_pdf

    return render_pdf(r, encrypt=encrypt)


def _encrypted_ooxml(data: bytes) -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt("xxgk-secret", out)
    return out.getvalue()


def _encrypted_pdf(r) -> bytes:
    from reportlab.lib import pdfencrypt

    return _rlpdf(r, pdfencrypt.StandardEncryption("xxgk-secret", ownerPassword="xxgk-owner"))


def _bomb(r) -> bytes:
    """A DOCX-looking ZIP whose document.xml inflates to BOMB_UNPACKED bytes of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                                          'package/2006/content-types"/>')
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            chunk = bytes(2**20)
            for _ in range(BOMB_UNPACKED // 2**20):
                f.write(chunk)
    return out.getvalue()


MAKERS = {
    "docx": _docx,
    "xlsx": _xlsx,
    "doc": lambda r: _office(r, _docx, ".docx", "doc"),
    # WPS Office writes its .wps in the Word 97 binary format, which LibreOffice writes too.
    "wps": lambda r: _office(r, _docx, ".docx", "doc:MS Word 97"),
    "pdf": lambda r: _office(r, _docx, ".docx", "pdf"),
    "xls": lambda r: _office(r, _xlsx, ".xlsx", "xls"),
    "png": lambda r: _image(r, "PNG"),
    "jpg": lambda r: _image(r, "JPEG"),
    "scan": _scan,
    "rlpdf": _rlpdf,
    "corrupt-docx": lambda r: _docx(r)[:3000],
    "corrupt-pdf": lambda r: _rlpdf(r)[:3000],
    "encrypted-docx": lambda r: _encrypted_ooxml(_docx(r)),
    "encrypted-xlsx": lambda r: _encrypted_ooxml(_xlsx(r)),
    "encrypted-pdf": _encrypted_pdf,
    "bomb": _bomb,
}

_memory: dict[str, bytes] = {}
_lock = threading.Lock()


def cache_dir() -> Path:
    return Path(os.environ.get("XXGK_SIMULATOR_CACHE") or Path(tempfile.gettempdir()) / "xxgk-simulator-files")


def _key(item) -> str:
    """What goes into the file: its kind, the report's title, organ, year and every value."""
    what = {"v": GENERATOR_VERSION, "kind": item.file.kind, "title": item.title, "organ": item.organ.name,
            "year": item.year, "template": item.template, "pub": item.pub_date.isoformat(), "doc": item.doc_id,
            "values": {t: {r: {c: str(v) for c, v in cols.items()} for r, cols in rows.items()}
                       for t, rows in item.values.items()}}
    return hashlib.sha256(json.dumps(what, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]


def file_bytes(item) -> bytes:
    """The attachment's bytes: from memory, from the disk cache, or made now (and cached)."""
    key = _key(item)
    if key in _memory:
        return _memory[key]
    path = cache_dir() / f"{key}.{item.file.kind}"
    try:
        data = path.read_bytes()
    except OSError:
        data = MAKERS[item.file.kind](item)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_bytes(data)
            tmp.replace(path)  # atomic: a parallel simulator never reads half a file
        except OSError as e:
            log.warning("simulator file cache %s not writable: %s", path.parent, e)
    with _lock:
        _memory[key] = data
    return data


def prepare(portals) -> None:
    """Make every attachment before the portals answer: a crawler waits at most a few seconds
    for an answer, less than one LibreOffice conversion takes."""
    missing = [i for p in portals for i in files(p).values() if i.file.kind != "oversized" and _key(i) not in _memory]
    if missing:
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(file_bytes, missing))


# Serving ---------------------------------------------------------------------------------------
def _hex(item) -> str:
    return hashlib.md5(f"attach/{item.doc_id}".encode()).hexdigest()


def file_path(portal, col, item) -> str:
    """Where the file is stored (for Hanweb: on the file host, reached through downfile.jsp)."""
    a, d = item.file, item.pub_date
    if portal.style == "trs":
        stem = f"W0{d:%Y%m%d}{item.doc_id:07d}" if a.kind in ("png", "jpg") else f"P0{d:%Y%m%d}{item.doc_id:07d}{_hex(item)[:5]}"
        return f"{col.key}{item.month_dir}/{stem}.{a.ext}"
    if portal.style == "lonsun":
        h = _hex(item)
        return f"/group6/M00/00/{item.doc_id % 256:02X}/rBAAB{h[:6]}AAAAA{h[6:22]}.{a.ext}"
    return f"/attach/0/{_hex(item)}.{a.ext}"


def link_path(portal, col, item) -> str:
    """What the article links to."""
    if portal.style == "hanweb":
        show = f"{item.title}.{item.file.ext}"
        return (f"/module/download/downfile.jsp?classid=0&showname={show}"
                f"&filename={_hex(item)}.{item.file.ext}")
    return file_path(portal, col, item)


def files(portal) -> dict[str, object]:
    """path → report, for the portal's attachments."""
    if "files" not in portal.extra:
        portal.extra["files"] = {file_path(portal, c, i): i for c in portal.columns for i in c.items if has_file(i)}
    return portal.extra["files"]


def file_base(portal) -> str:
    return portal.extra.get("file_base", "")


def article_body(portal, col, item) -> str:
    """The article's body: a line saying the report is attached and the link (or the picture),
    after the whole report when the page prints it too."""
    a = item.file
    href = link_path(portal, col, item)
    if portal.style == "trs":
        href = "./" + href.rsplit("/", 1)[1]
    text = f"{item.title}.{a.ext}" if a.link == "title" else a.link
    lead = body_of(item) if a.also_html else f"<p>{escape(item.title)}详见附件。</p>"
    if portal.style == "trs" and a.kind in ("png", "jpg"):
        return f'{lead}<p style="text-align:center"><img src="{escape(href)}" OLDSRC="{escape(href[2:])}" border="0"></p>'
    if portal.style == "trs":
        anchor = (f'<a href="{escape(href)}" appendix="true" needdownload="true" OLDSRC="{escape(href[2:])}">'
                  f"{escape(text)}</a>")
    else:
        anchor = f'<a href="{escape(href)}" target="_blank">{escape(text)}</a>'
    return f'{lead}<div class="appendix"><p>附件：{anchor}</p></div>'


def route(portal, req) -> Reply | None:
    """The portal's own answer for a downfile.jsp link or a stored file; None if not one."""
    if portal.style == "hanweb" and req.path == "/module/download/downfile.jsp":
        name = req.query.get("filename", "")
        for path, item in files(portal).items():
            if path == f"/attach/0/{name}":
                return Reply(302, "", headers=[("Location", file_base(portal) + path)])
        return None
    if portal.style == "hanweb" and file_base(portal):
        return None  # files live on the file host only
    return serve_file(portal, req)


def serve_file(portal, req) -> Reply | None:
    item = files(portal).get(req.path)
    if item is None:
        return None
    a = item.file
    if a.kind == "oversized":
        return Reply(200, Streamed(OVERSIZED, b"%PDF-1.7\n"), a.content_type)
    return Reply(200, file_bytes(item), a.content_type)


@dataclass
class Streamed:
    """A body of `size` bytes (`head`, then zeros) written as it is sent, never held whole."""

    size: int
    head: bytes


# Ground truth ----------------------------------------------------------------------------------
def truth(item) -> dict | None:
    if not has_file(item):
        return None
    a = item.file
    return {"kind": a.kind, "ext": a.ext, "content_type": a.content_type, "expect": a.expect,
            "source_format": a.source_format, "status": a.status, "reason": a.reason, "also_html": a.also_html}


def sources(portal, col, item) -> list[str]:
    """Paths (or, on a file host, URLs) a correct crawl archives the report from."""
    if not has_file(item):
        return []
    stored = file_path(portal, col, item)
    if portal.style == "hanweb":
        stored = file_base(portal) + stored
    return ([f"{col.key}{item.month_dir}/{item.article_name}"] if item.file.also_html else []) + [stored]


# The portals -----------------------------------------------------------------------------------
def build(seed: int) -> list:
    """One attachment portal per linking style: TRS, LonSun, Hanweb (files on another host)."""

    specs = [
        ("tingxi", "汀溪县人民政府", "361130", "trs", "trs", "汀溪县教育局", "jyj"),
        ("tongxi", "桐溪县人民政府", "341830", "lonsun", "lonsun", "桐溪县卫生健康委员会", "wjw"),
        ("fengxi", "枫溪县人民政府", "330930", "hanweb", "hanweb", "枫溪县财政局", "czj"),
    ]
    keys = {"trs": lambda i: "/zwgk/zfxxgk/zfxxgknb/" if i == 0 else f"/bmxxgk/b{i}/zfxxgknb/",
            "lonsun": lambda i: f"{5120 + i}", "hanweb": lambda i: f"{1229400100 + i}"}
    portals = []
    for key, name, code, platform, style, dept, slug in specs:
        g = Gen(seed, f"attach-{key}")
        county = Organ(name, code + "000000", "county", key[:2])
        organs = [county, Organ(dept, f"{code}000000-{slug}", "department", slug, name)]
        by_organ: dict[int, list] = {0: [], 1: []}
        for o, year, attachment in CASES[style]:
            by_organ[o].append((year, attachment))
        cols = []
        for o, organ in enumerate(organs):
            years = sorted(y for y, _ in by_organ[o])
            reports = {r.year: r for r in g.reports(organ, range(years[0], years[-1] + 1), 12)}
            items = []
            for year, attachment in by_organ[o]:
                r = reports[year]
                r.file = attachment
                items.append(r)
            items += g.news(organ, 2, range(2021, 2025))
            cols.append(column(keys[style](o), "政府信息公开年报", organ, items))
        p = make_portal(key, name, code, "county", platform, style, cols,
                    start_path="/zwgk/zfxxgk/zfxxgknb/" if style == "trs" else "/")
        p.expect_reason = "attachments not archived"
        if style == "hanweb":
            p.extra["file_host"] = True  # the attachments are stored on another host
        portals.append(p)
    return portals
