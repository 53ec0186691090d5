// The rules that read a plan or the database's schema facts, in one RuleTester table (cases/plannedRuleCases.ts),
// against the fixture database (one connection for the file): SQL each flags, with its message id, data and anchor,
// and SQL it leaves alone.

import { ruleTester } from './ruleTester';
import { allRules } from '../../server/src/engine/rules/index';
import { plannedRuleCases } from './cases/plannedRuleCases';

for (const [id, cases] of Object.entries(plannedRuleCases)) ruleTester.run(allRules.find((rule) => rule.meta.id === id)!, cases);
