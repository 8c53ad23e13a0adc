"""DOC and WPS documents through LibreOffice: converted headless to HTML, which keeps the tables'
rowspan/colspan, then read by the HTML table reader.

Each conversion gets a private LibreOffice profile (-env:UserInstallation) in its own temporary
directory: two soffice processes sharing a profile wait for each other's lock or quietly hand
the job to the first one, so parallel conversions would collide.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from ..errors import ParseError
from . import limits


def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise ParseError("LibreOffice", "not installed (scripts/system-packages.txt: libreoffice-writer-nogui)")
    return exe


def convert(data: bytes, source: str, suffix: str, target: str = "html", timeout: float | None = None,
            workdir: str | None = None) -> bytes:
    """The bytes of ``data`` (a file of type ``suffix``, e.g. ".doc") converted to ``target``
    (a LibreOffice --convert-to argument such as "html", "pdf", "doc", "xls")."""
    timeout = limits.OFFICE_TIMEOUT if timeout is None else timeout
    with tempfile.TemporaryDirectory(prefix="xxgk-office-", dir=workdir) as tmp:
        tmp = Path(tmp)
        src = tmp / f"in{suffix}"
        src.write_bytes(data)
        out = tmp / "out"
        cmd = [soffice(), f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless", "--invisible",
               "--norestore", "--nologo", "--nodefault", "--nolockcheck", "--convert-to", target,
               "--outdir", str(out), str(src)]
        limits.run(cmd, source, "LibreOffice conversion", timeout, env=_env(tmp))
        produced = sorted(out.glob("in.*")) if out.is_dir() else []
        if not produced:
            # soffice exits 0 and writes nothing for a file it cannot open (damaged, or a
            # password it was not given): there is no message worth passing on.
            raise ParseError(source, "LibreOffice could not open it (damaged, or password-protected)")
        return produced[0].read_bytes()


def _env(tmp: Path) -> dict:
    import os

    env = dict(os.environ)
    env["HOME"] = str(tmp)  # soffice also writes under $HOME: keep parallel runs apart
    env.pop("DISPLAY", None)
    return env
