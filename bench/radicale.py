"""Radicale on loopback, holding the same events as a feed: the cold feed's anchor.

A CalDAV server keeps each event as a finished text and serves a collection by
joining them; it is what a calendar program could subscribe to instead of our feed.
The benchmark files a feed's events into one collection as Radicale stores them
after a PUT of each (a file per event: VCALENDAR, VTIMEZONE, VEVENT; written
directly, because 1,000 PUTs with Radicale's fsync take minutes on a busy machine),
checks what a GET of the collection serves, then times such GETs: the request a
subscription to the collection makes.
"""

import base64
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

from bench.load import Request
from bench.server import free_port

USER = "bench"
COLLECTION = f"/{USER}/feed/"
ITEM_HEAD = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tcb-bench//anchor//EN\r\n"
AUTHORIZATION = "Basic " + base64.b64encode(f"{USER}:x".encode()).decode()


class Radicale:
    def __init__(self, folder: str):
        self.folder = folder
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _call(self, method: str, path: str, body: bytes | None = None, kind: str = ""):
        request = urllib.request.Request(self.url + path, data=body, method=method)
        request.add_header("Authorization", AUTHORIZATION)
        if kind:
            request.add_header("Content-Type", kind)
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.status, response.read()

    def __enter__(self) -> "Radicale":
        self.port = free_port()
        config = os.path.join(self.folder, "radicale.conf")
        with open(config, "w") as handle:
            handle.write(
                f"[server]\nhosts = 127.0.0.1:{self.port}\n[auth]\ntype = none\n"
                f"[storage]\nfilesystem_folder = {os.path.join(self.folder, 'collections')}\n"
                "[logging]\nlevel = warning\n"
            )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", config],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "HOME": self.folder},
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                self._call("PROPFIND", "/")
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.process.kill()
                    raise RuntimeError("Radicale did not start") from None
                time.sleep(0.2)
        return self

    def __exit__(self, *_exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def file(self, calendar: bytes) -> None:
        """File each event of the calendar as an item of the collection (before start)."""
        zone = re.search(rb"BEGIN:VTIMEZONE\r\n.*?END:VTIMEZONE\r\n", calendar, re.S).group()
        folder = os.path.join(self.folder, "collections", "collection-root", *COLLECTION.split("/"))
        os.makedirs(folder)
        with open(os.path.join(folder, ".Radicale.props"), "w") as handle:
            json.dump({"tag": "VCALENDAR"}, handle)
        events = re.findall(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", calendar, re.S)
        for number, event in enumerate(events):
            with open(os.path.join(folder, f"event-{number}.ics"), "wb") as handle:
                handle.write(ITEM_HEAD + zone + event + b"END:VCALENDAR\r\n")

    def serves(self) -> int:
        """How many events a GET of the collection serves."""
        _status, served = self._call("GET", COLLECTION)
        return served.count(b"BEGIN:VEVENT")

    def requests(self, user_agent: str) -> list[Request]:
        return [
            Request("GET", COLLECTION, {"Authorization": AUTHORIZATION, "User-Agent": user_agent})
        ]
