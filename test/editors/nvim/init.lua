-- Headless Neovim as a second, independent LSP client of the pglens language server (test/editors/run.mjs).
-- Starts `node out/server.js --stdio`, attaches it to the file given on the command line, waits for diagnostics,
-- asks for a hover, runs EXPLAIN ANALYZE with a parameter value, applies "Add index", "Add NOT VALID" (with its VALIDATE
-- migration) and a lock rewrite, edits the query so it uses the primary key and waits for the diagnostics to clear, then
-- writes what it saw to $PGLENS_NVIM_OUT as JSON.

local server = os.getenv('PGLENS_SERVER')
local root = os.getenv('PGLENS_WORKSPACE')
local out = os.getenv('PGLENS_NVIM_OUT')
local result = { diagnostics = {}, hover = nil, table_hover = nil, completion = {}, add_index = nil, migrations = {}, after_edit = nil, errors = {} }

local function finish()
  local file = io.open(out, 'w')
  file:write(vim.fn.json_encode(result))
  file:close()
  vim.cmd('qall!')
end

local ok, err = pcall(function()
  local client_id = vim.lsp.start_client({
    name = 'pglens',
    cmd = { 'node', server, '--stdio' },
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = 'fixture' } },
    settings = { pglens = { debounceMs = 100 } },
  })
  assert(client_id, 'the language server did not start')
  vim.cmd('edit ' .. root .. '/src/orders.ts')
  local bufnr = vim.api.nvim_get_current_buf()
  vim.lsp.buf_attach_client(bufnr, client_id)

  local function pglens_diagnostics()
    local found = {}
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.source == 'pglens' then
        local lsp = (d.user_data or {}).lsp or {}
        table.insert(found, {
          lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
          severity = d.severity, message = d.message, code = d.code or lsp.code,
        })
      end
    end
    return found
  end

  vim.wait(60000, function() return #pglens_diagnostics() > 0 end, 50)
  result.diagnostics = pglens_diagnostics()

  local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = 3, character = 16 },
  }, 20000)
  for _, response in pairs(responses or {}) do
    if response.result and response.result.contents then result.hover = response.result.contents.value end
    if response.err then table.insert(result.errors, vim.inspect(response.err)) end
  end

  local function request(method, params)
    local responses = vim.lsp.buf_request_sync(bufnr, method, params, 20000)
    for _, response in pairs(responses or {}) do
      if response.err then table.insert(result.errors, method .. ': ' .. vim.inspect(response.err)) end
      return response.result
    end
  end
  local uri = vim.uri_from_bufnr(bufnr)

  -- Production's numbers (prod-snapshot.json) as a CodeLens, the way a Neovim user gets them: vim.lsp.codelens.
  vim.wait(20000, function()
    vim.lsp.codelens.refresh()
    vim.wait(300)
    return #vim.lsp.codelens.get(bufnr) > 0
  end, 200)
  result.codelens = {}
  for _, lens in ipairs(vim.lsp.codelens.get(bufnr)) do
    table.insert(result.codelens, { lens.range.start.line, lens.command and lens.command.title or '' })
  end

  -- Hover on a table name (`accounts`, line 8) and completion of a table name after FROM (in `accounts`).
  local table_hover = request('textDocument/hover', { textDocument = { uri = uri }, position = { line = 7, character = 30 } })
  if table_hover and table_hover.contents then result.table_hover = table_hover.contents.value end
  local completion = request('textDocument/completion', { textDocument = { uri = uri }, position = { line = 7, character = 29 } })
  for _, item in ipairs((completion and (completion.items or completion)) or {}) do table.insert(result.completion, item.label) end

  -- EXPLAIN ANALYZE of `accounts where id = ${id}` (line 8) through workspace/executeCommand: first the parameter's
  -- type and source, then the run with a value, as docs/editor-setup.md shows it.
  local at = { uri = uri, position = { line = 7, character = 20 } }
  local asked = request('workspace/executeCommand', { command = 'pglens.server.explainAnalyze', arguments = { at } })
  local parameter = asked and asked.needsValues and asked.needsValues.parameters[1]
  if parameter then result.analyze_parameter = { parameter.index, parameter.type, parameter.source } end
  local ran = request('workspace/executeCommand', { command = 'pglens.server.explainAnalyze', arguments = { vim.tbl_extend('force', at, { values = { '1' } }) } })
  if ran then result.analyze = { actual_rows = ran.root and ran.root.actualRows, error = ran.error } end

  -- A code action as Neovim 0.7 applies one: its edit if any, then its command. Opens `file`, waits for a pglens
  -- diagnostic of `rule`, asks for the code actions at it and applies the first whose title matches `title`.
  -- Returns the title and the buffer.
  local function apply_code_action(file, rule, title)
    vim.cmd('edit ' .. file)
    local buf = vim.api.nvim_get_current_buf()
    vim.lsp.buf_attach_client(buf, client_id)
    local function of_rule()
      local found = {}
      for _, d in ipairs(vim.diagnostic.get(buf)) do
        local lsp = (d.user_data or {}).lsp or {}
        if d.source == 'pglens' and (d.code or lsp.code) == rule then table.insert(found, d) end
      end
      return found
    end
    vim.wait(60000, function() return #of_rule() > 0 end, 50)
    local lsp_diagnostics = {}
    -- Back to LSP's form, as vim.lsp.buf.code_action does (user_data.lsp keeps only code and data in 0.7).
    for _, d in ipairs(of_rule()) do
      local lsp = (d.user_data or {}).lsp or {}
      table.insert(lsp_diagnostics, {
        range = { start = { line = d.lnum, character = d.col }, ['end'] = { line = d.end_lnum, character = d.end_col } },
        severity = d.severity, message = d.message, source = d.source, code = d.code or lsp.code, data = lsp.data,
      })
    end
    local applied = nil
    local action_responses = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', {
      textDocument = { uri = vim.uri_from_bufnr(buf) },
      range = lsp_diagnostics[1] and lsp_diagnostics[1].range or { start = { line = 1, character = 0 }, ['end'] = { line = 1, character = 0 } },
      context = { diagnostics = lsp_diagnostics },
    }, 30000)
    for _, response in pairs(action_responses or {}) do
      for _, action in ipairs(response.result or {}) do
        if applied == nil and string.find(action.title, title) then
          applied = action.title
          if action.edit then vim.lsp.util.apply_workspace_edit(action.edit, 'utf-16') end
          if action.command then request('workspace/executeCommand', action.command) end
        end
      end
    end
    return applied, buf, of_rule
  end

  -- "Add index" on src/by-email.ts (written by run.mjs: orders.customer_email has no index, and one helps).
  result.add_index = apply_code_action(root .. '/src/by-email.ts', 'seq-scan-large-table', '^Add index')
  result.migrations = vim.fn.glob(root .. '/migrations/*.sql', false, true)

  -- A fix applied, then pglens's check of the edited buffer: the action's title, how many findings of its rule are
  -- left once the diagnostics settle, and the buffer's text.
  local function apply_and_recheck(file, rule, title)
    local applied, buf, of_rule = apply_code_action(file, rule, title)
    vim.wait(60000, function() return #of_rule() == 0 end, 50)
    return applied, #of_rule(), table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, true), '\n')
  end

  -- "Add NOT VALID" on a dbmate migration (run in a transaction): the statement gets NOT VALID, the server writes the
  -- VALIDATE CONSTRAINT migration beside it, and the finding is gone when pglens checks the edited buffer again.
  result.not_valid, result.not_valid_left, result.not_valid_text = apply_and_recheck(root .. '/db/migrations/20250101000000_checks.sql', 'constraint-missing-not-valid', '^Add NOT VALID')
  result.validate_migrations = vim.fn.glob(root .. '/db/migrations/*_validate_*.sql', false, true)

  -- A lock rewrite as a plain edit: ADD COLUMN with a volatile default in a .sql file that is no migration.
  result.rewrite, result.rewrite_left, result.rewrite_text = apply_and_recheck(root .. '/scripts/maintenance.sql', 'adding-column-with-volatile-default', '^Add the column without a volatile default')

  -- `where note = ${note}` → `where id = ${note}`: an incremental change from Neovim.
  vim.api.nvim_set_current_buf(bufnr)
  local line = vim.api.nvim_buf_get_lines(bufnr, 3, 4, true)[1]
  local col = string.find(line, 'note = ', 1, true) - 1
  vim.api.nvim_buf_set_text(bufnr, 3, col, 3, col + 4, { 'id' })
  vim.wait(60000, function() return #pglens_diagnostics() == 0 end, 50)
  result.after_edit = pglens_diagnostics()
end)
if not ok then table.insert(result.errors, tostring(err)) end
finish()
