// Entry point of the language server (bundled to out/server.js). The transport comes from the command line:
// `--stdio` for any LSP editor (bin/pglens-language-server.js adds it by default), `--node-ipc` when VS Code starts it.

import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { redactSecrets } from '../engine/redact';
import { useCompactHeap } from '../engine/v8Tuning';
import { PglensLanguageServer } from './server';

useCompactHeap();

const connection = createConnection(ProposedFeatures.all);
// Anything written to stdout would corrupt the stdio transport: route stray console output to the client's log.
console.log = (...args: unknown[]) => connection.console.log(args.map(String).join(' '));
console.info = console.log;
console.warn = (...args: unknown[]) => connection.console.warn(args.map(String).join(' '));
console.error = (...args: unknown[]) => connection.console.error(args.map(String).join(' '));

// The server outlives whatever fails inside it (a database that dies mid-analysis, a socket error nobody expected):
// it logs one line and goes on answering, rather than leave the editor without a server.
process.on('uncaughtException', (error) => connection.console.error(redactSecrets(`pglens: unexpected error: ${error?.message ?? error}`)));
process.on('unhandledRejection', (reason) => connection.console.error(redactSecrets(`pglens: unexpected error: ${(reason as Error)?.message ?? reason}`)));

new PglensLanguageServer(connection).listen();
