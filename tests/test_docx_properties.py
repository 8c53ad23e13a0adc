"""A DOCX whose core properties part (docProps/core.xml) is damaged is still read, with the
damage said in a warning: the body holding the report is intact (python-docx alone refuses the
whole document for it)."""
from __future__ import annotations

import io
import random
import zipfile

from archive.parse import parse_bytes
from tests import layouts


def _with_core(data: bytes, core: bytes) -> bytes:
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, core if info.filename == "docProps/core.xml" else src.read(info.filename))
    return out.getvalue()


def test_damaged_core_properties_are_a_warning_not_a_refusal():
    rng = random.Random(11)
    truth = layouts.random_report(rng)
    rendered = layouts.render_family(truth, "docx_official", rng)
    data = rendered.data
    core = zipfile.ZipFile(io.BytesIO(data)).read("docProps/core.xml")
    damaged = _with_core(data, core[: len(core) // 2])  # cut in the middle of a tag

    good, bad = parse_bytes(data, "good.docx"), parse_bytes(damaged, "bad.docx")
    note = "document properties (docProps/core.xml) damaged and ignored (XMLSyntaxError): the title comes from the text"
    assert note in bad.warnings and note not in good.warnings
    assert bad.to_json()["active"] == good.to_json()["active"]
    assert bad.to_json()["applications"] == good.to_json()["applications"]
    assert bad.to_json()["reviews"] == good.to_json()["reviews"]
    assert bad.template == good.template == truth.template
    assert bad.title == layouts.title(truth)
    exact, wrong, unknown = layouts.compare(bad, truth, rendered.blanks)
    assert wrong == [] and unknown == [] and len(exact) == len(list(truth.cells()))


def test_sound_core_properties_pass_untouched():
    rng = random.Random(12)
    data = layouts.render_family(layouts.random_report(rng), "docx_official", rng).data
    report = parse_bytes(data, "ok.docx")
    assert not [w for w in report.warnings if "document properties" in w]
