"""The data flows one way: crawler/ may use archive/, never the reverse, and archive/ runs
without Scrapy (a reader process, `datasette` loading the plugin, a researcher's notebook)."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("scrapy", "twisted", "crawler")


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def test_archive_source_imports_neither_scrapy_nor_crawler():
    offending = [f"{p.relative_to(ROOT)}:{line} imports {name}"
                 for p in sorted((ROOT / "archive").rglob("*.py"))
                 for line, name in _imports(p) if name.split(".")[0] in FORBIDDEN]
    assert offending == []


def test_every_archive_module_loads_without_scrapy():
    modules = sorted(".".join(p.relative_to(ROOT).with_suffix("").parts)
                     for p in (ROOT / "archive").rglob("*.py") if p.name != "__init__.py")
    assert len(modules) > 30
    code = ("import importlib, sys\n"
            f"for m in {modules!r}: importlib.import_module(m)\n"
            "print(sorted({n.split('.')[0] for n in sys.modules} & {'scrapy', 'twisted', 'crawler'}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_the_command_lives_at_the_top_of_the_stack():
    assert not (ROOT / "archive" / "cli.py").exists()
    assert not (ROOT / "archive" / "demo.py").exists()
    assert 'xxgk = "crawler.cli:main"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_a_crawl_reader_process_loads_no_scrapy():
    """The crawl's readers are spawned: each imports the module of what it runs. A report read
    there must not load Scrapy and Twisted (0.8 CPU seconds and their memory per reader)."""
    from crawler.pipelines import read_file, reader

    pool = reader(1)
    try:
        body = "<html><head><title>x</title></head><body><p>政府信息公开工作年度报告</p></body></html>".encode()
        report, reason = pool.submit(read_file, body, "http://127.0.0.1/a.html", "text/html", "标题", True).result(60)
        assert reason is None
        assert (report.title, report.text, report.tables) == ("标题", "政府信息公开工作年度报告", {})
        loaded = pool.submit(eval, "sorted({m.split('.')[0] for m in __import__('sys').modules}"
                                   " & {'scrapy', 'twisted', 'parsel'})").result(60)
        assert loaded == []
    finally:
        pool.shutdown()
