// Writes pglens.schema.json at the repository root from the rule registry (server/src/engine/configSchema.ts).
//
//   node --import tsx scripts/generateConfigSchema.ts
//
// test/engine/configSchema.test.ts fails when the committed file is not what this writes.

import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { configSchemaText } from '../server/src/engine/configSchema';

const target = resolve(__dirname, '..', 'pglens.schema.json');
writeFileSync(target, configSchemaText());
console.log(`wrote ${target}`);
