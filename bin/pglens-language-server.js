#!/usr/bin/env node
'use strict';
// The language server over stdio (`--stdio`, the default) or node IPC (`--node-ipc`), for any LSP editor.
if (!process.argv.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket') || a.startsWith('--pipe'))) {
  process.argv.push('--stdio');
}
require('../out/server.js');
