// Writes the Messages section of every rule's docs page (docs/rules/<id>.md) from the registry's meta.messages.
//
//   node --import tsx scripts/generateRuleDocs.ts
//
// test/rules/ruleRegistry.test.ts fails when a committed page is not what this writes.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { allRuleMetas } from '../server/src/engine/rules/index';
import { withMessagesSection } from '../server/src/engine/rules/ruleDocs';

const docs = resolve(__dirname, '..', 'docs', 'rules');
for (const meta of allRuleMetas()) {
  const page = resolve(docs, `${meta.id}.md`);
  if (!existsSync(page)) {
    console.error(`no docs page for ${meta.id}: ${page}`);
    process.exitCode = 1;
    continue;
  }
  const before = readFileSync(page, 'utf8');
  const after = withMessagesSection(before, meta);
  if (after !== before) {
    writeFileSync(page, after);
    console.log(`wrote ${page}`);
  }
}
