"""Bad input: one line naming the file and the reason, exit status 1, the next file still parsed."""
from __future__ import annotations

import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

XXGK = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))


def run(*paths):
    return subprocess.run([XXGK, "parse", *map(str, paths)], capture_output=True, text=True, timeout=120)


GOOD = "某县2024年政府信息公开工作年度报告\n一、总体情况\n无。\n"


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "good.txt"
    path.write_text(GOOD, encoding="utf-8")
    return path


def test_garbage_bytes(tmp_path, good):
    path = tmp_path / "garbage.bin"
    rng = random.Random(7)
    path.write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    p = run(path, good)
    assert (p.returncode, p.stderr) == (1, f"xxgk parse: {path}: not text in UTF-8, UTF-16 or GB18030\n")


def test_decodable_garbage(tmp_path):
    path = tmp_path / "noise.txt"
    path.write_bytes("ゥ".encode("gb18030") * 500)
    p = run(path)
    assert (p.returncode, p.stderr) == (1, f"xxgk parse: {path}: no report found (no dated title, no tables)\n")


def test_binary_with_nul_bytes(tmp_path):
    path = tmp_path / "nul.txt"
    path.write_bytes(b"abc\x00def" * 100)
    p = run(path)
    assert (p.returncode, p.stderr) == (1, f"xxgk parse: {path}: binary data, not a report\n")


def test_empty(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    p = run(path)
    assert (p.returncode, p.stderr) == (1, f"xxgk parse: {path}: empty file\n")


def test_truncated_pdf(tmp_path):
    path = tmp_path / "cut.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Ty")
    p = run(path)
    assert (p.returncode, p.stderr) == (1, f"xxgk parse: {path}: not a readable PDF (damaged or truncated)\n")


def test_huge_input(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(100 * 1024 * 1024)  # sparse: 100 MiB without writing them
    p = run(path)
    assert (p.returncode, p.stderr) == (1, f"xxgk parse: {path}: too large (100 MiB > 64 MiB)\n")


def test_missing_file(tmp_path):
    path = tmp_path / "nope.txt"
    p = run(path)
    assert (p.returncode, p.stderr) == (1, f"xxgk parse: {path}: No such file or directory\n")


def test_goes_on_with_next_file(tmp_path, good):
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    p = run(bad, good)
    assert p.stdout == f"{good}: 某县 2024 template=None cells=0 unknown=0\n"


def test_no_traceback(tmp_path, good):
    bad = tmp_path / "cut.pdf"
    bad.write_bytes(b"%PDF-1.4\n%\xe2\xe3")
    p = run(bad, good)
    assert "Traceback" not in p.stderr
