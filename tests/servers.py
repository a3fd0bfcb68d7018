"""Real ``uvicorn`` server processes on one database, for tests (and ``bench/load.py``) that
need what the in-process ``TestClient`` cannot show: several processes sharing the database,
real sockets, real concurrency. No pytest here, so a script can use it too."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(
    database_url: str,
    count: int = 2,
    *,
    start_timeout: float = 30,
    extra_env: dict[str, str] | None = None,
    log: Path | None = None,
) -> Iterator[list[str]]:
    """``count`` independent ``uvicorn`` processes (one worker each) serving ``database_url``
    on loopback; yields their base URLs once every one answers ``/healthz``. ``log``: where
    the servers' output goes (default: the caller's)."""
    env = {
        **os.environ,
        "RENAKSI_DATABASE_URL": database_url,
        "RENAKSI_DEVELOPMENT": "true",
        "RENAKSI_ALLOWED_HOSTS": "127.0.0.1",
        **(extra_env or {}),
    }
    output = log.open("ab") if log is not None else None
    ports = [free_port() for _ in range(count)]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "renaksi.app:app_from_env",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=output,
            stderr=output,
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        deadline = time.monotonic() + start_timeout
        for url, proc in zip(urls, procs, strict=True):
            while True:
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if proc.poll() is not None:
                    seen = log.read_text(errors="replace")[-2000:] if log is not None else ""
                    raise RuntimeError(f"server on {url} exited with {proc.returncode}\n{seen}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server on {url} did not start in {start_timeout} s")
                time.sleep(0.2)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=10)
        if output is not None:
            output.close()
