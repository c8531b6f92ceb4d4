-- Headless Neovim (Debian's 0.7.2) as the client of `srlens serve`, run by tests/nvim/run.sh:
--   nvim --headless -u NONE -i NONE -n -c "luafile tests/nvim/lsp_e2e.lua"
-- It starts the server with vim.lsp.start_client, opens record 4 of the demo in a task-4 workspace, attaches,
-- waits for the diagnostics, edits the buffer (Neovim's own incremental sync, after non-ASCII text), requests
-- code lenses and speedrun/score, and stops the client. Exits 0 when every step holds, 1 with a message otherwise.

local TIMEOUT = 60000
local bin, repo, work = os.getenv('SRLENS_BIN'), os.getenv('SRLENS_REPO'), os.getenv('SRLENS_E2E_WORK')
local key_changes = { 'padded_vocab', 'relu_squared', 'zero_init_projections', 'qk_norm', 'head_dim_128',
  'remove_attn_residual_scale' }

local function say(...) io.stdout:write(string.format(...) .. '\n') end

local function check(condition, ...)
  if not condition then error(string.format(...), 0) end
end

local function wait_for(what, predicate)
  check(vim.wait(TIMEOUT, predicate, 20), 'timed out after %d ms waiting for %s', TIMEOUT, what)
end

local function copy(from, to)
  check(vim.fn.filereadable(from) == 1, 'missing fixture %s', from)
  vim.fn.writefile(vim.fn.readfile(from, 'b'), to, 'b')
end

-- The ids of the "missing key change: ID" diagnostics, as a sorted list joined by spaces.
local function missing(diagnostics)
  local ids = {}
  for _, d in ipairs(diagnostics or {}) do
    local id = d.message:match('^missing key change: ([%w_]+)')
    if id then table.insert(ids, id) end
  end
  table.sort(ids)
  return table.concat(ids, ' ')
end

local function sorted(list, without)
  local out = {}
  for _, item in ipairs(list) do
    if item ~= without then table.insert(out, item) end
  end
  table.sort(out)
  return table.concat(out, ' ')
end

local function main()
  check(bin and repo and work, 'SRLENS_BIN, SRLENS_REPO and SRLENS_E2E_WORK must be set (run tests/nvim/run.sh)')
  local ws = work .. '/workspace'
  vim.fn.mkdir(ws, 'p')
  vim.fn.writefile({ vim.fn.json_encode({ task = 4, records = repo .. '/examples/demo/records' }) }, ws .. '/.srlens.json')
  copy(repo .. '/examples/demo/records/record_4/train_gpt2.py', ws .. '/base.py')

  -- Every publishDiagnostics, by uri, counted; Neovim's own handler still runs.
  local published, count = {}, {}
  local default_publish = vim.lsp.handlers['textDocument/publishDiagnostics']
  local exit_code, exit_signal
  local client_id = vim.lsp.start_client({
    name = 'srlens',
    cmd = { bin, 'serve' },
    root_dir = ws,
    handlers = {
      ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
        published[result.uri] = result.diagnostics
        count[result.uri] = (count[result.uri] or 0) + 1
        return default_publish(err, result, ctx, config)
      end,
    },
    on_exit = function(code, signal) exit_code, exit_signal = code, signal end,
  })
  check(client_id, 'vim.lsp.start_client returned nil')
  local client = vim.lsp.get_client_by_id(client_id)
  wait_for('initialize', function() return client.initialized or exit_code ~= nil end)
  check(client.initialized, 'the server exited during initialize (code %s)', tostring(exit_code))
  local caps = client.server_capabilities
  say('ok initialize: positionEncoding %s', tostring(caps.positionEncoding))
  check(caps.positionEncoding == 'utf-16', 'Neovim 0.7.2 offers no positionEncodings: utf-16 expected, got %s',
    tostring(caps.positionEncoding))
  check(type(caps.codeLensProvider) == 'table', 'codeLensProvider missing: %s', vim.inspect(caps.codeLensProvider))
  check(caps.textDocumentSync and caps.textDocumentSync.change == 2, 'incremental sync expected: %s',
    vim.inspect(caps.textDocumentSync))

  vim.cmd('filetype on')
  vim.cmd('edit ' .. vim.fn.fnameescape(ws .. '/base.py'))
  local bufnr = vim.api.nvim_get_current_buf()
  local uri = vim.uri_from_bufnr(bufnr)
  check(vim.bo[bufnr].filetype == 'python', 'filetype %s', vim.bo[bufnr].filetype)
  check(vim.lsp.buf_attach_client(bufnr, client_id), 'vim.lsp.buf_attach_client failed')
  wait_for('diagnostics of ' .. uri, function() return published[uri] ~= nil end)
  check(missing(published[uri]) == sorted(key_changes), 'record 4 must miss every key change; got [%s]',
    missing(published[uri]))
  for _, d in ipairs(published[uri]) do
    check(d.source == 'srlens', 'diagnostic source %s', tostring(d.source))
  end
  say('ok diagnostics: %d, missing %s', #published[uri], missing(published[uri]))

  -- Edit 1: non-ASCII text before the MLP's activation, on the same line.
  local line
  for index, content in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, true)) do
    if not line and content:find('return self.c_proj(F.gelu(self.c_fc(x)))', 1, true) then line = index - 1 end
  end
  check(line, 'the MLP line of record 4 is not in the buffer')
  local before = count[uri]
  vim.api.nvim_buf_set_lines(bufnr, line, line + 1, true, { '        s = "Größe 😀"; return self.c_proj(F.gelu(self.c_fc(x)))' })
  wait_for('diagnostics after edit 1', function() return count[uri] > before end)
  -- Edit 2: gelu -> relu(...).square(), at byte columns after the non-ASCII text (Neovim sends UTF-16 columns).
  local text = vim.api.nvim_buf_get_lines(bufnr, line, line + 1, true)[1]
  local first = text:find('gelu(self.c_fc(x))', 1, true) - 1
  before = count[uri]
  vim.api.nvim_buf_set_text(bufnr, line, first, line, first + #'gelu(self.c_fc(x))', { 'relu(self.c_fc(x)).square()' })
  local expected = sorted(key_changes, 'relu_squared')
  wait_for('relu_squared to stop being missing', function()
    return count[uri] > before and missing(published[uri]) == expected
  end)
  say('ok incremental edits: missing %s', missing(published[uri]))

  local lenses = client.request_sync('textDocument/codeLens', { textDocument = { uri = uri } }, TIMEOUT, bufnr)
  check(lenses and not lenses.err, 'codeLens failed: %s', vim.inspect(lenses))
  local relu_lens
  for _, lens in ipairs(lenses.result or {}) do
    local title = lens.command and lens.command.title or ''
    check(title:match('^implements: '), 'lens title %q', title)
    if title:find('relu_squared', 1, true) then relu_lens = lens end
  end
  check(relu_lens, 'no lens names relu_squared after the edit: %s', vim.inspect(lenses.result))
  say('ok code lenses: %d', #lenses.result)

  local score = client.request_sync('speedrun/score', { uris = { uri } }, TIMEOUT, bufnr)
  check(score and not score.err, 'speedrun/score failed: %s', vim.inspect(score))
  local result = score.result
  check(result.task == 4, 'score task %s', tostring(result.task))
  local implemented = {}
  for _, item in ipairs(result.implemented) do table.insert(implemented, type(item) == 'table' and item.id or item) end
  check(table.concat(implemented, ' ') == 'relu_squared',
    'speedrun/score of the edited buffer: implemented {relu_squared} expected, got %s (missing %s)',
    vim.inspect(result.implemented), vim.inspect(result.missing))
  check(#result.missing == 5, 'missing: %s', vim.inspect(result.missing))
  check(result.recall > 0 and result.recall < 1, 'recall %s', tostring(result.recall))
  say('ok speedrun/score: recall %s, structural %s', tostring(result.recall), tostring(result.structural_score))

  client.stop()
  wait_for('the server to exit', function() return exit_code ~= nil end)
  check(exit_code == 0 and exit_signal == 0, 'server exit code %s signal %s after shutdown and exit',
    tostring(exit_code), tostring(exit_signal))
  say('ok shutdown: exit code 0')
end

local ok, message = pcall(main)
if ok then
  say('PASS nvim %s', tostring(vim.version().major .. '.' .. vim.version().minor .. '.' .. vim.version().patch))
  vim.cmd('qall!')
else
  io.stderr:write('FAIL ' .. tostring(message) .. '\n')
  for _, client in pairs(vim.lsp.get_active_clients()) do client.stop(true) end
  vim.cmd('cquit 1')
end
