"""Start a WSGI app under gunicorn on loopback, watch its workers, stop it."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass(frozen=True)
class ServerSettings:
    """The gunicorn settings every server of one benchmark run shares."""

    workers: int = 4
    threads: int = 4

    def arguments(self) -> list[str]:
        return [
            "--workers",
            str(self.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(self.threads),
            "--backlog",
            "2048",
            # Long enough that a burst's connections, idle once they have sent their
            # one booking, are still open when the last answer comes.
            "--keep-alive",
            "60",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ]

    def __str__(self) -> str:
        return f"gunicorn gthread, {self.workers} workers × {self.threads} threads"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """One gunicorn master and its workers, serving `target` (module:callable)."""

    target: str
    settings: ServerSettings
    env: dict = field(default_factory=dict)
    ready_path: str = "/"
    # (session cookie, CSRF token) of the people signed in to it, for requests made as them.
    signed_in: list = field(default_factory=list)
    port: int = 0
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Server":
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                *self.settings.arguments(),
                "--bind",
                f"127.0.0.1:{self.port}",
                self.target,
            ],
            env={**os.environ, **self.env},
            cwd=ROOT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.url + self.ready_path, timeout=10):
                    pass
                break
            except urllib.error.HTTPError:
                break  # it answers; a 4xx is an answer
            except (OSError, urllib.error.URLError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.process.kill()
                    raise RuntimeError(f"gunicorn did not start: {self.target}") from None
                time.sleep(0.2)
        # Every worker answers before we measure (each imports the app on its own).
        deadline = time.monotonic() + 60
        while len(self.workers()) < self.settings.workers and time.monotonic() < deadline:
            time.sleep(0.2)
        return self

    def __exit__(self, *_exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def workers(self) -> list[int]:
        """The pids of the master's worker processes."""
        master = self.process.pid
        children = []
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/stat") as handle:
                    stat = handle.read()
            except OSError:
                continue
            # pid (comm) state ppid ...: comm may hold spaces, so split after ")".
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == master:
                children.append(int(name))
        return children

    def cpu_ticks(self) -> int:
        """CPU time its workers have used so far, in clock ticks."""
        total = 0
        for pid in self.workers():
            try:
                with open(f"/proc/{pid}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total

    def wait_idle(self, quiet: float = 0.5, timeout: float = 120) -> None:
        """Until its workers use no CPU for `quiet` seconds: the requests a load run left
        in them (the client gone, the server still at work) are done."""
        deadline = time.monotonic() + timeout
        before = self.cpu_ticks()
        while time.monotonic() < deadline:
            time.sleep(quiet)
            now = self.cpu_ticks()
            if now - before <= 1:
                return
            before = now

    def peak_rss_mb(self) -> dict[int, float]:
        """VmHWM (peak resident set) of each worker, in MB."""
        peaks = {}
        for pid in self.workers():
            try:
                with open(f"/proc/{pid}/status") as handle:
                    for line in handle:
                        if line.startswith("VmHWM:"):
                            peaks[pid] = int(line.split()[1]) / 1024
            except OSError:
                continue
        return peaks
