// Entry point of the language server (bundled to out/server.js). The transport comes from the command line:
// `--stdio` for any LSP editor (bin/pglens-language-server.js adds it by default), `--node-ipc` when VS Code starts it.

import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { useCompactHeap } from '../engine/v8Tuning';
import { PglensLanguageServer } from './server';

useCompactHeap();

const connection = createConnection(ProposedFeatures.all);
// Anything written to stdout would corrupt the stdio transport: route stray console output to the client's log.
console.log = (...args: unknown[]) => connection.console.log(args.map(String).join(' '));
console.info = console.log;
console.warn = (...args: unknown[]) => connection.console.warn(args.map(String).join(' '));
console.error = (...args: unknown[]) => connection.console.error(args.map(String).join(' '));

new PglensLanguageServer(connection).listen();
