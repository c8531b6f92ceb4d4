"""Positions in the negotiated encoding: UTF-16 code units for VS Code 1.65.2, UTF-8 bytes for Neovim 0.11.0.

The line below puts two-byte characters and an astral-plane emoji (two UTF-16 units, four UTF-8 bytes) before a
rule violation, so the two encodings give different columns for the same finding.
"""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from support import CLIENTS, custom, open_document, publish_after

ORIGINAL = "    save_checkpoint: bool = False"
EDITED = '    note = "Größe 😀"; save_checkpoint: bool = True'
CLASS = "class Größe:"


def column(line: str, index: int, encoding: str) -> int:
    prefix = line[:index]
    return len(prefix.encode("utf-8")) if encoding == "utf-8" else len(prefix.encode("utf-16-le")) // 2


async def test_columns_follow_the_negotiated_encoding(client: LanguageClient):
    encoding = CLIENTS[client.client_name]
    text = (client.root / "reference.py").read_text(encoding="utf-8")
    assert ORIGINAL in text
    text = text.replace(ORIGINAL, EDITED) + f"\n\n{CLASS}\n    pass\n"
    path = client.root / "unicode.py"
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    line = lines.index(EDITED)
    start = column(EDITED, EDITED.index("save_checkpoint"), encoding)
    end = column(EDITED, len(EDITED), encoding)
    assert (start, end) == ((23, 51) if encoding == "utf-16" else (27, 55))

    uri, diagnostics = await open_document(client, path)
    errors = [d for d in diagnostics if d.severity == types.DiagnosticSeverity.Error]
    assert len(errors) == 1 and "checkpoint" in f"{errors[0].code} {errors[0].message}", diagnostics
    assert errors[0].range == types.Range(start=types.Position(line=line, character=start),
                                          end=types.Position(line=line, character=end)), \
        f"{encoding} columns {start}-{end} expected, got {errors[0].range}"

    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    grosse = next(symbol for symbol in symbols if symbol.name == "Größe")
    assert grosse.selection_range.end.character == column(CLASS, len("class Größe"), encoding), grosse.selection_range

    # Replace True by False with an incremental edit whose columns are in the same encoding: the finding goes.
    true_at = EDITED.index("True")
    edit = types.TextDocumentContentChangePartial(
        range=types.Range(start=types.Position(line=line, character=column(EDITED, true_at, encoding)),
                          end=types.Position(line=line, character=column(EDITED, true_at + 4, encoding))),
        text="False")
    diagnostics = await publish_after(client, uri, lambda: client.text_document_did_change(
        types.DidChangeTextDocumentParams(text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
                                          content_changes=[edit])))
    assert not [d for d in diagnostics if d.severity == types.DiagnosticSeverity.Error], diagnostics
    assert (await custom(client, "speedrun/check", {"uris": [uri]}))["findings"] == [], \
        "the server's copy of the buffer must read `save_checkpoint: bool = False`"
