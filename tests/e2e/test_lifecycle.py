"""Lifecycle, capabilities, configuration and transports, through a raw peer that sees every byte and exit code."""

from __future__ import annotations

import os
import socket
import subprocess

import pytest

from rawlsp import SocketPeer, connect_when_ready, file_uri, free_tcp_port
from support import RECORDS, SRLENS, TASK4_KEY_CHANGES, TIMEOUT, server_env

SERVER_NOT_INITIALIZED = -32002


def initialize(peer, root, encodings=None, options=None) -> dict:
    capabilities = {} if encodings is None else {"general": {"positionEncodings": encodings}}
    params = {"processId": os.getpid(), "rootUri": file_uri(root), "capabilities": capabilities,
              "workspaceFolders": [{"uri": file_uri(root), "name": root.name}]}
    if options is not None:
        params["initializationOptions"] = options
    response = peer.request("initialize", params)
    assert "result" in response, f"initialize failed: {response}"
    peer.notify("initialized", {})
    return response["result"]


def shutdown(peer) -> None:
    response = peer.request("shutdown")
    assert "error" not in response and response.get("result", "absent") is None, f"shutdown: {response}"
    peer.notify("exit")


def open_and_diagnose(peer, path) -> list[dict]:
    uri = file_uri(path)
    peer.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1,
                                                          "text": path.read_text(encoding="utf-8")}})
    return peer.notification("textDocument/publishDiagnostics", lambda params: params["uri"] == uri)["diagnostics"]


def missing(diagnostics: list[dict]) -> set[str]:
    prefix = "missing key change: "
    return {d["message"][len(prefix):].split()[0].rstrip(":,.;") for d in diagnostics
            if d["message"].startswith(prefix)}


@pytest.mark.parametrize("method, params", [
    ("speedrun/tasks", {}),
    ("textDocument/documentSymbol", {"textDocument": {"uri": "file:///nowhere.py"}}),
    ("shutdown", None),
])
def test_requests_before_initialize_are_refused(raw_server, workspace, method, params):
    server = raw_server()
    response = server.request(method, params)
    assert response.get("error", {}).get("code") == SERVER_NOT_INITIALIZED, f"{method} before initialize: {response}"
    initialize(server, workspace)
    shutdown(server)
    assert server.exit_code() == 0


def test_shutdown_then_exit_exits_0(raw_server, workspace):
    server = raw_server()
    initialize(server, workspace)
    shutdown(server)
    assert server.exit_code() == 0


@pytest.mark.parametrize("initialized", [True, False], ids=["after-initialize", "before-initialize"])
def test_exit_without_shutdown_exits_1(raw_server, workspace, initialized):
    server = raw_server()
    if initialized:
        initialize(server, workspace)
    server.notify("exit")
    assert server.exit_code() == 1


def test_initialize_result(raw_server, workspace):
    server = raw_server()
    result = initialize(server, workspace)
    capabilities = result["capabilities"]
    assert result.get("serverInfo", {}).get("name") == "srlens"
    assert capabilities.get("positionEncoding") == "utf-16"
    assert capabilities.get("textDocumentSync") == {"openClose": True, "change": 2, "save": {"includeText": False}}
    assert capabilities.get("hoverProvider") is True
    assert capabilities.get("codeLensProvider") == {"resolveProvider": False}
    assert capabilities.get("documentSymbolProvider") is True
    shutdown(server)
    assert server.exit_code() == 0


@pytest.mark.parametrize("offered, chosen", [
    (None, "utf-16"), (["utf-16"], "utf-16"), (["utf-8", "utf-16"], "utf-8"), (["utf-16", "utf-8"], "utf-8"),
    (["utf-32", "utf-8"], "utf-8"), (["utf-32"], "utf-16"),
])
def test_position_encoding_negotiation(raw_server, workspace, offered, chosen):
    server = raw_server()
    assert initialize(server, workspace, encodings=offered)["capabilities"].get("positionEncoding") == chosen
    shutdown(server)
    assert server.exit_code() == 0


def test_stdout_carries_only_protocol(raw_server, workspace):
    """A session using every feature; the reader thread fails on any byte that is not part of a frame."""
    server = raw_server()
    initialize(server, workspace)
    diagnostics = open_and_diagnose(server, workspace / "reference.py")
    assert all(d.get("source") == "srlens" for d in diagnostics), diagnostics
    document = {"textDocument": {"uri": file_uri(workspace / "reference.py")}}
    for method, params in [("textDocument/codeLens", document), ("textDocument/documentSymbol", document),
                           ("textDocument/hover", {**document, "position": {"line": 46, "character": 30}}),
                           ("speedrun/tasks", {}), ("speedrun/score", {"uris": [document["textDocument"]["uri"]]})]:
        response = server.request(method, params)
        assert "result" in response, f"{method}: {response}"
    shutdown(server)
    server.wait_closed()
    assert server.exit_code() == 0


def test_initialization_options_configure_the_workspace(raw_server, bare_workspace):
    server = raw_server()
    initialize(server, bare_workspace, options={"task": 4, "records": str(RECORDS)})
    assert missing(open_and_diagnose(server, bare_workspace / "base.py")) == TASK4_KEY_CHANGES
    shutdown(server)
    assert server.exit_code() == 0


def test_workspace_file_is_found_above_the_root(raw_server, workspace):
    root = workspace / "nested" / "deeper"
    root.mkdir(parents=True)
    (root / "base.py").write_text((workspace / "base.py").read_text())
    server = raw_server()
    initialize(server, root)
    assert missing(open_and_diagnose(server, root / "base.py")) == TASK4_KEY_CHANGES
    shutdown(server)
    assert server.exit_code() == 0


@pytest.mark.parametrize("transport", ["socket", "tcp"])
def test_socket_transports(tmp_path, workspace, transport):
    if transport == "socket":
        address, family = str(tmp_path / "srlens.sock"), socket.AF_UNIX
        args = ["--socket", address]
    else:
        port = free_tcp_port()
        address, family = ("127.0.0.1", port), socket.AF_INET
        args = ["--tcp", str(port)]
    with open(tmp_path / "stdout.txt", "wb") as out, open(tmp_path / "stderr.txt", "wb") as err:
        process = subprocess.Popen([str(SRLENS), "serve", *args], stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                   env=server_env(), cwd=tmp_path)
    peer = None
    try:
        peer = SocketPeer(connect_when_ready(family, address), timeout=TIMEOUT)
        initialize(peer, workspace)
        tasks = peer.request("speedrun/tasks", {})
        assert 4 in {task["number"] for task in tasks["result"]["tasks"]}, tasks
        assert missing(open_and_diagnose(peer, workspace / "base.py")) == TASK4_KEY_CHANGES
        shutdown(peer)
        assert process.wait(TIMEOUT) == 0
    finally:
        if peer:
            peer.close()
        if process.poll() is None:
            process.kill()
            process.wait()
