"""Document features as VS Code and Neovim see them: diagnostics, code lenses, hover, document symbols."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from support import (CLIENTS, TASK4_KEY_CHANGES, line_of, missing_key_changes, open_document, publish_after,
                     until)

INFO, ERROR = types.DiagnosticSeverity.Information, types.DiagnosticSeverity.Error


def change(client: LanguageClient, uri: str, version: int, line: int, start: int, end: int, text: str):
    """An incremental didChange replacing [start, end) of one line (columns in the negotiated encoding)."""
    edit = types.TextDocumentContentChangePartial(
        range=types.Range(start=types.Position(line=line, character=start), end=types.Position(line=line, character=end)),
        text=text)
    return lambda: client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=[edit]))


async def test_base_record_misses_every_key_change(client: LanguageClient):
    _, diagnostics = await open_document(client, client.root / "base.py")
    assert missing_key_changes(diagnostics) == TASK4_KEY_CHANGES
    for diagnostic in diagnostics:
        assert diagnostic.source == "srlens", diagnostic
        if diagnostic.message.startswith("missing key change: "):
            assert diagnostic.severity == INFO, diagnostic
    assert not [d for d in diagnostics if d.severity == ERROR], "record 4 breaks no rule"


async def test_reference_record_misses_none(client: LanguageClient):
    _, diagnostics = await open_document(client, client.root / "reference.py")
    assert missing_key_changes(diagnostics) == set()
    assert not [d for d in diagnostics if d.severity == ERROR], diagnostics


async def test_rule_finding_is_an_error_at_its_range(client: LanguageClient):
    path = client.root / "invalid.py"
    line = line_of(path, "for batch in batches(args.input_val_bin, val_steps):")
    _, diagnostics = await open_document(client, path)
    assert missing_key_changes(diagnostics) == set(), "agent_c copies every key change"
    errors = [d for d in diagnostics if d.severity == ERROR]
    assert len(errors) == 1, errors
    assert errors[0].source == "srlens"
    assert errors[0].code == "validation-changed" or "validation" in errors[0].message, errors[0]
    assert (errors[0].range.start.line, errors[0].range.start.character) == (line, 21), errors[0].range
    assert (errors[0].range.end.line, errors[0].range.end.character) == (line, 59), errors[0].range


async def test_no_task_configured(bare_client: LanguageClient):
    _, diagnostics = await open_document(bare_client, bare_client.root / "base.py")
    assert len(diagnostics) == 1, diagnostics
    assert diagnostics[0].severity == INFO
    assert diagnostics[0].message.startswith("srlens: no task configured"), diagnostics[0].message


async def test_incremental_edits_and_save_update_diagnostics(client: LanguageClient):
    path = client.root / "base.py"
    gelu = line_of(path, "return self.c_proj(F.gelu(self.c_fc(x)))")
    column = path.read_text().splitlines()[gelu].index("F.gelu(self.c_fc(x))")
    uri, _ = await open_document(client, path)
    # F.gelu(self.c_fc(x)) -> F.relu(self.c_fc(x)).square(): the squared ReLU of record 5.
    diagnostics = await publish_after(client, uri, change(client, uri, 2, gelu, column, column + len("F.gelu(self.c_fc(x))"),
                                                          "F.relu(self.c_fc(x)).square()"))
    assert missing_key_changes(diagnostics) == TASK4_KEY_CHANGES - {"relu_squared"}
    # An insertion of a whole line: q and k normalized as record 5 does.
    qk = line_of(path, "v = v.view(B, T, self.n_head, self.head_dim).transpose(1, 2)")
    diagnostics = await publish_after(client, uri, change(client, uri, 3, qk + 1, 0, 0,
                                      "        q, k = F.rms_norm(q, (q.size(-1),)), F.rms_norm(k, (k.size(-1),))\n"))
    assert missing_key_changes(diagnostics) == TASK4_KEY_CHANGES - {"relu_squared", "qk_norm"}
    diagnostics = await publish_after(client, uri, lambda: client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))))
    assert missing_key_changes(diagnostics) == TASK4_KEY_CHANGES - {"relu_squared", "qk_norm"}, \
        "didSave without text keeps the edited buffer, not the file on disk"


async def test_code_lenses_name_the_innovations(client: LanguageClient):
    path = client.root / "reference.py"
    uri, _ = await open_document(client, path)
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert lenses, "record 5 implements innovations: lenses expected"
    for lens in lenses:
        assert lens.command is not None and lens.command.title.startswith("implements: "), lens
        assert lens.command.command in ("", "srlens.showEvidence"), lens.command
    mlp, block = line_of(path, "class MLP(nn.Module):"), line_of(path, "class Block(nn.Module):")
    relu = [lens for lens in lenses if "relu_squared" in lens.command.title]
    assert relu and all(mlp <= lens.range.start.line < block for lens in relu), \
        f"the squared ReLU lens belongs to MLP (lines {mlp}-{block - 1}): {relu}"
    titles = " ".join(lens.command.title for lens in lenses)
    assert {change for change in TASK4_KEY_CHANGES if change in titles} == TASK4_KEY_CHANGES, titles


async def test_base_record_lenses_lack_the_key_changes(client: LanguageClient):
    uri, _ = await open_document(client, client.root / "base.py")
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(
        text_document=types.TextDocumentIdentifier(uri=uri))) or []
    titles = " ".join(lens.command.title for lens in lenses if lens.command)
    assert not [change for change in TASK4_KEY_CHANGES if change in titles], titles


async def test_cuda_kernel_lens(client: LanguageClient):
    path = client.root / "softcap.cu"
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="cuda", version=1, text=path.read_text())))
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    kernel = line_of(path, "softcap_bf16(")
    titles = [lens.command.title for lens in lenses or [] if lens.command and kernel - 1 <= lens.range.start.line <= kernel]
    assert any(title.startswith("techniques: ") and "launch_bounds" in title for title in titles), lenses


async def test_hover_on_evidence_names_the_innovation(client: LanguageClient):
    path = client.root / "reference.py"
    line = line_of(path, "return self.c_proj(F.relu(self.c_fc(x)).square())")
    uri, _ = await open_document(client, path)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=line, character=30)))
    assert hover is not None, "hover on the squared ReLU"
    assert isinstance(hover.contents, types.MarkupContent) and hover.contents.kind == types.MarkupKind.Markdown, hover
    assert "relu_squared" in hover.contents.value, hover.contents.value


async def test_hover_off_evidence_does_not_claim_it(client: LanguageClient):
    path = client.root / "base.py"
    line = line_of(path, "return self.c_proj(F.gelu(self.c_fc(x)))")
    uri, _ = await open_document(client, path)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=line, character=30)))
    assert hover is None or "relu_squared" not in str(hover.contents), hover


async def test_document_symbols_are_hierarchical(client: LanguageClient):
    path = client.root / "reference.py"
    uri, _ = await open_document(client, path)
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert symbols and all(isinstance(symbol, types.DocumentSymbol) for symbol in symbols), symbols
    top = {symbol.name: symbol for symbol in symbols}
    for name in ("CausalSelfAttention", "MLP", "Block", "GPTConfig", "GPT", "Hyperparameters"):
        assert top[name].kind == types.SymbolKind.Class, top.get(name)
    for name in ("rmsnorm", "print0", "batches"):
        assert top[name].kind == types.SymbolKind.Function, top.get(name)
    methods = {child.name: child for child in top["GPT"].children or []}
    assert set(methods) >= {"__init__", "forward"}, methods
    assert all(child.kind in (types.SymbolKind.Method, types.SymbolKind.Constructor) for child in methods.values())
    mlp = line_of(path, "class MLP(nn.Module):")
    assert top["MLP"].selection_range == types.Range(start=types.Position(line=mlp, character=6),
                                                     end=types.Position(line=mlp, character=9))
    forward = methods["forward"]
    assert top["GPT"].range.start.line <= forward.range.start.line <= forward.range.end.line <= top["GPT"].range.end.line


async def test_position_encoding_follows_the_client(client: LanguageClient):
    assert client.initialize_result.capabilities.position_encoding == CLIENTS[client.client_name]
