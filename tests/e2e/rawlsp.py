"""A raw LSP peer over stdio or a socket, for what a client library hides: error codes before `initialize`,
exit codes, and whether every byte the server writes is a well-formed frame."""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, BinaryIO


class ProtocolViolation(AssertionError):
    pass


def read_frame(stream: BinaryIO) -> dict | None:
    """One framed JSON message, None at a clean end of input; ProtocolViolation for anything else."""
    headers: dict[str, str] = {}
    while True:
        line = stream.readline()
        if not line:
            if headers:
                raise ProtocolViolation(f"output ends inside a header block: {headers}")
            return None
        if line in (b"\r\n", b"\n"):
            if not headers:
                raise ProtocolViolation("blank line where a header was expected")
            break
        name, sep, value = line.decode("ascii", "replace").partition(":")
        if not sep or not name.strip() or " " in name.strip():
            raise ProtocolViolation(f"not a header line: {line[:200]!r}")
        headers[name.strip().lower()] = value.strip()
    if "content-length" not in headers:
        raise ProtocolViolation(f"header block without Content-Length: {headers}")
    length = int(headers["content-length"])
    body = stream.read(length)
    if len(body) != length:
        raise ProtocolViolation(f"body cut short: {len(body)} of {length} bytes")
    try:
        return json.loads(body.decode("utf-8"))
    except ValueError as error:
        raise ProtocolViolation(f"body is not JSON ({error}): {body[:200]!r}") from error


class Peer:
    """Sends requests and notifications; a reader thread files responses by id and keeps notifications."""

    def __init__(self, reader: BinaryIO, writer: BinaryIO, timeout: float = 60):
        self.writer, self.timeout = writer, timeout
        self.responses: dict[Any, dict] = {}
        self.notifications: list[dict] = []
        self.violation: ProtocolViolation | None = None
        self.closed = False
        self._cond = threading.Condition()
        self._next_id = 0
        self._thread = threading.Thread(target=self._read, args=(reader,), daemon=True)
        self._thread.start()

    def _read(self, reader: BinaryIO) -> None:
        try:
            while (message := read_frame(reader)) is not None:
                with self._cond:
                    if "method" in message and "id" not in message:
                        self.notifications.append(message)
                    elif "id" in message and "method" not in message:
                        self.responses[message["id"]] = message
                    self._cond.notify_all()
        except ProtocolViolation as error:
            self.violation = error
        except (OSError, ValueError):
            pass
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def send(self, message: dict) -> None:
        body = json.dumps(message, ensure_ascii=False).encode("utf-8")
        self.writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.writer.flush()

    def notify(self, method: str, params: Any = None) -> None:
        message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    def request(self, method: str, params: Any = None) -> dict:
        """The whole response object (with `result` or `error`)."""
        self._next_id += 1
        request_id = self._next_id
        message = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return self.wait(lambda: self.responses.pop(request_id, None), f"a response to {method}")

    def wait(self, find, what: str):
        deadline = time.monotonic() + self.timeout
        with self._cond:
            while (found := find()) is None:
                remaining = deadline - time.monotonic()
                if self.violation:
                    raise self.violation
                if self.closed:
                    raise AssertionError(f"the server closed its output before {what}")
                if remaining <= 0:
                    raise AssertionError(f"no {what} within {self.timeout} s")
                self._cond.wait(remaining)
            return found

    def notification(self, method: str, predicate=lambda params: True) -> dict:
        """Params of the first kept notification with this method that satisfies predicate (removed from the list)."""
        def find():
            for index, message in enumerate(self.notifications):
                if message["method"] == method and predicate(message.get("params")):
                    return self.notifications.pop(index)["params"]
            return None
        return self.wait(find, f"{method} notification")

    def wait_closed(self) -> None:
        self._thread.join(self.timeout)
        if self.violation:
            raise self.violation


class StdioServer(Peer):
    """`srlens serve` as a child process with pipes; stderr goes to a file so it can never block."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: str, stderr_path: str, timeout: float = 60):
        self._stderr = open(stderr_path, "wb")
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
                                        env=env, cwd=cwd)
        super().__init__(self.process.stdout, self.process.stdin, timeout)

    def exit_code(self) -> int:
        """Waits for the process to end; its exit status."""
        try:
            return self.process.wait(self.timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the server was still running {self.timeout} s later") from None

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self._stderr.close()


class SocketPeer(Peer):
    def __init__(self, sock: socket.socket, timeout: float = 60):
        self.socket = sock
        super().__init__(sock.makefile("rb"), sock.makefile("wb"), timeout)

    def close(self) -> None:
        try:
            self.socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.socket.close()


def connect_when_ready(family: int, address, deadline_s: float = 30) -> socket.socket:
    """Connects to a server that is still starting: retries until it listens."""
    deadline = time.monotonic() + deadline_s
    while True:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.connect(address)
            return sock
        except OSError:
            sock.close()
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing listening at {address} after {deadline_s} s") from None
            time.sleep(0.05)


def free_tcp_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def file_uri(path: os.PathLike | str) -> str:
    return Path(path).resolve().as_uri()
