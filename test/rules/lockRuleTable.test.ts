// The rules that judge a statement from its parse tree, in one RuleTester table (cases/lockRuleCases.ts): for each,
// SQL it flags with its message id, data and anchor, and the safe form it leaves alone. No database.

import { ruleTester } from './ruleTester';
import { allRules } from '../../server/src/engine/rules/index';
import { lockRuleCases } from './cases/lockRuleCases';

for (const [id, cases] of Object.entries(lockRuleCases)) ruleTester.run(allRules.find((rule) => rule.meta.id === id)!, cases);
