"""A throwaway PostgreSQL server on loopback for tests and benchmarks.

Debian's ``postgresql`` package (``.ci/run`` installs it) provides ``initdb`` and ``postgres``;
the server runs from a private folder, listens on 127.0.0.1 only, trusts local connections and
is stopped (and its folder removed) when the context ends. PostgreSQL refuses to run as root,
so under root the server and ``initdb`` run as the ``postgres`` system user.

    with PostgresServer() as server:
        url = server.create_database("inventory_a")   # postgresql+psycopg://...
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Final

from pqcscan.demo.lab.process import LabStartError

START_TIMEOUT: Final = 30.0
USER: Final = "pqcscan"


def postgres_bindir() -> Path | None:
    """The folder holding ``initdb`` and ``postgres`` (None when PostgreSQL is not installed)."""
    candidates: list[Path] = []
    if pg_config := shutil.which("pg_config"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
            candidates.append(Path(out))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "postgres").is_file():
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """Start ``postgres`` in a private folder; :meth:`create_database` hands out URLs."""

    def __init__(self) -> None:
        bindir = postgres_bindir()
        if bindir is None:
            raise LabStartError("PostgreSQL is not installed (apt install postgresql)")
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="pqcscan-pg-"))
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._run_as: str | None = "postgres" if os.geteuid() == 0 else None

    # -- life cycle -------------------------------------------------------------------------
    def start(self) -> PostgresServer:
        data, log = self.folder / "data", self.folder / "server.log"
        if self._run_as:
            entry = pwd.getpwnam(self._run_as)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        initdb = [str(self.bindir / "initdb"), "-D", str(data), "-U", USER, "-A", "trust"]
        self._run([*initdb, "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
        self.port = _free_port()
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(self.folder),
            "fsync": "off",  # a test server: durability is not what is under test
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "200",
        }
        argv = [str(self.bindir / "postgres"), "-D", str(data)]
        for key, value in settings.items():
            argv += ["-c", f"{key}={value}"]
        with log.open("wb") as out:
            self._process = subprocess.Popen(
                argv,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                user=self._run_as,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5),
            ):
                if self._accepts_queries():
                    return self
            time.sleep(0.1)
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        self.stop()
        raise LabStartError(f"PostgreSQL did not start on port {self.port}:\n{tail}")

    def _accepts_queries(self) -> bool:
        probe = subprocess.run(
            [str(self.bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"],
            capture_output=True,
            timeout=10,
        )
        return probe.returncode == 0

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()  # SIGTERM: "smart" shutdown; SIGINT would be "fast"
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(10)
        self._process = None
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- databases --------------------------------------------------------------------------
    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of one database on this server (psycopg 3)."""
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database and return its URL."""
        if not name.replace("_", "").isalnum():
            raise ValueError(f"not a plain database name: {name!r}")
        self.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def execute(self, sql: str, database: str = "postgres") -> str:
        """Run one statement (psycopg, autocommit) and return its first column, one row a line."""
        import psycopg

        dsn = f"host=127.0.0.1 port={self.port} user={USER} dbname={database}"
        with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor() as cur:
            cur.execute(sql.encode())
            if cur.description is None:
                return ""
            return "\n".join(str(row[0]) for row in cur.fetchall())

    def _run(self, argv: list[str]) -> None:
        done = subprocess.run(argv, capture_output=True, text=True, user=self._run_as, timeout=120)
        if done.returncode != 0:
            raise LabStartError(f"{Path(argv[0]).name} failed: {done.stderr[-2000:]}")
