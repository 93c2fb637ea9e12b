"""Subprocess servers: start, learn the port, stop, and never leave one behind.

Race-free ports: every subprocess binds port 0 itself and prints the port it got
(``openssl s_server`` prints ``ACCEPT host:port``, our pyOpenSSL server ``LISTENING port``), so
no port is picked by the parent and then lost to another process. Output goes to a log file in
the server's private folder (a pipe that nobody drains would block the server).

Stopping: SIGTERM to the process group (each server gets its own session), SIGKILL if it is
still there after a grace period, then ``wait`` so no zombie remains. If the parent dies
without stopping them: our pyOpenSSL server exits when its stdin pipe closes, and
``openssl s_server`` runs under ``setpriv --pdeathsig KILL`` where available (Linux), so it is
killed with the thread that started it. Start subprocess servers from a thread that outlives
them (as :class:`~pqcscan.demo.lab.Lab` does).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from pqcscan.demo.lab.loop import START_TIMEOUT

STOP_GRACE: Final = 3.0
"""Seconds between SIGTERM and SIGKILL."""


class LabStartError(RuntimeError):
    """A lab server did not come up; the message carries the end of its log."""


def private_folder(prefix: str = "pqcscan-lab-") -> Path:
    """A fresh 0700 temporary folder for one server's files."""
    return Path(tempfile.mkdtemp(prefix=prefix))


def _pdeathsig_prefix() -> list[str]:
    if sys.platform.startswith("linux"):
        setpriv = shutil.which("setpriv")
        if setpriv:
            return [setpriv, "--pdeathsig", "KILL", "--"]
    return []


class LabProcess:
    """One subprocess server. :meth:`wait_ports` blocks until it prints its ports."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        folder: Path,
        port_pattern: re.Pattern[str],
        env: Mapping[str, str] | None = None,
        pdeathsig: bool = False,
    ) -> None:
        self.folder = folder
        self.log_path = folder / "server.log"
        self.port_pattern = port_pattern
        prefix = _pdeathsig_prefix() if pdeathsig else []
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [*prefix, *argv],
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=dict(env) if env is not None else None,
                cwd=folder,
                start_new_session=True,
            )
        self.ports: tuple[int, ...] = ()

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, size: int = 2000) -> str:
        try:
            return self.log_path.read_bytes()[-size:].decode("utf-8", "replace")
        except OSError:
            return ""

    def wait_ports(self, deadline: float | None = None) -> tuple[int, ...]:
        """The ports the server printed (the pattern's groups, all of them). Raises
        :class:`LabStartError` if the process exits or the deadline passes first."""
        deadline = deadline if deadline is not None else time.monotonic() + START_TIMEOUT
        delay = 0.002
        while True:
            match = self.port_pattern.search(self.log_tail(1 << 16))
            if match:
                self.ports = tuple(int(p) for p in match.group("ports").split())
                return self.ports
            if self.process.poll() is not None:
                raise LabStartError(
                    f"{self.process.args!r} exited with {self.process.returncode}:\n"
                    + self.log_tail()
                )
            if time.monotonic() > deadline:
                raise LabStartError(f"{self.process.args!r} printed no port:\n" + self.log_tail())
            time.sleep(delay)
            delay = min(delay * 2, 0.05)

    def stop(self) -> None:
        """Terminate the process group, reap it, delete the folder. Safe to call twice."""
        proc = self.process
        if proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()
        if proc.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                proc.wait(STOP_GRACE)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                proc.wait(START_TIMEOUT)
        shutil.rmtree(self.folder, ignore_errors=True)

    def _signal(self, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, sig)


def openssl_conf(folder: Path, lines: Sequence[str]) -> Path:
    """Write an OpenSSL config whose ``system_default`` section holds ``lines``
    (``Groups = ...``, ``CipherString = ...``); point ``OPENSSL_CONF`` at the returned path.
    With no lines the file still replaces the host's openssl.cnf, so the host's settings never
    change a lab server."""
    path = folder / "openssl.cnf"
    text = [
        "openssl_conf = openssl_init",
        "[openssl_init]",
        "ssl_conf = ssl_sect",
        "[ssl_sect]",
        "system_default = system_default_sect",
        "[system_default_sect]",
        *lines,
        "",
    ]
    path.write_text("\n".join(text), encoding="ascii")
    return path
