"""Attachments read per second, per format, beside the cost of converting or reading the file
alone (LibreOffice conversion, calamine, python-docx, pdfium/pdfplumber, one Tesseract run).

    python bench/documents.py [--rounds N] [--ocr-only]

The documents are those of the format tests (tests/documents.py): one 2021 report with all
three tables, made from known values; its pictures are scans as real ones look (150–300 dpi,
skew, noise, a red seal, JPEG). One process, one document at a time. The pictures' rates are
also given per CPU second (this process and its Tesseract children), which is what one core
delivers whatever else the machine is doing.
"""
from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.formats import office, ocr  # noqa: E402
from archive.parse import parse_bytes  # noqa: E402
from tests import documents as D  # noqa: E402


def per_second(fn, rounds: int) -> float:
    fn()  # warm: imports, font and model loading
    t = time.perf_counter()
    for _ in range(rounds):
        fn()
    return rounds / (time.perf_counter() - t)


def cpu_seconds() -> float:
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def per_second_both(fn, rounds: int) -> tuple[float, float]:
    """(runs per wall-clock second, runs per CPU second)."""
    fn()
    t, c = time.perf_counter(), cpu_seconds()
    for _ in range(rounds):
        fn()
    return rounds / (time.perf_counter() - t), rounds / (cpu_seconds() - c)


def ocr_pages(files: dict, rounds: int) -> None:
    """The picture reader, pages per second, beside one plain Tesseract run over the same page
    (chi_sim, whole page: what the reader did before RapidOCR, and what it reads is not used)."""
    import pypdfium2 as pdfium

    from crawler.simulator.documents import scan_of

    print(f"\n{'picture':<9} {'dpi':>4} {'reader pages/s':>15} {'per CPU s':>10}   "
          f"{'one tesseract page/s':>21} {'per CPU s':>10}")
    r = D.truth("2021")
    for kind, scan_kind in (("png", "png"), ("jpg", "jpeg"), ("scan pdf", "scan")):
        data = files[kind]
        if kind == "scan pdf":
            doc = pdfium.PdfDocument(data)
            img = doc[0].render(scale=200 / 72, grayscale=True).to_pil()
            buf = io.BytesIO()
            img.save(buf, "PNG")
            png = buf.getvalue()
        else:
            png = data
        wall, cpu = per_second_both(lambda: parse_bytes(data, f"bench.{kind}"), rounds)
        twall, tcpu = per_second_both(lambda: ocr.ocr_chars(png, kind), rounds)
        print(f"{kind:<9} {scan_of(r, scan_kind).dpi:>4} {wall:>15.2f} {cpu:>10.2f}   {twall:>21.2f} {tcpu:>10.2f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20, help="rounds for the fast formats (slow ones: a fifth)")
    ap.add_argument("--ocr-only", action="store_true", help="only the pictures' pages/s")
    args = ap.parse_args()
    fast, slow = args.rounds, max(2, args.rounds // 5)

    r = D.truth("2021")
    pictures = {"png": D.image_bytes(r, "PNG"), "jpg": D.image_bytes(r, "JPEG"), "scan pdf": D.scan_pdf_bytes(r)}
    if args.ocr_only:
        ocr_pages(pictures, 2)
        return
    docx = D.docx_bytes(r)
    xlsx = D.xlsx_bytes(r)
    files = {
        "docx": docx,
        "doc": D.soffice_convert(docx, ".docx", "doc"),
        "pdf": D.soffice_convert(docx, ".docx", "pdf"),
        "xlsx": xlsx,
        "xls": D.soffice_convert(xlsx, ".xlsx", "xls"),
        **pictures,
    }

    def docx_alone():
        import docx as python_docx

        python_docx.Document(io.BytesIO(files["docx"]))

    def calamine_alone(kind):
        import python_calamine as pc

        def run():
            wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(files[kind]))
            for name in wb.sheet_names:
                wb.get_sheet_by_name(name).to_python()
        return run

    def pdf_text_alone():
        from archive.pdfparse import pdf_text

        pdf_text(files["pdf"], "b.pdf")

    def pdfplumber_alone():
        from archive.formats.pdftables import table_grids

        table_grids(files["pdf"], "b.pdf")

    def tesseract_alone(kind):
        def run():
            if kind == "scan pdf":
                import pypdfium2 as pdfium

                doc = pdfium.PdfDocument(files[kind])
                img = doc[0].render(scale=200 / 72, grayscale=True).to_pil()
                buf = io.BytesIO()
                img.save(buf, "PNG")
                png = buf.getvalue()
            else:
                png = files[kind]
            ocr.ocr_chars(png, kind)
        return run

    alone = {
        "docx": ("python-docx load", docx_alone, fast),
        "doc": ("LibreOffice DOC→HTML", lambda: office.convert(files["doc"], "b.doc", ".doc"), slow),
        "pdf": ("pdfium text layer / pdfplumber tables", None, fast),
        "xlsx": ("calamine read", calamine_alone("xlsx"), fast),
        "xls": ("calamine read", calamine_alone("xls"), fast),
        "png": ("one tesseract run, whole page", tesseract_alone("png"), 2),
        "jpg": ("one tesseract run, whole page", tesseract_alone("jpg"), 2),
        "scan pdf": ("render + one tesseract run", tesseract_alone("scan pdf"), 2),
    }
    print(f"{'format':<9} {'bytes':>9} {'parse docs/s':>13} {'ms/doc':>9}   alone: what, docs/s")
    for kind, data in files.items():
        what, fn, rounds = alone[kind]
        n = rounds if kind not in ("png", "jpg", "scan pdf") else 2
        n = slow if kind == "doc" else n
        full = per_second(lambda: parse_bytes(data, f"bench.{kind}"), n)
        if kind == "pdf":
            a = f"{per_second(pdf_text_alone, fast):.1f} / {per_second(pdfplumber_alone, fast):.1f}"
        else:
            a = f"{per_second(fn, rounds):.2f}"
        print(f"{kind:<9} {len(data):>9,} {full:>13.2f} {1000 / full:>9.0f}   {what}: {a}")
    ocr_pages(files, 2)


if __name__ == "__main__":
    main()
