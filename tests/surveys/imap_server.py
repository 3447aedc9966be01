"""A minimal IMAP4rev1 server for the tests, on loopback, answering the few commands imaplib's client uses
to read a mailbox (CAPABILITY, LOGIN, SELECT, SEARCH UNSEEN, FETCH (RFC822), STORE +FLAGS (\\Seen),
NOOP, LOGOUT). No pure-Python IMAP test server is packaged (aiosmtpd is SMTP only), and this is small
enough to read in one go (docs/decisions.md D259). It runs its own asyncio loop in a thread."""

import asyncio
import re
import shlex
import threading
from dataclasses import dataclass, field


@dataclass
class Mailbox:
    user: str = "bounces"
    password: str = "secret"
    folder: str = "INBOX"
    messages: list[bytes] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)  # 1-based sequence numbers
    commands: list[str] = field(default_factory=list)


class ImapServer:
    def __init__(self, mailbox: Mailbox, host: str = "127.0.0.1"):
        self.mailbox, self.host, self.port = mailbox, host, 0
        self.loop = asyncio.new_event_loop()
        self.started = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> "ImapServer":
        self.thread.start()
        if not self.started.wait(10):
            raise RuntimeError("the IMAP test server did not start")
        return self

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._client, self.host, 0))
        self.port = server.sockets[0].getsockname()[1]
        self.started.set()
        try:
            self.loop.run_forever()
        finally:
            server.close()
            self.loop.run_until_complete(server.wait_closed())
            self.loop.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        box = self.mailbox
        logged_in = selected = False
        writer.write(b"* OK IMAP4rev1 test server ready\r\n")
        while True:
            line = await reader.readline()
            if not line:
                break
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            tag, _sep, rest = text.partition(" ")
            command, _sep, arguments = rest.partition(" ")
            command = command.upper()
            box.commands.append(command)
            out: list[bytes] = []
            if command == "CAPABILITY":
                out += [b"* CAPABILITY IMAP4rev1\r\n", f"{tag} OK CAPABILITY completed\r\n".encode()]
            elif command == "NOOP":
                out.append(f"{tag} OK NOOP completed\r\n".encode())
            elif command == "LOGIN":
                words = shlex.split(arguments)
                if words == [box.user, box.password]:
                    logged_in = True
                    out.append(f"{tag} OK LOGIN completed\r\n".encode())
                else:
                    out.append(f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials\r\n".encode())
            elif not logged_in and command != "LOGOUT":
                out.append(f"{tag} BAD log in first\r\n".encode())
            elif command == "SELECT":
                if shlex.split(arguments) == [box.folder]:
                    selected = True
                    out += [
                        f"* {len(box.messages)} EXISTS\r\n".encode(),
                        b"* 0 RECENT\r\n",
                        f"{tag} OK [READ-WRITE] SELECT completed\r\n".encode(),
                    ]
                else:
                    out.append(f"{tag} NO no such mailbox\r\n".encode())
            elif not selected and command != "LOGOUT":
                out.append(f"{tag} BAD select a mailbox first\r\n".encode())
            elif command == "SEARCH" and arguments.upper() == "UNSEEN":
                numbers = [str(n) for n in range(1, len(box.messages) + 1) if n not in box.seen]
                out += [
                    ("* SEARCH " + " ".join(numbers)).rstrip().encode() + b"\r\n",
                    f"{tag} OK SEARCH\r\n".encode(),
                ]
            elif command == "FETCH" and (match := re.fullmatch(r"(\d+) \(RFC822\)", arguments)):
                number = int(match.group(1))
                raw = box.messages[number - 1]
                out += [f"* {number} FETCH (RFC822 {{{len(raw)}}}\r\n".encode() + raw + b")\r\n"]
                out.append(f"{tag} OK FETCH completed\r\n".encode())
            elif command == "STORE" and (match := re.fullmatch(r"(\d+) \+FLAGS \(\\Seen\)", arguments)):
                number = int(match.group(1))
                box.seen.add(number)
                out += [
                    f"* {number} FETCH (FLAGS (\\Seen))\r\n".encode(),
                    f"{tag} OK STORE completed\r\n".encode(),
                ]
            elif command == "LOGOUT":
                writer.write(b"* BYE logging out\r\n" + f"{tag} OK LOGOUT completed\r\n".encode())
                await writer.drain()
                break
            else:
                out.append(f"{tag} BAD unknown command\r\n".encode())
            writer.write(b"".join(out))
            await writer.drain()
        writer.close()
