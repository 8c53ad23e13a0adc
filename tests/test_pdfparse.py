"""PDF reports: the text layer read page by page, footers and page breaks inside tables."""
from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from tests.conftest import CORPUS

from archive.errors import ParseError
from archive.parse import parse_bytes
from archive.pdfreadings import parse_pdf

REPORTS = CORPUS / "reports"
needs_corpus = pytest.mark.skipif(not REPORTS.is_dir(), reason="../shared/corpus is absent")


@pytest.fixture(scope="module")
def huaian():
    return parse_pdf((REPORTS / "huaian_city_2024.pdf").read_bytes(), "huaian_city_2024.pdf")


@pytest.fixture(scope="module")
def hongze():
    return parse_pdf((REPORTS / "huaian_hongze_district_2023.pdf").read_bytes(), "h.pdf")


def blank_pdf() -> bytes:
    pdf = pdfium.PdfDocument.new()
    pdf.new_page(595, 842)
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def test_scanned_pdf_has_no_text_layer():
    with pytest.raises(ParseError) as e:
        parse_bytes(blank_pdf(), "scan.pdf")
    assert e.value.reason == "PDF has no text layer (a scan?)"


def test_truncated_pdf():
    with pytest.raises(ParseError) as e:
        parse_bytes(blank_pdf()[:200], "cut.pdf")
    assert e.value.reason == "not a readable PDF (damaged or truncated)"


@needs_corpus
def test_source_format(huaian):
    assert huaian.source_format == "pdf"


@needs_corpus
def test_title(huaian):
    assert huaian.title == "淮安市人民政府2024年政府信息公开工作年度报告"


@needs_corpus
def test_fees_decimal(huaian):
    assert str(huaian.tables["active"]["fees"]["amount"].number) == "96171.6"


@needs_corpus
def test_licensing(huaian):
    assert huaian.tables["active"]["licensing"]["decisions"].number == 447228


@needs_corpus
def test_row_before_page_footer(huaian):
    assert huaian.tables["applications"]["unavailable_not_held"]["total"].number == 769


@needs_corpus
def test_label_split_across_pages(huaian):
    assert huaian.tables["applications"]["unavailable_needs_creation"]["total"].number == 11


@needs_corpus
def test_chinese_comma_ordinals(huaian):
    assert huaian.tables["applications"]["other_no_correction"]["total"].number == 71


@needs_corpus
def test_other_misc(huaian):
    assert huaian.tables["applications"]["other_misc"]["total"].number == 110


@needs_corpus
def test_total_processed(huaian):
    assert huaian.tables["applications"]["total_processed"]["total"].number == 3050


@needs_corpus
def test_reviews_after_review_total(huaian):
    assert huaian.tables["reviews"]["litigation_after_review"]["total"].number == 20


@needs_corpus
def test_hongze_reviews_as_printed(hongze):
    assert hongze.tables["reviews"]["review"]["total"].number == 0


@needs_corpus
def test_hongze_single_other_row(hongze):
    assert hongze.tables["applications"]["other"]["total"].number == 0


@needs_corpus
def test_hongze_flagged(hongze):
    assert hongze.flagged is True
