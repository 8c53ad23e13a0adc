"""The flow runs one way (issue 10): every reader yields an archive.document.Document and
archive.parse hands it to the one mapping step; no reader imports the mapping."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARCHIVE = ROOT / "archive"

# Readers: bytes or markup in, grids and running text out.
READERS = sorted([*(ARCHIVE / "formats").glob("*.py"), *(ARCHIVE / n for n in ("pdfparse.py", "htmlgrid.py", "extract.py", "document.py"))])
# The mapping step and what calls it: labels to canonical cells, readings chosen, checks.
MAPPING = {"archive." + m for m in ("engine", "tables", "textparse", "glued", "checks", "completeness", "parse", "pdfreadings",
                                    "confirm")}


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in it (inside functions too), relative imports
    resolved; ``from . import x`` counts as importing the package and package.x."""
    package = _module(path).split(".")[:-1]  # a module's package; __init__'s is its own
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found.add(module)
            found |= {f"{module}.{a.name}" for a in node.names}
    return found


def test_the_reader_list_is_real():
    names = {p.relative_to(ROOT).as_posix() for p in READERS}
    assert {"archive/formats/docx.py", "archive/formats/sheet.py", "archive/formats/office.py",
            "archive/formats/pdftables.py", "archive/pdfparse.py", "archive/htmlgrid.py"} <= names
    assert all((ROOT / m.replace(".", "/")).with_suffix(".py").is_file() for m in MAPPING)


def test_no_reader_imports_the_mapping():
    offending = sorted(f"{p.relative_to(ROOT).as_posix()} imports {m}"
                       for p in READERS for m in imports(p) if m in MAPPING)
    assert offending == []


def test_ocr_yields_a_document_with_its_doubted_cells():
    """The picture reader gives the engines' readings of each value cell with the Document;
    which numbers stand is decided on the mapping side (archive/confirm.py)."""
    from archive.formats import ocr

    assert "archive/formats/ocr.py" in {p.relative_to(ROOT).as_posix() for p in READERS}
    assert not hasattr(ocr, "parse_image") and not hasattr(ocr, "confirm")
    assert ocr.read_image.__annotations__["return"] == "Document"


def test_the_check_sees_relative_imports(tmp_path):
    """The resolver itself: a reader written `from ..engine import read_document` is caught."""
    pkg = tmp_path / "archive" / "formats"
    pkg.mkdir(parents=True)
    bad = pkg / "bad.py"
    bad.write_text("def f():\n    from ..engine import read_document\n    from .. import tables\n", encoding="utf-8")
    (pkg / "__init__.py").write_text("from ..checks import check_report\n", encoding="utf-8")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert {"archive.engine", "archive.tables"} <= imports(bad)
        assert "archive.checks" in imports(pkg / "__init__.py")
    finally:
        ROOT = saved
