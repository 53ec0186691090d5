import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validatingConstraintInSameTransaction as rule } from '../../server/src/engine/rules/locking/validating-constraint-in-same-transaction';
import { MIGRATION, MIGRATION_NO_TRANSACTION, runLockRule } from './lockRuleTestUtils';

const CHECK = 'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;';
const FK = 'ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_account_fk;';

test('a CHECK added NOT VALID and validated in the same wrapped migration: ACCESS EXCLUSIVE held through the scan', async () => {
  const [finding] = await runLockRule(rule, CHECK, { migration: MIGRATION });
  assert.equal(finding.anchor, 'VALIDATE CONSTRAINT');
  assert.equal(finding.headline, 'VALIDATE CONSTRAINT orders_total_check runs in the transaction of its ADD ... NOT VALID: the lock is still held');
  assert.match(finding.message, /ACCESS EXCLUSIVE on orders: blocks every read and write of orders/);
});

test('a foreign key: SHARE ROW EXCLUSIVE on both tables held through the scan', async () => {
  const [finding] = await runLockRule(rule, FK, { migration: MIGRATION });
  assert.match(finding.message, /SHARE ROW EXCLUSIVE of the foreign key \(on both tables\)/);
  assert.equal(finding.evidence?.lockMode, 'ShareRowExclusiveLock');
});

test('an explicit BEGIN around both is the same transaction; a COMMIT between them is not', async () => {
  const explicit = `BEGIN;\n${CHECK}\nCOMMIT;`;
  assert.equal((await runLockRule(rule, explicit, { migration: MIGRATION_NO_TRANSACTION })).length, 1);
  const split = 'BEGIN;\nALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;\nCOMMIT;\nBEGIN;\nALTER TABLE orders VALIDATE CONSTRAINT c;\nCOMMIT;';
  assert.deepEqual(await runLockRule(rule, split, { migration: MIGRATION_NO_TRANSACTION }), []);
});

test('quiet: statements that each commit on their own, a VALIDATE without its ADD in the file, and a new table', async () => {
  assert.deepEqual(await runLockRule(rule, CHECK, { migration: MIGRATION_NO_TRANSACTION }), []);
  assert.deepEqual(await runLockRule(rule, 'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;', { migration: MIGRATION }), []);
  const fresh = 'CREATE TABLE t (n int);\nALTER TABLE t ADD CONSTRAINT c CHECK (n > 0) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT c;';
  assert.deepEqual(await runLockRule(rule, fresh, { migration: MIGRATION }), []);
});
