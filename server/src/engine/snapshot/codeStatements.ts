// The statements a workspace's code sends, with file:line and fingerprint, for `pglens top`: found and parsed by the
// same engine `pglens check` uses (same config, same files, same SQL finders), never planned, no database opened.

import { Engine } from '../analyze';
import type { PglensConfig } from '../config';
import { readWorkspaceTextFile } from '../files';
import { LineIndex } from '../text';
import { statementFingerprint, type CodeStatement } from './match';

export async function codeStatementsOf(config: PglensConfig, files: string[]): Promise<CodeStatement[]> {
  const engine = new Engine({ config });
  const out: CodeStatement[] = [];
  for (const file of files) {
    const read = readWorkspaceTextFile(file, { root: config.root, maxBytes: config.files.maxBytes });
    if (!read.ok) continue;
    const lines = new LineIndex(read.text);
    for (const { statement, fileStart } of await engine.statementsIn(file, read.text)) {
      const fingerprint = statementFingerprint(statement.text);
      if (fingerprint === undefined) continue;
      const at = lines.positionAt(fileStart);
      out.push({ file, line: at.line + 1, column: at.character + 1, fingerprint });
    }
  }
  return out;
}
