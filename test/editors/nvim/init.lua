-- Headless Neovim as a second, independent LSP client of the pglens language server (test/editors/run.mjs).
-- Starts `node out/server.js --stdio`, attaches it to the file given on the command line, waits for diagnostics,
-- asks for a hover, edits the query so it uses the primary key and waits for the diagnostics to clear, then
-- writes what it saw to $PGLENS_NVIM_OUT as JSON.

local server = os.getenv('PGLENS_SERVER')
local root = os.getenv('PGLENS_WORKSPACE')
local out = os.getenv('PGLENS_NVIM_OUT')
local result = { diagnostics = {}, hover = nil, after_edit = nil, errors = {} }

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

  -- `where note = ${note}` → `where id = ${note}`: an incremental change from Neovim.
  local line = vim.api.nvim_buf_get_lines(bufnr, 3, 4, true)[1]
  local col = string.find(line, 'note = ', 1, true) - 1
  vim.api.nvim_buf_set_text(bufnr, 3, col, 3, col + 4, { 'id' })
  vim.wait(60000, function() return #pglens_diagnostics() == 0 end, 50)
  result.after_edit = pglens_diagnostics()
end)
if not ok then table.insert(result.errors, tostring(err)) end
finish()
