"""Screenshots of the readers' pages for the README (docs/*.png), taken in headless Chromium
from the browser tests' archive (the simulator's reports and the corpus):

    python scripts/screenshots.py [--out docs]
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = (
    ("search", "/xxgk/reports?_search=%E5%A4%8D%E8%AE%AE&province=%E7%A6%8F%E5%BB%BA%E7%9C%81", None),
    ("compare", "/compare?organs=%E4%BA%91%E6%BA%AA%E5%8E%BF%E6%85%88%E5%91%A8%E5%AF%A8%E9%95%87%E3%80%81"
                "%E4%BA%91%E6%BA%AA%E5%8E%BF%E6%A2%85%E6%9E%97%E9%95%87&chart=new_received", None),
    ("totals", "/totals?level=county", None),
    ("downloads", "/downloads", None),
    ("coverage", "/coverage", None),
    ("cite", None, "cite"),
    ("feed", "/feeds/reports.atom?county=%E4%BA%91%E6%BA%AA%E5%8E%BF", None),
)


def shoot(base: str, data: Path, out: Path) -> list[Path]:
    import sqlite_utils
    from PIL import Image
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM, FLAGS

    db = sqlite_utils.Database(data / "xxgk.db")
    rid = db.execute("select id from reports where organ = '云溪县慈周寨镇' and year = 2024").fetchone()[0]
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1100, "height": 760}, locale="zh-CN")
        for name, path, special in PAGES:
            if special == "cite":
                page.goto(f"{base}/report/{rid}?cell=applications.new_received.total#applications.new_received.total")
                page.locator("#xxgk-cited").scroll_into_view_if_needed()
            else:
                page.goto(base + path)
            target = out / f"{name}.png"
            page.screenshot(path=str(target))
            # Palette PNGs keep the README light.
            Image.open(target).convert("RGB").quantize(colors=64).save(target, optimize=True)
            written.append(target)
        browser.close()
    return written


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    ap.add_argument("--data", type=Path, help="an archive to use instead of building the test archive")
    args = ap.parse_args()
    from tests.conftest import build_web_archive, datasette

    tmp = Path(tempfile.mkdtemp(prefix="xxgk-shots-"))
    try:
        data = args.data or build_web_archive(tmp / "data")
        args.out.mkdir(parents=True, exist_ok=True)
        with datasette(data) as base:
            for path in shoot(base, data, args.out):
                print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {path.stat().st_size:,} bytes")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
