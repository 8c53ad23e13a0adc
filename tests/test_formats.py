"""Attachments of every format, made from known values with the real tools, read back cell by
cell: DOCX (python-docx), DOC and WPS (LibreOffice), PDF (LibreOffice; text layer + pdfplumber),
XLSX (openpyxl), XLS (LibreOffice), PNG/JPG (Pillow) and a scan (the picture in a PDF without
text layer), the last three through OCR. Every file is passed under a name that says nothing:
the kind is decided from the bytes."""
from __future__ import annotations

import pytest

from archive import schema
from archive.parse import parse_bytes
from archive.pdfreadings import parse_pdf

from . import documents as D

EXACT = ("docx", "doc", "wps", "pdf", "xlsx", "xls")
OCR = ("png", "jpg", "scan")
SOURCE_FORMAT = {"docx": "docx", "doc": "doc", "wps": "doc", "pdf": "pdf", "xlsx": "xlsx", "xls": "xls",
                 "png": "ocr", "jpg": "ocr", "scan": "ocr"}
TRUTH = D.truth("2021")
TRUTH_2019 = D.truth("2019")
VALUES = D.expected(TRUTH)
CELLS = [(t, r, c) for t, rows in VALUES.items() for r, cols in rows.items() for c in cols]


@pytest.fixture(scope="session")
def files():
    """Every format made once per session: LibreOffice and OCR are the slow part."""
    docx = D.docx_bytes(TRUTH)
    xlsx = D.xlsx_bytes(TRUTH)
    return {
        "docx": docx,
        "doc": D.soffice_convert(docx, ".docx", "doc"),
        # WPS Office writes its .wps files in the Word 97 binary format (an OLE file with a
        # WordDocument stream); LibreOffice writes that format, under the .wps name here.
        "wps": D.soffice_convert(docx, ".docx", "doc:MS Word 97"),
        "pdf": D.soffice_convert(docx, ".docx", "pdf"),
        "xlsx": xlsx,
        "xls": D.soffice_convert(xlsx, ".xlsx", "xls"),
        "png": D.image_bytes(TRUTH, "PNG"),
        "jpg": D.image_bytes(TRUTH, "JPEG"),
        "scan": D.scan_pdf_bytes(TRUTH),
    }


@pytest.fixture(scope="session")
def parsed(files):
    return {fmt: parse_bytes(data, f"attachment-{fmt}.bin") for fmt, data in files.items()}


def cell(report, table, row, col):
    return report.to_json().get(table, {}).get(row, {}).get(col, "missing")


@pytest.mark.parametrize("fmt", EXACT + OCR)
def test_kind_from_bytes(parsed, fmt):
    assert parsed[fmt].source_format == SOURCE_FORMAT[fmt]


@pytest.mark.parametrize("fmt", EXACT + OCR)
def test_year(parsed, fmt):
    assert parsed[fmt].year == TRUTH.year


@pytest.mark.parametrize("fmt", EXACT + OCR)
def test_template(parsed, fmt):
    assert parsed[fmt].template == "2021"


@pytest.mark.parametrize("fmt", EXACT)
def test_title(parsed, fmt):
    assert parsed[fmt].title == TRUTH.title


@pytest.mark.parametrize("fmt", EXACT)
def test_organ(parsed, fmt):
    assert parsed[fmt].organ == TRUTH.organ.name


@pytest.mark.parametrize("fmt", EXACT)
@pytest.mark.parametrize("key", CELLS, ids=".".join)
def test_cell_exact(parsed, fmt, key):
    assert cell(parsed[fmt], *key) == VALUES[key[0]][key[1]][key[2]]


@pytest.mark.parametrize("fmt", EXACT)
def test_nothing_unknown(parsed, fmt):
    assert parsed[fmt].unknown_cells == []


@pytest.mark.parametrize("fmt", EXACT)
def test_checks_hold(parsed, fmt):
    assert [c for c in parsed[fmt].checks if c["status"] == "failed"] == []


@pytest.mark.parametrize("fmt", EXACT)
def test_not_flagged(parsed, fmt):
    assert parsed[fmt].flagged is False


@pytest.mark.parametrize("fmt", ("docx", "doc", "pdf", "xlsx"))
def test_blank_cell_stays_blank(parsed, fmt):
    """A zero printed as an empty cell is a blank, not a 0."""
    value = parsed[fmt].tables["applications"]["denied_internal_affairs"]["research"]
    assert (value.number, value.status) == (None, "blank")


@pytest.mark.parametrize("fmt", ("xlsx", "xls"))
def test_decimal_amount_kept(parsed, fmt):
    assert cell(parsed[fmt], "active", "fees", "amount") == VALUES["active"]["fees"]["amount"]


def test_pdf_text_layer_alone_cannot_place_blanks(files):
    """Why pdfplumber runs: the text layer prints a row with blanks as fewer numbers than columns."""
    text_only = parse_pdf(files["pdf"], "t.pdf")
    assert "applications.denied_internal_affairs.research" in text_only.unknown_cells


def test_pdf_cells_placed_by_position(parsed):
    assert any(w.endswith("cells placed by position from the PDF's ruled tables (pdfplumber)")
               for w in parsed["pdf"].warnings)


# OCR ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", OCR)
@pytest.mark.parametrize("key", CELLS, ids=".".join)
def test_ocr_cell_exact_or_unknown(parsed, fmt, key):
    """Never a wrong number: each cell is the printed value or listed as unknown."""
    report = parsed[fmt]
    if ".".join(key) in report.unknown_cells:
        assert cell(report, *key) == "missing"
    else:
        assert cell(report, *key) == VALUES[key[0]][key[1]][key[2]]


@pytest.mark.parametrize("fmt", OCR)
def test_ocr_flagged_when_unknown(parsed, fmt):
    assert parsed[fmt].flagged is bool(parsed[fmt].unknown_cells)


@pytest.mark.parametrize("fmt", OCR)
def test_ocr_warning(parsed, fmt):
    assert parsed[fmt].warnings[0].startswith("read by OCR (RapidOCR and Tesseract) from ")


def test_ocr_share_read_exactly(parsed):
    shares = {}
    for fmt in OCR:
        right, total, wrong = D.cells_equal(parsed[fmt], VALUES)
        assert wrong == []
        shares[fmt] = right / total
    print("OCR cells read exactly: " + ", ".join(f"{f} {s:.1%}" for f, s in shares.items()))
    # The pictures are scans as real ones look (crawler/simulator/documents.py: 150–300 dpi,
    # skew, grey paper, noise, a red seal, JPEG); the rest are unknown (asserted above).
    assert min(shares.values()) >= 0.99


# The 2019 tables --------------------------------------------------------------------------------
VALUES_2019 = D.expected(TRUTH_2019)
CELLS_2019 = [(t, r, c) for t, rows in VALUES_2019.items() for r, cols in rows.items() for c in cols]


@pytest.fixture(scope="session")
def parsed_2019():
    return {"docx": parse_bytes(D.docx_bytes(TRUTH_2019), "a"), "xlsx": parse_bytes(D.xlsx_bytes(TRUTH_2019), "b")}


@pytest.mark.parametrize("fmt", ("docx", "xlsx"))
def test_2019_template(parsed_2019, fmt):
    assert parsed_2019[fmt].template == "2019"


@pytest.mark.parametrize("fmt", ("docx", "xlsx"))
@pytest.mark.parametrize("key", CELLS_2019, ids=".".join)
def test_2019_cell_exact(parsed_2019, fmt, key):
    assert cell(parsed_2019[fmt], *key) == VALUES_2019[key[0]][key[1]][key[2]]


def test_2019_negative_change(parsed_2019):
    assert VALUES_2019["active"]["enforcement"]["change"] < 0
    assert cell(parsed_2019["xlsx"], "active", "enforcement", "change") == VALUES_2019["active"]["enforcement"]["change"]


def test_cells_cover_the_schema():
    """The truth has every cell of the 2021 tables, so a round trip checks them all."""
    rows = [k for k, _, _ in schema.APPLICATION_ROWS if k != "other"]
    assert list(VALUES["applications"]) == rows
