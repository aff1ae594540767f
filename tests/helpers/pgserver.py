"""A throw-away PostgreSQL server for the tests, and a fresh database per test.

`start_server()` runs Debian's PostgreSQL binaries (`/usr/lib/postgresql/<version>/bin`, or
`PRECIS_PG_BINDIR`): `initdb` into a new folder under /tmp, then `pg_ctl start` on a free
loopback port with its socket in that folder, trust authentication, and durability off
(fsync, synchronous commit: nothing here must survive a power cut). PostgreSQL refuses to
run as root, so as root the cluster belongs to `nobody` and every command runs as that user
(subprocess's `user=`): the same from a fresh clone, a CI machine or a developer's shell.

`PRECIS_TEST_POSTGRES_URL` (e.g. `postgresql+asyncpg://user@host/postgres`, a role that may
CREATE DATABASE) uses a running server instead; the restart test then skips.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

UNPRIVILEGED = "nobody"
SETTINGS = (
    "listen_addresses = '127.0.0.1'",
    "fsync = off",
    "synchronous_commit = off",
    "full_page_writes = off",
    "max_connections = 200",
)


class PgUnavailable(RuntimeError):
    """The server could not be started; the message says why."""


def find_bindir() -> Path | None:
    env = os.environ.get("PRECIS_PG_BINDIR")
    candidates = [Path(env)] if env else []  # when set, the only place looked at
    root = Path("/usr/lib/postgresql")
    if root.is_dir() and not env:
        versions = sorted(
            (p for p in root.iterdir() if p.name.isdigit()), key=lambda p: int(p.name)
        )
        candidates += [p / "bin" for p in reversed(versions)]
    for bindir in candidates:
        if (bindir / "initdb").exists() and (bindir / "pg_ctl").exists():
            return bindir
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PgServer:
    """A running server: `admin_url` reaches its `postgres` database."""

    admin_url: str
    bindir: Path | None = None
    root: Path | None = None
    user: str | None = None
    databases: list[str] = field(default_factory=list)

    @property
    def controllable(self) -> bool:
        """Ours (started here): the tests may restart it."""
        return self.root is not None

    def _run(self, *args: str, timeout: float = 60) -> None:
        assert self.bindir is not None
        kwargs: dict[str, Any] = {"user": self.user} if self.user else {}
        done = subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            capture_output=True, text=True, timeout=timeout, cwd="/", check=False, **kwargs,
        )  # fmt: skip
        if done.returncode != 0:
            log = self._log_tail()
            raise PgUnavailable(
                f"{args[0]} {' '.join(args[1:3])} failed ({done.returncode}): "
                f"{done.stderr.strip() or done.stdout.strip()}\n{log}"
            )

    def _log_tail(self) -> str:
        if self.root is None:
            return ""
        with contextlib.suppress(OSError):
            return (self.root / "server.log").read_text(errors="replace")[-2000:]
        return ""

    def _pg_ctl(self, action: str, *extra: str) -> None:
        assert self.root is not None
        data, log = str(self.root / "data"), str(self.root / "server.log")
        self._run("pg_ctl", action, "-D", data, "-l", log, "-w", "-t", "60", *extra)

    def restart(self) -> None:
        """Stop the server (dropping every connection) and start it again."""
        self._pg_ctl("restart", "-m", "fast")

    def halt(self) -> None:
        """Stop the server (dropping every connection) until `resume`."""
        self._pg_ctl("stop", "-m", "fast")

    def resume(self) -> None:
        self._pg_ctl("start")

    def stop(self) -> None:
        if self.root is None:
            return
        with contextlib.suppress(PgUnavailable, subprocess.TimeoutExpired):
            self._pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def url(self, database: str) -> str:
        return make_url(self.admin_url).set(database=database).render_as_string(False)

    def asyncpg_dsn(self, database: str = "postgres") -> str:
        return make_url(self.url(database)).set(drivername="postgresql").render_as_string(False)


def start_server() -> PgServer:
    """The server the tests use: `PRECIS_TEST_POSTGRES_URL`, or a new cluster."""
    external = os.environ.get("PRECIS_TEST_POSTGRES_URL")
    if external:
        return PgServer(admin_url=external)
    bindir = find_bindir()
    if bindir is None:
        raise PgUnavailable(
            "no PostgreSQL binaries (apt-get install postgresql, or set PRECIS_PG_BINDIR "
            "or PRECIS_TEST_POSTGRES_URL)"
        )
    user = UNPRIVILEGED if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="precis-pg-", dir="/tmp"))
    if user:
        entry = pwd.getpwnam(user)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    port = _free_port()
    server = PgServer(
        admin_url=f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres",
        bindir=bindir, root=root, user=user,
    )  # fmt: skip
    try:
        server._run("initdb", "-D", str(root / "data"), "-U", "postgres", "-A", "trust",
                    "-E", "UTF8", "--no-locale", "--no-sync")  # fmt: skip
        conf = [*SETTINGS, f"port = {port}", f"unix_socket_directories = '{root}'"]
        _append_as(user, root / "data" / "postgresql.conf", "\n".join(conf) + "\n")
        server._pg_ctl("start")
    except (PgUnavailable, OSError, subprocess.TimeoutExpired) as exc:
        server.stop()
        raise PgUnavailable(f"PostgreSQL did not start: {exc}") from exc
    atexit.register(server.stop)  # also when the session ends without its teardown
    return server


def _append_as(user: str | None, path: Path, text: str) -> None:
    with path.open("a") as out:
        out.write(text)
    if user:  # written by root: hand it back
        entry = pwd.getpwnam(user)
        os.chown(path, entry.pw_uid, entry.pw_gid)


async def create_database(server: PgServer, *, template: str | None = None) -> str:
    """A new database on `server` (empty, or a copy of `template`); returns its URL."""
    import asyncpg

    name = f"precis_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(server.asyncpg_dsn())
    try:
        copy = f' TEMPLATE "{template}"' if template else ""
        await conn.execute(f'CREATE DATABASE "{name}"{copy}')
    finally:
        await conn.close()
    server.databases.append(name)
    return server.url(name)


async def drop_database(server: PgServer, url: str) -> None:
    import asyncpg

    name = make_url(url).database
    conn = await asyncpg.connect(server.asyncpg_dsn())
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
