"""A loopback IMAP4rev1 server that speaks just what imaplib says when
`flask read-replies` reads a mailbox: CAPABILITY, LOGIN, SELECT, UID SEARCH UNSEEN,
UID FETCH (BODY.PEEK[]), UID STORE +FLAGS (\\Seen), CLOSE, NOOP and LOGOUT.

It keeps its messages and their flags, so a test sees what the command marked as read.
"""

import re
import shlex
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class StoredMessage:
    raw: bytes
    flags: set[str] = field(default_factory=set)


@dataclass
class Mailbox:
    user: str
    password: str
    name: str = "INBOX"
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    commands: list[str] = field(default_factory=list)

    def add(self, raw: bytes, *flags: str) -> int:
        uid = max(self.messages, default=100) + 1  # UIDs are not sequence numbers
        self.messages[uid] = StoredMessage(raw, set(flags))
        return uid

    def seen(self, uid: int) -> bool:
        return "\\Seen" in self.messages[uid].flags


def _uids(text: str) -> list[int]:
    uids = []
    for part in text.split(","):
        first, _sep, last = part.partition(":")
        uids.extend(range(int(first), int(last or first) + 1))
    return uids


class _Handler(socketserver.StreamRequestHandler):
    mailbox: Mailbox

    def _send(self, line: str | bytes) -> None:
        self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

    def handle(self) -> None:
        box = self.server.mailbox
        self._send("* OK [CAPABILITY IMAP4rev1] loopback stub ready")
        selected = False
        while line := self.rfile.readline():
            tag, _sep, rest = line.decode().rstrip("\r\n").partition(" ")
            command, _sep, args = rest.partition(" ")
            command = command.upper()
            box.commands.append(command if command != "UID" else f"UID {args.split()[0]}")
            if command == "CAPABILITY":
                self._send("* CAPABILITY IMAP4rev1")
            elif command == "LOGIN":
                user, password = shlex.split(args)
                if (user, password) != (box.user, box.password):
                    self._send(f"{tag} NO [AUTHENTICATIONFAILED] wrong user or password")
                    continue
            elif command == "SELECT":
                if shlex.split(args) != [box.name]:
                    self._send(f"{tag} NO no such mailbox")
                    continue
                selected = True
                self._send(f"* {len(box.messages)} EXISTS")
                self._send("* 0 RECENT")
                self._send("* OK [UIDVALIDITY 7] UIDs valid")
                self._send(f"{tag} OK [READ-WRITE] SELECT completed")
                continue
            elif command == "UID" and selected:
                if not self._uid(tag, args, box):
                    continue
            elif command == "LOGOUT":
                self._send("* BYE logging out")
                self._send(f"{tag} OK LOGOUT completed")
                return
            elif command not in ("NOOP", "CLOSE"):
                self._send(f"{tag} BAD {command} is not understood here")
                continue
            self._send(f"{tag} OK {command} completed")

    def _uid(self, tag: str, args: str, box: Mailbox) -> bool:
        sub, _sep, rest = args.partition(" ")
        sub = sub.upper()
        numbers = {uid: n for n, uid in enumerate(sorted(box.messages), start=1)}
        if sub == "SEARCH" and rest.upper() == "UNSEEN":
            unseen = [str(u) for u, m in sorted(box.messages.items()) if "\\Seen" not in m.flags]
            self._send(" ".join(["* SEARCH", *unseen]))
            return True
        match = re.fullmatch(r"([\d,:]+) (.*)", rest)
        if sub == "FETCH" and match and match.group(2).upper() == "(BODY.PEEK[])":
            for uid in _uids(match.group(1)):
                if uid in box.messages:
                    raw = box.messages[uid].raw
                    head = f"* {numbers[uid]} FETCH (UID {uid} BODY[] {{{len(raw)}}}"
                    self._send(head)
                    self.wfile.write(raw)
                    self._send(")")
            return True
        if sub == "STORE" and match and match.group(2) == "+FLAGS (\\Seen)":
            for uid in _uids(match.group(1)):
                if uid in box.messages:
                    box.messages[uid].flags.add("\\Seen")
                    flags = " ".join(sorted(box.messages[uid].flags))
                    self._send(f"* {numbers[uid]} FETCH (UID {uid} FLAGS ({flags}))")
            return True
        self._send(f"{tag} BAD UID {sub} {rest} is not understood here")
        return False


class LoopbackImap:
    """Serve `mailbox` on 127.0.0.1 in a thread; use as a context manager."""

    def __init__(self, mailbox: Mailbox):
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.mailbox = mailbox
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "LoopbackImap":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
