"""The picture reader's parts on pictures made here with Pillow: RapidOCR as installed (models in
its wheel, no direction classifier, full-width digits folded), turning a skewed page upright,
the red seal read away, the grid of a table found, and the identities that confirm a number
one engine alone read (archive/confirm.py). The whole reader is tested on the simulator's scans
in test_formats.py and test_attachments.py."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from archive import schema
from archive.confirm import confirm
from archive.formats import ocr, tablegrid

from . import documents as D

FONT = ImageFont.truetype(D.FONT, 40)


def line_image(text: str, font=FONT) -> np.ndarray:
    img = Image.new("L", (40 + 44 * len(text), 64), 255)
    ImageDraw.Draw(img).text((20, 6), text, font=font, fill=0)
    return np.asarray(img)


def test_rapidocr_models_ship_in_the_wheel_and_the_classifier_is_off():
    import rapidocr

    models = {p.name for p in (Path(rapidocr.__file__).parent / "models").iterdir()}
    assert any(m.endswith("_rec_small.onnx") or "rec" in m for m in models)
    eng = ocr.rapid()
    assert (eng.cfg.Global.use_cls, eng.cfg.Global.use_det) == (False, False)
    # The model it loaded is the one in the package directory: nothing was fetched.
    assert Path(str(eng.cfg.Global.model_root_dir)).resolve() == (Path(rapidocr.__file__).parent / "models").resolve()


def test_digits_read_upright_six_and_nine_not_flipped():
    got = ocr.recognise([line_image(t) for t in ("6", "9", "69", "2024")])
    assert [t for t, _ in got] == ["6", "9", "69", "2024"]


def test_full_width_digits_are_folded():
    (text, _), = ocr.recognise([line_image("１２３４")])
    assert text == "1234"


def test_a_skewed_page_is_turned_upright_and_its_table_found():
    page = D.report_image(D.truth("2021"), 22).convert("RGB")
    turned = page.rotate(2.5, resample=Image.BICUBIC, expand=True, fillcolor=(255, 255, 255))
    prepared = tablegrid.prepare(turned)
    assert abs(prepared.angle + 2.5) <= 0.1
    shapes = [(len(g), len(g[0])) for g, _ in tablegrid.find_tables(prepared)]
    # 表二, 表三 and 表四 of the 2021 template, as laid out by the simulator.
    assert shapes[-3:] == [(14, 4), (28, 10), (4, 15)]


def test_the_red_seal_vanishes_in_the_red_channel():
    img = Image.new("RGB", (200, 200), (230, 226, 220))
    ImageDraw.Draw(img).ellipse([20, 20, 180, 180], outline=(214, 30, 38), width=8)
    ImageDraw.Draw(img).text((80, 80), "7", font=FONT, fill=(30, 30, 30))
    flat = tablegrid.flatten(tablegrid.ink_channel(img))
    assert flat[100, 22:28].min() > 200  # the seal's ring: paper
    assert flat[80:130, 80:110].min() < 80  # the digit: ink


def _known(values: dict) -> dict:
    return {k: Decimal(v) for k, v in values.items()}


def _applications_row(row: str, parts: list[int]) -> dict:
    cells = {("applications", row, c): p for c, p in zip(schema.APPLICANT_PARTS, parts)}
    cells[("applications", row, "total")] = sum(parts)
    return cells


def test_an_identity_confirms_the_one_reading_that_balances_it():
    row = _applications_row("granted", [8, 0, 2, 0, 0, 1])
    known = _known({k: v for k, v in row.items() if k != ("applications", "granted", "research")})
    got = confirm(known, {("applications", "granted", "research"): ["2"]})
    assert got == {("applications", "granted", "research"): "2"}


def test_a_reading_that_does_not_balance_is_not_confirmed():
    row = _applications_row("granted", [8, 0, 2, 0, 0, 1])
    known = _known({k: v for k, v in row.items() if k != ("applications", "granted", "research")})
    assert confirm(known, {("applications", "granted", "research"): ["7"]}) == {}


def test_two_open_cells_in_one_identity_confirm_nothing():
    row = _applications_row("granted", [8, 0, 2, 0, 0, 1])
    open_ = [("applications", "granted", "research"), ("applications", "granted", "total")]
    known = _known({k: v for k, v in row.items() if k not in open_})
    # 2 and 11 balance the row, but so would 3 and 12: two unknowns are never settled by one sum.
    assert confirm(known, {open_[0]: ["2"], open_[1]: ["11"]}) == {}


def test_confirmed_cells_confirm_others_in_turn():
    # 表四 复议 row: 总计 known from both engines; 维持 read by one engine only, 纠正 too.
    cells = {("reviews", "review", c): v for c, v in zip(("upheld", "corrected", "other", "pending", "total"), (0, 4, 2, 0, 6))}
    known = _known({k: v for k, v in cells.items() if k[2] not in ("corrected",)})
    got = confirm(known, {("reviews", "review", "corrected"): ["4"]})
    assert got == {("reviews", "review", "corrected"): "4"}


@pytest.mark.parametrize("rapid,tess,agreed,candidates", [
    ("126", "126", "126", ["126"]),
    ("126", "128", None, ["126"]),  # RapidOCR confident, Tesseract too little so (conf 50)
    ("l26", "126", None, []),  # RapidOCR's reading is not a number; Tesseract's alone is doubted
])
def test_readings_agree_or_become_candidates(rapid, tess, agreed, candidates):
    r = ocr.Reading(rapid, 0.99, tess, 50.0)
    assert (r.agreed, r.candidates()) == (agreed, candidates)
