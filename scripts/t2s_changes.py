"""Writes archive/t2s_changes.txt: every character that OpenCC's t2s conversion can change.

The conversion (the installed opencc wheel's t2s.json) replaces the longest dictionary key found
at each place by its value. A text holding none of the characters that some key changes (a key
whose value differs from it there) is returned unchanged, so archive.simplified skips the
conversion for it. The dictionaries are dumped to text by the wheel's own opencc_dict tool;
the file records the dictionaries' SHA-256, and archive.simplified converts every text when the
installed dictionaries are not the ones the list was made from.

    python scripts/t2s_changes.py [--check]   # --check: exit 1 if the file is out of date
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive.simplified import OUT, dictionaries, fingerprint  # noqa: E402


def changed_characters() -> set[str]:
    import opencc

    tool = Path(opencc.__file__).parent / "clib" / "bin" / "opencc_dict"
    lib = tool.parent.parent / "lib64"
    out: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:
        for path in dictionaries():
            dump = Path(tmp) / (path.stem + ".txt")
            subprocess.run([str(tool), "-i", str(path), "-o", str(dump), "-f", "ocd2", "-t", "text"], check=True,
                           env={"LD_LIBRARY_PATH": str(lib)}, capture_output=True)
            for line in dump.read_text(encoding="utf-8").splitlines():
                key, values = line.split("\t")
                value = values.split(" ")[0]  # the first candidate is the one written
                if value == key:
                    continue
                if len(value) != len(key):
                    out.update(key)
                else:
                    out.update(k for k, v in zip(key, value) if k != v)
    return out


def render() -> str:
    chars = "".join(sorted(changed_characters()))
    return f"# sha256 {fingerprint()}\n{chars}\n"


def main() -> None:
    text = render()
    if "--check" in sys.argv[1:]:
        same = OUT.is_file() and OUT.read_text(encoding="utf-8") == text
        print("up to date" if same else f"{OUT} is out of date: run python scripts/t2s_changes.py")
        sys.exit(0 if same else 1)
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT}: {len(text.splitlines()[1])} characters")


if __name__ == "__main__":
    main()
