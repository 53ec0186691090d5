// The part of a rule's docs page (docs/rules/<id>.md) written from its meta: the messages it reports, as ESLint's rule
// pages list them. scripts/generateRuleDocs.ts writes it into every page; test/rules/ruleRegistry.test.ts fails when a
// page and the registry disagree.

import type { RuleMeta } from './rule';

const START = '<!-- messages: written from the rule\'s meta.messages by scripts/generateRuleDocs.ts -->';
const END = '<!-- /messages -->';

/** The "Messages" section of a rule's page: each message id with its headline template. */
export function ruleMessagesSection(meta: RuleMeta): string {
  const lines = Object.entries(meta.messages).map(([id, template]) => `- \`${id}\`: ${template.replace(/\{\{\s*(\w+)\s*\}\}/g, '`{{$1}}`')}`);
  return [START, '## Messages', 'Each finding\'s headline is one of these, with the `{{placeholders}}` filled in (JSON output: `messageId`).', '', ...lines, END].join('\n');
}

/** The page with its Messages section replaced by the one the meta gives (added at the end when it has none). */
export function withMessagesSection(page: string, meta: RuleMeta): string {
  const section = ruleMessagesSection(meta);
  const start = page.indexOf(START);
  const end = page.indexOf(END);
  if (start >= 0 && end > start) return `${page.slice(0, start)}${section}${page.slice(end + END.length)}`;
  return `${page.trimEnd()}\n\n${section}\n`;
}
