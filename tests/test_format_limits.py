"""Attachments that cannot be read end with a recorded reason, never a traceback: damaged,
password-protected, oversized, zip bombs, converters that do not finish."""
from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import olefile
import pytest

from archive.errors import ParseError
from archive.formats import limits, office
from archive.parse import parse_bytes

from . import documents as D
from .conftest import run_xxgk

TRUTH = D.truth("2021")


@pytest.fixture(scope="module")
def docx():
    return D.docx_bytes(TRUTH)


@pytest.fixture(scope="module")
def xlsx():
    return D.xlsx_bytes(TRUTH)


@pytest.fixture(scope="module")
def doc(docx):
    return D.soffice_convert(docx, ".docx", "doc")


def reason(data: bytes, name: str = "f.bin") -> str:
    with pytest.raises(ParseError) as e:
        parse_bytes(data, name)
    assert e.value.source == name
    return e.value.reason


def rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in src.namelist():
            z.writestr(name, replace.get(name, src.read(name)))
    return out.getvalue()


# Damaged -------------------------------------------------------------------------------------------
def test_truncated_docx(docx):
    assert reason(docx[:3000]) == "not a readable ZIP container (damaged or truncated)"


def test_docx_with_broken_xml(docx):
    assert reason(rezip(docx, {"word/document.xml": b"<w:document"})) == "not a readable Word document (damaged)"


def test_xlsx_with_broken_xml(xlsx):
    assert reason(rezip(xlsx, {"xl/workbook.xml": b"<workbook"})) == "not a readable XLSX workbook (damaged)"


def test_truncated_doc(doc):
    assert reason(doc[:5000]) == "not a readable Office 97–2003 file (damaged or truncated)"


def test_ole_header_then_garbage():
    assert reason(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)) == "not a readable Office 97–2003 file (damaged or truncated)"


def test_truncated_png():
    assert reason(D.image_bytes(TRUTH)[:5000]) == "not a readable image (damaged or truncated)"


def test_zip_that_is_no_office_document():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "hello")
    assert reason(out.getvalue()) == "a ZIP archive, not a Word or Excel document"


# Password-protected ------------------------------------------------------------------------------
def encrypt_ooxml(data: bytes) -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt("secret", out)
    return out.getvalue()


def test_encrypted_docx(docx):
    assert reason(encrypt_ooxml(docx)) == "password-protected (encrypted Office document)"


def test_encrypted_xlsx(xlsx):
    assert reason(encrypt_ooxml(xlsx)) == "password-protected (encrypted Office document)"


def test_encrypted_pdf():
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=pdfencrypt.StandardEncryption("secret", ownerPassword="owner"))
    c.drawString(100, 700, "2024")
    c.save()
    assert reason(buf.getvalue()) == "password-protected PDF"


def test_encrypted_doc(doc, tmp_path):
    """Word 97 encryption is a flag of the document's FIB: the file is refused before LibreOffice
    is asked for a password it does not have."""
    path = tmp_path / "e.doc"
    path.write_bytes(doc)
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        stream = bytearray(ole.openstream("WordDocument").read())
        stream[11] |= 0x01  # fEncrypted: bit 8 of the flags at offset 10
        ole.write_stream("WordDocument", bytes(stream))
    assert reason(path.read_bytes()) == "password-protected (encrypted Word document)"


# Oversized and zip bombs ---------------------------------------------------------------------------
def test_oversized():
    assert reason(b"%PDF-1.7\n" + bytes(65 * 2**20)) == "too large (65 MiB > 64 MiB)"


def bomb(member_bytes: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            chunk = bytes(2**20)
            for _ in range(member_bytes // 2**20):
                f.write(chunk)
    return out.getvalue()


def test_zip_bomb_total_size():
    data = bomb(300 * 2**20)
    assert len(data) < 2**20
    assert reason(data) == "zip bomb refused: unpacks to 300 MiB (limit 256 MiB)"


def test_zip_bomb_ratio():
    data = bomb(16 * 2**20)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml")
    ratio = info.file_size // info.compress_size
    assert ratio > limits.MAX_RATIO
    assert reason(data) == f"zip bomb refused: word/document.xml packs {ratio}:1 (limit 200:1)"


def test_image_too_large():
    from PIL import Image

    buf = io.BytesIO()
    Image.new("1", (10000, 7000), 1).save(buf, "PNG")
    assert reason(buf.getvalue()) == "image too large (10000 × 7000 pixels)"


# Timeouts ---------------------------------------------------------------------------------------
def processes_mentioning(text: str) -> list[int]:
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if text.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                pids.append(int(pid))
        except OSError:
            continue
    return pids


def test_libreoffice_timeout_kills_the_process_group(doc, tmp_path):
    with pytest.raises(ParseError) as e:
        office.convert(doc, "slow.doc", ".doc", "html", timeout=0.5, workdir=str(tmp_path))
    assert e.value.reason == "LibreOffice conversion timed out after 0.5 s (killed)"
    assert processes_mentioning(str(tmp_path)) == []


def test_ocr_timeout(monkeypatch):
    monkeypatch.setattr(limits, "OCR_TIMEOUT", 0.05)
    assert reason(D.image_bytes(TRUTH)) == "OCR (Tesseract) timed out after 0.05 s (killed)"


# The command line --------------------------------------------------------------------------------
def test_cli_one_line_per_bad_file(tmp_path, docx):
    bad = tmp_path / "broken.docx"
    bad.write_bytes(docx[:3000])
    locked = tmp_path / "locked.docx"
    locked.write_bytes(encrypt_ooxml(docx))
    good = tmp_path / "report.docx"
    good.write_bytes(docx)
    p = run_xxgk("parse", "--json", bad, locked, good, check=False)
    assert "Traceback" not in p.stderr
    assert p.stderr.splitlines() == [
        f"xxgk parse: {bad}: not a readable ZIP container (damaged or truncated)",
        f"xxgk parse: {locked}: password-protected (encrypted Office document)",
    ]
    out = json.loads(p.stdout)
    assert [(r.get("error"), r.get("year")) for r in out] == [
        ("not a readable ZIP container (damaged or truncated)", None),
        ("password-protected (encrypted Office document)", None),
        (None, TRUTH.year),
    ]
