"""Fixtures for the `srlens serve` end-to-end tests.

The server is the binary in $SRLENS_BIN (default .build/debug/srlens). Workspaces are temporary folders holding
copies of the embedded demo (examples/demo) and a `.srlens.json` for task 4 that points at the demo's records, so
the suites need nothing outside the repository. `client` and `bare_client` are pytest-lsp clients that
introduce themselves with the capabilities pytest-lsp recorded from VS Code 1.65.2 and Neovim 0.11.0; every test
using them runs once per client.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import pytest_lsp
from pytest_lsp import LanguageClient

from rawlsp import StdioServer
from support import CLIENTS, CONFIG, DEMO, RECORDS, SRLENS, SUBMISSIONS, TIMEOUT, server_env, start_session


def pytest_sessionstart(session):
    if not (SRLENS.is_file() and os.access(SRLENS, os.X_OK)):
        pytest.exit(f"srlens binary not found at {SRLENS}: run `make debug` or set SRLENS_BIN", returncode=2)


def write_workspace(folder: Path, config: dict | None) -> Path:
    folder.mkdir(parents=True)
    if config is not None:
        (folder / ".srlens.json").write_text(json.dumps(config))
    shutil.copy(RECORDS / "record_4" / "train_gpt2.py", folder / "base.py")
    shutil.copy(RECORDS / "record_5" / "train_gpt2.py", folder / "reference.py")
    shutil.copy(SUBMISSIONS / "agent_c" / "train_gpt2.py", folder / "invalid.py")
    shutil.copy(DEMO / "softcap.cu", folder / "softcap.cu")
    return folder


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """Task 4 of the demo: base.py (record 4), reference.py (record 5), invalid.py (agent_c), softcap.cu."""
    return write_workspace(tmp_path / "workspace",
                           {"task": 4, "records": str(RECORDS), "database": str(tmp_path / "srlens.sqlite")})


@pytest.fixture
def bare_workspace(tmp_path: Path) -> Path:
    """The same files with no `.srlens.json` (none above it either: it lives under the system's temp folder)."""
    return write_workspace(tmp_path / "bare", None)


@pytest_lsp.fixture(config=CONFIG, params=list(CLIENTS))
async def client(lsp_client: LanguageClient, request, workspace):
    await start_session(lsp_client, request.param, workspace)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG, params=list(CLIENTS))
async def bare_client(lsp_client: LanguageClient, request, bare_workspace):
    await start_session(lsp_client, request.param, bare_workspace)
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def raw_server(tmp_path: Path):
    """Starts `srlens serve ARGS...` as a raw stdio peer (rawlsp.StdioServer); killed at teardown if still running."""
    servers = []

    def start(*args: str) -> StdioServer:
        server = StdioServer([str(SRLENS), "serve", *args], env=server_env(), cwd=str(tmp_path),
                             stderr_path=str(tmp_path / f"stderr-{len(servers)}.txt"), timeout=TIMEOUT)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()
