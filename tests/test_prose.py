"""The prose kept for search and read for the narrative keeps every character the page prints
outside its tables, also where Word split a sentence into tiny <span>s."""
from __future__ import annotations

import pytest

from archive.extract import main_text
from archive.parse import decode_html, parse_bytes
from tests.conftest import CORPUS

PAGE = CORPUS / "reports" / "pingtan_guanweiban_2024.html"


@pytest.mark.skipif(not PAGE.is_file(), reason="../shared/corpus is absent")
def test_prose_keeps_text_split_into_spans():
    text = main_text(decode_html(PAGE.read_bytes()))
    assert "本报告中所列数据的统计期限自2024年1月1日起至2024年12月31日止" in text
    assert "（二）依申请公开方面。强化服务意识" in text
    assert "全年收到政府信息公开申请19件，均在法定期限内办结" in text
    assert "自然人" not in text  # 表三's header: the tables are stored cell by cell, not here
    report = parse_bytes(PAGE.read_bytes(), PAGE.name)
    assert report.text == text


def test_a_page_laid_out_in_a_table_keeps_its_table_text():
    html = ("<html><body><table><tr><td><p>某某县2023年政府信息公开工作年度报告</p>"
            "<p>本年度共受理政府信息公开申请12件。</p></td></tr></table></body></html>")
    assert main_text(html) == "某某县2023年政府信息公开工作年度报告\n本年度共受理政府信息公开申请12件。"
