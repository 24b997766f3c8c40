"""Child processes of a test or a benchmark: the services (``gigalert <kind> serve``, each
on a free port) and helpers such as an SMTP sink, each logging to a file, stopped by pid."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx

from tests.support.machine import proc_cpu_seconds
from tests.support.ports import free_port

GIGALERT = Path(sys.executable).parent / "gigalert"
PORT_VARIABLE = {
    "ingest": "GIGALERT_HTTP_INGEST_PORT",
    "matcher": "GIGALERT_HTTP_MATCHER_PORT",
    "notifier": "GIGALERT_HTTP_NOTIFIER_PORT",
}


class ProcessDied(RuntimeError):
    pass


def tail(path: Path, lines: int = 60) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def open_log(path: Path, banner: str) -> int:
    """A file descriptor appending to ``path``, after a line saying what starts."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.write(fd, banner.encode())
    return fd


class Process:
    """One child process; it can be stopped, killed and started again with the same
    command and environment. Its output goes to ``log``; with ``ready_line`` its stdout is
    a pipe that :meth:`wait_line` reads instead."""

    def __init__(
        self,
        kind: str,
        name: str,
        argv: Sequence[str],
        env: Mapping[str, str],
        log: Path,
        *,
        cwd: Path,
        port: int | None = None,
        ready_line: bool = False,
    ) -> None:
        self.kind = kind
        self.name = name
        self.argv = list(argv)
        self.env = dict(env)
        self.log = log
        self.cwd = cwd
        self.port = port
        self.ready_line = ready_line
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def start(self) -> None:
        if self.running:
            raise RuntimeError(f"{self.name} is running")
        self.starts += 1
        fd = open_log(self.log, f"--- {self.name} start #{self.starts} at {time.time():.3f}\n")
        try:
            self.process = await asyncio.create_subprocess_exec(
                *self.argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE if self.ready_line else fd,
                stderr=fd,
                env=self.env,
                cwd=self.cwd,
            )
        finally:
            os.close(fd)

    async def wait_ready(self, path: str = "/readyz", timeout: float = 90.0) -> None:
        """Until ``path`` answers 200 (or the process exits: :class:`ProcessDied`)."""
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=5.0) as client:
            while True:
                if not self.running:
                    raise ProcessDied(f"{self.name} exited before it was ready:\n{self.tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(self.url + path)).status_code == 200:
                        return
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{self.name} not ready in {timeout} s:\n{self.tail()}")
                await asyncio.sleep(0.2)

    async def wait_line(self, expected: str = "ready", timeout: float = 60.0) -> None:
        """Until the process prints a line on stdout, which must be ``expected``."""
        assert self.process is not None and self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), timeout)
        if line.decode(errors="replace").strip() != expected:
            raise ProcessDied(f"{self.name} did not start: {line!r}\n{self.tail()}")

    def cpu_seconds(self) -> float:
        """CPU time of the running process so far (user + system); 0 when not running."""
        if not self.running:
            return 0.0
        seconds = proc_cpu_seconds(self.pid)
        return 0.0 if seconds != seconds else seconds  # gone since: NaN

    async def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 30.0) -> float:
        """Send ``sig`` and wait for the exit (SIGKILL after ``timeout``); return how long
        the process took to exit."""
        start = time.monotonic()
        if self.process is None or self.process.returncode is not None:
            return 0.0
        self.process.send_signal(sig)
        try:
            await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        return time.monotonic() - start

    def tail(self, lines: int = 60) -> str:
        return tail(self.log, lines)


class Fleet:
    """The processes of one test or benchmark run, sharing a base environment; each one's
    log in ``log_dir``. :meth:`close` stops them all."""

    def __init__(
        self, log_dir: Path, base_env: Mapping[str, str], *, cwd: Path | None = None
    ) -> None:
        self.log_dir = log_dir
        self.base_env = dict(base_env)
        self.cwd = cwd or log_dir  # by default no .env of the repository leaks in
        self.processes: list[Process] = []

    def spawn(
        self,
        kind: str,
        argv: Sequence[str],
        env: Mapping[str, str] | None = None,
        *,
        port: int | None = None,
        ready_line: bool = False,
    ) -> Process:
        """A process of this fleet, not started yet, named ``<kind>-<n>``."""
        name = f"{kind}-{sum(p.kind == kind for p in self.processes) + 1}"
        process = Process(
            kind,
            name,
            argv,
            {**self.base_env, **(env or {})},
            self.log_dir / f"{name}.log",
            cwd=self.cwd,
            port=port,
            ready_line=ready_line,
        )
        self.processes.append(process)
        return process

    def add(self, kind: str, env: Mapping[str, str] | None = None) -> Process:
        """``gigalert <kind> serve`` on a free port, not started yet."""
        port = free_port()
        env = {**(env or {}), PORT_VARIABLE[kind]: str(port)}
        return self.spawn(kind, [str(GIGALERT), kind, "serve"], env, port=port)

    async def launch(
        self,
        kind: str,
        argv: Sequence[str],
        env: Mapping[str, str] | None = None,
        *,
        port: int | None = None,
        ready_line: bool = False,
    ) -> Process:
        """:meth:`spawn` and start (readiness is the caller's to wait for)."""
        process = self.spawn(kind, argv, env, port=port, ready_line=ready_line)
        await process.start()
        return process

    def of(self, kind: str) -> list[Process]:
        return [p for p in self.processes if p.kind == kind]

    async def start(
        self, processes: Sequence[Process] | None = None, *, ready_timeout: float = 90.0
    ) -> None:
        """Start these processes (all by default) and wait until each one is ready."""
        todo = list(processes if processes is not None else self.processes)
        for p in todo:
            await p.start()
        await asyncio.gather(*(p.wait_ready(timeout=ready_timeout) for p in todo))

    def cpu(self) -> str:
        return ", ".join(f"{p.name} {p.cpu_seconds():.0f} s" for p in self.processes if p.running)

    async def close(self) -> None:
        await asyncio.gather(*(p.stop(signal.SIGTERM, timeout=25) for p in self.processes))

    def logs(self) -> list[Path]:
        return [p.log for p in self.processes]
