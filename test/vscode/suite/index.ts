// The extension tests' entry point, in the shape @vscode/test-electron and code-server's extensionTestsPath expect:
// a module exporting run(), which the extension host calls once the extension under development is loaded.

import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: 'spec' });
  // The tests are bundled into this file: expose describe/it, then load them.
  mocha.suite.emit('pre-require', globalThis, 'extension.test.ts', mocha);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('./extension.test');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('./codeLens.test');
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension test(s) failed`)) : resolve()));
  });
}
