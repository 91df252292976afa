"""Drive a server with wrk and read back throughput, latency and status counts."""

import json
import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field

LUA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "requests.lua")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict = field(default_factory=dict)
    body: str = ""

    def line(self) -> str:
        headers = "\x1f".join(f"{name}: {value}" for name, value in self.headers.items())
        for part in (self.path, headers, self.body):
            if any(c in part for c in "\t\n"):
                raise ValueError(f"tab or newline in a request: {part!r}")
        return f"{self.method}\t{self.path}\t{headers}\t{self.body}"


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[str, int]
    errors: dict[str, int]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def socket_errors(self) -> int:
        return sum(v for k, v in self.errors.items() if k != "status")


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(
    base_url: str,
    requests: list[Request],
    duration: float,
    connections: int,
    once: bool = False,
    threads: int = 1,
) -> Result:
    """Send the requests (cycling, or each once) and return what wrk measured."""
    if not requests:
        raise ValueError("no requests")
    connections = max(threads, min(connections, len(requests)) if once else connections)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write("\n".join(r.line() for r in requests) + "\n")
    command = [
        "wrk",
        "--threads",
        str(threads),
        "--connections",
        str(connections),
        "--duration",
        f"{max(1, round(duration))}s",
        "--timeout",
        "60s",
        "--script",
        LUA,
        base_url,
        "--",
        listing.name,
        "once" if once else "cycle",
        str(threads),
    ]
    try:
        process = subprocess.Popen(
            command,
            env={**os.environ, "WRK_ONCE": "1" if once else "0"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        output, finished = [], 0
        for line in process.stdout:
            output.append(line)
            if line.startswith("WRK_ONCE_DONE"):
                finished += 1
                if finished == threads:  # every answer is in: end wrk's wait now
                    process.send_signal(signal.SIGINT)
        stderr = process.stderr.read()
        process.wait()
    finally:
        os.unlink(listing.name)
    for line in output:
        if line.startswith("WRK_JSON "):
            data = json.loads(line.removeprefix("WRK_JSON "))
            break
    else:
        raise RuntimeError(f"wrk gave no figures:\n{''.join(output)}\n{stderr}")
    latency = data["latency_us"]
    return Result(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=latency["p50"] / 1000,
        p95_ms=latency["p95"] / 1000,
        p99_ms=latency["p99"] / 1000,
        max_ms=latency["max"] / 1000,
        statuses=data["statuses"],
        errors=data["errors"],
    )
