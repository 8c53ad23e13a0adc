"""DOC and WPS documents through LibreOffice: converted headless to HTML, which keeps the tables'
rowspan/colspan, then read by the HTML table reader.

Each conversion gets a private LibreOffice profile (-env:UserInstallation) in its own temporary
directory: two soffice processes sharing a profile wait for each other's lock or quietly hand
the job to the first one, so parallel conversions would collide.
"""
from __future__ import annotations

import ctypes
import os
import shutil
import signal
import tempfile
from pathlib import Path

from ..errors import ParseError
from . import limits
from ..reader import death_signal


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
        limits.run(_dies_with_us(cmd), source, "LibreOffice conversion", timeout, env=_env(tmp),
                   preexec_fn=_death_signal(os.getpid()))
        produced = sorted(out.glob("in.*")) if out.is_dir() else []
        if not produced:
            # soffice exits 0 and writes nothing for a file it cannot open (damaged, or a
            # password it was not given): there is no message worth passing on.
            raise ParseError(source, "LibreOffice could not open it (damaged, or password-protected)")
        return produced[0].read_bytes()


# A reader killed mid-conversion (SIGKILL, a crashed pool worker) cannot kill its converter:
# the kernel tells the converter's first process instead (PR_SET_PDEATHSIG), a shell that then
# kills its whole process group (soffice starts oosplash, which starts soffice.bin). The shell
# waits in the background so that the signal is handled at once; it exits with soffice's status.
_GROUP_DIES = 'trap "kill -KILL 0" TERM; "$@" & wait $!'


def _dies_with_us(cmd: list[str]) -> list[str]:
    return ["/bin/sh", "-c", _GROUP_DIES, "soffice-group", *cmd]


def _death_signal(parent: int):
    libc = ctypes.CDLL(None, use_errno=True)  # loaded before the fork: the child only calls it

    def preexec() -> None:
        if not death_signal(signal.SIGTERM, parent, libc):  # the reader died before the signal was asked for
            os.kill(os.getpid(), signal.SIGKILL)

    return preexec


def _env(tmp: Path) -> dict:
    env = dict(os.environ)
    env["HOME"] = str(tmp)  # soffice also writes under $HOME: keep parallel runs apart
    env.pop("DISPLAY", None)
    return env
