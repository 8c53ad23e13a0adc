"""Accuracy on conversions made by real tools (not collected by pytest: run by hand).

Random consistent reports (tests/layouts.py) are written as DOCX (official merged tables, or
hand-typed flat ones), printed to PDF by LibreOffice, and converted the ways reports reach the
web: pymupdf4llm and markitdown (PDF→markdown), pdftotext -layout / plain and pdfminer (text
dumps), mammoth and LibreOffice (DOCX→HTML), markitdown (DOCX→markdown, and LibreOffice's HTML→
markdown). Each output is read by archive.parse.parse_bytes and compared with the truth.

    pip install pymupdf4llm      # the rest comes with `make setup` (test extras, poppler-utils)
    PYTHONPATH=. python tests/real_conversions.py 10      # about 6 minutes (LibreOffice)

pymupdf4llm (PyMuPDF 2.x) is AGPL-3.0: a tool this script measures, never a dependency of the
project; it also runs a layout model and OCR on every page (5 s a document), which is why the
tests (tests/test_pdf_dumps.py) dump PDFs with `pdftotext -layout` and markitdown only.

Prints per converter: reports, cells exact, wrong, unknown (flagged), reports fully exact, and
reports silently partial (a template cell neither read nor unknown, or unknown but unflagged).
"""
from __future__ import annotations

import io
import random
import subprocess
import sys
import tempfile

from archive.completeness import template_cells
from archive.parse import parse_bytes
from tests.layouts import compare, random_report, render_family


def _pdftotext(pdf: bytes, *args: str) -> bytes:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        return subprocess.run(["pdftotext", *args, f.name, "-"], capture_output=True, check=True).stdout


def conversions(docx: bytes) -> dict[str, bytes]:
    import mammoth
    import pymupdf
    import pymupdf4llm
    from markitdown import MarkItDown
    from pdfminer.high_level import extract_text

    from crawler.simulator.documents import soffice_convert

    md = MarkItDown()
    pdf = soffice_convert(docx, ".docx", "pdf")
    html = soffice_convert(docx, ".docx", "html")
    return {
        "pymupdf4llm": pymupdf4llm.to_markdown(pymupdf.open(stream=pdf, filetype="pdf")).encode(),
        "markitdown_pdf": md.convert_stream(io.BytesIO(pdf), file_extension=".pdf").text_content.encode(),
        "pdftotext_layout": _pdftotext(pdf, "-layout"),
        "pdftotext_raw": _pdftotext(pdf),
        "pdfminer": extract_text(io.BytesIO(pdf)).encode(),
        "mammoth": f"<html><body>{mammoth.convert_to_html(io.BytesIO(docx)).value}</body></html>".encode(),
        "lo_html": html,
        "markitdown_docx": md.convert_stream(io.BytesIO(docx), file_extension=".docx").text_content.encode(),
        "markitdown_lohtml": md.convert_stream(io.BytesIO(html), file_extension=".html").text_content.encode(),
    }


def main(n: int) -> None:
    rng = random.Random(7)
    stats: dict[str, list[int]] = {}
    for i in range(n):
        truth = random_report(rng, mixed=0.25)
        for base in ("docx_official", "docx_word_flat"):
            doc = render_family(truth, base, random.Random(i))
            for name, data in conversions(doc.data).items():
                report = parse_bytes(data, f"{base}-{name}-{i}")
                exact, wrong, unknown = compare(report, truth, doc.blanks)
                have = {f"{t}.{r}.{c}" for t, r, c, _ in report.cells()} | set(report.unknown_cells)
                silent = (report.template is None or not set(template_cells(report.template, report.template_variant)) <= have
                          or bool(report.unknown_cells) and not report.flagged)
                s = stats.setdefault(f"{base}:{name}", [0] * 6)
                for k, v in enumerate((1, len(exact), len(wrong), len(unknown), not wrong and not unknown, silent)):
                    s[k] += int(v)
    print("| converter | reports | exact | wrong | unknown (flagged) | fully exact | silently partial |")
    print("|---|---|---|---|---|---|---|")
    for key, s in sorted(stats.items()):
        print(f"| {key} | " + " | ".join(map(str, s)) + " |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
