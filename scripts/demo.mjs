// `npm run demo`: pglens check on the example app, against the embedded database built from its migrations.
// Findings are the point of the demo, so exit 1 ("findings at error level") still counts as a successful run.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const result = spawnSync(process.execPath, ['bin/pglens.js', 'check', 'examples/shop', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(result.status === 0 || result.status === 1 ? 0 : (result.status ?? 2));
