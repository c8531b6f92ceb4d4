"""Paths, expectations and helpers shared by the `srlens serve` end-to-end tests."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "demo"
RECORDS = DEMO / "records"
SUBMISSIONS = DEMO / "submissions"
CORPUS = REPO.parent / "shared" / "corpus"
SRLENS = Path(os.environ.get("SRLENS_BIN") or REPO / ".build" / "debug" / "srlens")
TIMEOUT = 60.0

# Task 4 of the demo: the key changes record_5 makes to record_4.
TASK4_KEY_CHANGES = {"padded_vocab", "relu_squared", "zero_init_projections", "qk_norm", "head_dim_128",
                     "remove_attn_residual_scale"}
# pytest-lsp's recorded clients and the position encoding the server must choose for each: VS Code 1.65.2 lists
# no general.positionEncodings (so UTF-16); Neovim 0.11.0 lists utf-8 first.
CLIENTS = {"visual-studio-code": "utf-16", "neovim": "utf-8"}


def server_env() -> dict[str, str]:
    """The test process's environment without SRLENS_RECORDS, which would override the workspace's records."""
    return {name: value for name, value in os.environ.items() if name != "SRLENS_RECORDS"}


CONFIG = ClientServerConfig(server_command=[str(SRLENS), "serve"], server_env=server_env())


async def start_session(lsp_client: LanguageClient, client_name: str, root: Path) -> None:
    result = await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities(client_name),
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
    ))
    lsp_client.client_name = client_name
    lsp_client.initialize_result = result
    lsp_client.root = root


async def until(predicate, what: str, timeout: float = TIMEOUT):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.02)
    return value


async def publish_after(client: LanguageClient, uri: str, action) -> list[types.Diagnostic]:
    """Runs action (which sends a notification) and returns the diagnostics the server then publishes for uri."""
    client.diagnostics.pop(uri, None)
    action()
    await until(lambda: uri in client.diagnostics, f"textDocument/publishDiagnostics for {uri}")
    return list(client.diagnostics[uri])


async def open_document(client: LanguageClient, path: Path, text: str | None = None,
                        language_id: str | None = None) -> tuple[str, list[types.Diagnostic]]:
    """didOpen (text from disk unless given); the uri and the diagnostics published for it."""
    uri = path.as_uri()
    language_id = language_id or ("cuda" if path.suffix == ".cu" else "python")
    text = path.read_text(encoding="utf-8") if text is None else text
    item = types.TextDocumentItem(uri=uri, language_id=language_id, version=1, text=text)
    diagnostics = await publish_after(
        client, uri, lambda: client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item)))
    return uri, diagnostics


async def custom(client: LanguageClient, method: str, params: dict):
    """A `speedrun/...` request; the result as plain JSON values."""
    result = await asyncio.wait_for(client.protocol.send_request_async(method, params), TIMEOUT)
    return to_json(result)


def to_json(value):
    """pygls hands results of methods it does not know back as dicts or as attribute objects; normalise."""
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
        return [to_json(item) for item in value]
    if hasattr(value, "_asdict"):
        return to_json(value._asdict())
    return value


def ids(items) -> set[str]:
    """Innovation ids from a list of ids or of objects with an `id`."""
    return {item if isinstance(item, str) else item["id"] for item in items}


def missing_key_changes(diagnostics) -> set[str]:
    prefix = "missing key change: "
    return {d.message[len(prefix):].split()[0].rstrip(":,.;") for d in diagnostics if d.message.startswith(prefix)}


def line_of(path: Path, text: str) -> int:
    """The 0-based number of the first line of path containing text."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if text in line:
            return number
    raise AssertionError(f"{text!r} is not in {path}")
