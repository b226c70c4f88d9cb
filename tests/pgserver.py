"""A throwaway PostgreSQL server for tests that stop and restart it.

`initdb` makes a cluster in a temporary folder owned by the `postgres` OS user (the tests
run as root, and PostgreSQL refuses to run as root), `pg_ctl` starts it on a free port of
127.0.0.1 other than 5432, with its Unix socket in that folder; `stop`, `start` and
`restart` (fast mode: open sessions are cut, as when the back-office PC restarts the
service) are the real commands. `close` stops it and removes everything.

Missing binaries skip the test, except under CI=true where they fail it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

SEARCH = [
    *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True),
    Path("/usr/local/bin"),
    Path("/usr/local/pgsql/bin"),
]


def find_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl (newest PostgreSQL first), or None."""
    for folder in SEARCH:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    return None


def require_binaries() -> Path:
    folder = find_binaries()
    if folder is None:
        reason = "initdb/pg_ctl not found (install the postgresql package)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}: required under CI=true")
        pytest.skip(reason)
    return folder


def free_port() -> int:
    """A TCP port nothing listens on now (never 5432, the shared test server's)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port != 5432:
            return port


class PgServer:
    """One cluster: `url(db)` for clients, `stop()`/`start()`/`restart()` as an administrator would."""

    def __init__(self, port: int | None = None) -> None:
        self.bin = require_binaries()
        self.as_postgres = os.geteuid() == 0
        self.dir = Path(tempfile.mkdtemp(prefix="verifier-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.port = port or free_port()
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        self.run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C"
        )
        self.options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.dir} "
            "-c fsync=off -c full_page_writes=off -c max_connections=60 -c shared_buffers=32MB"
        )
        self.start()

    def run(self, tool: str, *args: str) -> None:
        """Run one of the server's tools (pg_dump, createdb…) as the postgres OS user."""
        command = [str(self.bin / tool), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, cwd=self.dir, timeout=300)
        if result.returncode != 0:
            log = self.log.read_text("utf-8", "replace")[-3000:] if self.log.exists() else ""
            raise RuntimeError(f"{tool} {' '.join(args)} failed:\n{result.stdout}{result.stderr}\n{log}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "120", "stop")

    def start(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-o", self.options, "-l", str(self.log), "-w", "-t", "120", "start")

    def restart(self) -> None:
        """`pg_ctl restart -m fast`: every session is cut, the server is back when this returns."""
        self.run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-m",
            "fast",
            "-o",
            self.options,
            "-l",
            str(self.log),
            "-w",
            "-t",
            "120",
            "restart",
        )

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def close(self) -> None:
        try:
            if self.running():
                self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "60", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def wait_until_down(self, timeout: float = 60.0) -> None:
        end = time.monotonic() + timeout
        while self.running() and time.monotonic() < end:
            time.sleep(0.05)


# --- a connection cut right after the server committed ----------------------------------

# psycopg commits with a simple-protocol "COMMIT" query: 'Q', int32 length 11, the text, NUL.
COMMIT_MESSAGE = b"Q\x00\x00\x00\x0bCOMMIT\x00"


@pytest.fixture(scope="module")
def pg_server() -> Iterator[PgServer]:
    """A throwaway server for the tests of one module (import this fixture there)."""
    server = PgServer()
    try:
        yield server
    finally:
        server.close()


def fresh_database(server: PgServer) -> str:
    """The URL of a new, empty database on `server`, started again if a test stopped it."""
    if not server.running():
        server.start()
    return server.create_database(f"verifier_{uuid.uuid4().hex[:10]}")


class CommitCutter:
    """A TCP relay in front of a server that, when armed, loses one COMMIT's acknowledgement.

    It forwards the client's COMMIT, waits for the server's answer (so the server has
    committed), and instead of passing it on closes both sides: the client sees its
    connection die during the COMMIT, exactly as when the network or the server goes at
    that moment. Disarmed, it only relays.
    """

    def __init__(self, server_port: int) -> None:
        import threading

        self.server_port = server_port
        self.armed = threading.Event()
        self.cuts = 0
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.port = int(self._listener.getsockname()[1])
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}?sslmode=disable"

    def _accept(self) -> None:
        import threading

        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.server_port))
            state = {"cut_pending": False}
            threading.Thread(target=self._upstream, args=(client, server, state), daemon=True).start()
            threading.Thread(target=self._downstream, args=(server, client, state), daemon=True).start()

    def _upstream(self, client: socket.socket, server: socket.socket, state: dict[str, bool]) -> None:
        try:
            while data := client.recv(65536):
                if self.armed.is_set() and COMMIT_MESSAGE in data:
                    state["cut_pending"] = True  # before forwarding: the answer cannot overtake it
                server.sendall(data)
        except OSError:
            pass
        finally:
            _close(server)

    def _downstream(self, server: socket.socket, client: socket.socket, state: dict[str, bool]) -> None:
        try:
            while data := server.recv(65536):
                if state["cut_pending"]:
                    self.armed.clear()
                    self.cuts += 1
                    break  # the server committed and answered; the client never hears it
                client.sendall(data)
        except OSError:
            pass
        finally:
            _close(client)
            _close(server)

    def close(self) -> None:
        self._closed = True
        _close(self._listener)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
