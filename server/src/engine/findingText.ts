// A finding's text is a short headline plus separate details (see Finding in types.ts). These helpers keep the
// old one-text `message` equal to both joined, and split a rule's one-text message into the two.

import type { Finding, FindingDetail, FindingDetailKind } from './types';

/** The text fields of a rule's report (rules/rule.ts RuleReport), without importing the rule contract here. */
interface ReportText {
  /** The id of one of the rule's `meta.messages`, its headline template; `data` fills its placeholders. */
  messageId?: string;
  data?: Record<string, string | number | undefined>;
  headline?: string;
  details?: FindingDetail[];
  message?: string;
}

/** `{{name}}` in a message template (ESLint's placeholder syntax; spaces inside the braces allowed). */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** The placeholder names of a message template, each once, in order. */
export function templatePlaceholders(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((match) => match[1]))];
}

/**
 * A piece of the statement (a condition, an expression) as headline data: at most `max` characters, cut at a word
 * with "..." so the headline stays within HEADLINE_MAX_LENGTH; the whole text belongs in a detail.
 */
export function clipForHeadline(text: string, max = 40): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 3);
  const space = cut.lastIndexOf(' ');
  return `${space > max / 2 ? cut.slice(0, space) : cut}...`;
}

/** A report that names no declared message, or leaves a placeholder of its message unfilled: a bug of the rule. */
export class RuleMessageError extends Error {
  override name = 'RuleMessageError';
}

/**
 * A rule's headline: the template `messages[messageId]` with every `{{name}}` replaced by `data.name`. An undeclared
 * id or a placeholder without a value (undefined, null or an empty string) throws RuleMessageError naming the rule.
 */
export function fillMessageTemplate(ruleId: string, messages: Record<string, string> | undefined, messageId: string, data: Record<string, string | number | undefined> = {}): string {
  const template = messages && Object.hasOwn(messages, messageId) ? messages[messageId] : undefined;
  if (template === undefined) throw new RuleMessageError(`${ruleId} reported message id '${messageId}', which its meta.messages does not declare`);
  const missing = templatePlaceholders(template).filter((name) => data[name] === undefined || data[name] === null || data[name] === '');
  if (missing.length > 0) throw new RuleMessageError(`${ruleId} reported '${messageId}' without data for ${missing.map((name) => `{{${name}}}`).join(', ')}`);
  return template.replace(PLACEHOLDER, (_, name: string) => String(data[name]));
}

/** The longest headline a rule should write (ESLint's messages are under 100 characters; a terminal line is ~120). */
export const HEADLINE_MAX_LENGTH = 120;

/**
 * A finding's headline: the template filled, then, while it is longer than HEADLINE_MAX_LENGTH, its longest text value
 * clipped with an ellipsis. Templates fit with typical names (test/rules/ruleRegistry.test.ts), but real schemas have
 * long ones (Prisma's `OrganisationAuthenticationPortal`); the code frame and the details still name them whole.
 */
export function fillHeadline(ruleId: string, messages: Record<string, string> | undefined, messageId: string, data: Record<string, string | number | undefined> = {}): string {
  let headline = fillMessageTemplate(ruleId, messages, messageId, data);
  const values = { ...data };
  while (headline.length > HEADLINE_MAX_LENGTH) {
    const longest = Object.keys(values)
      .filter((name) => typeof values[name] === 'string')
      .reduce<string | undefined>((best, name) => (best === undefined || String(values[name]).length > String(values[best]).length ? name : best), undefined);
    const value = longest === undefined ? '' : String(values[longest]);
    if (longest === undefined || value.length <= 16) break;
    values[longest] = `${value.slice(0, Math.max(15, value.length - (headline.length - HEADLINE_MAX_LENGTH) - 1))}…`;
    headline = fillMessageTemplate(ruleId, messages, messageId, values);
  }
  return headline;
}

/** The full text of a finding: its headline, then each detail. */
export function findingMessage(finding: Pick<Finding, 'headline' | 'details'>): string {
  const details = (finding.details ?? []).map((detail) => detail.text);
  if (details.length === 0) return finding.headline;
  // Headlines carry no full stop of their own (like ESLint's messages); the joined text still reads as sentences.
  return [/[.!?:]$/.test(finding.headline) ? finding.headline : `${finding.headline}.`, ...details].join(' ');
}

/** Adds a detail to a finding, and its text to the end of `message`. */
export function addFindingDetail(finding: Finding, kind: FindingDetailKind, text: string): void {
  (finding.details ??= []).push({ kind, text });
  finding.message = `${finding.message.trimEnd()} ${text}`;
}

/**
 * Sets a finding's headline. Words added to its end (" (when `cursor` is set)") go to the end of `message` too, as
 * before headlines existed; another headline is joined with the details anew.
 */
export function setFindingHeadline(finding: Finding, headline: string): void {
  const added = headline.startsWith(finding.headline) ? headline.slice(finding.headline.length) : undefined;
  finding.headline = headline;
  finding.message = added !== undefined ? `${finding.message}${added}` : findingMessage(finding);
}

/**
 * A one-text message as headline and details: the first sentence is the headline, each further sentence an
 * `evidence` detail. A first sentence longer than HEADLINE_MAX_LENGTH is cut at its first `: ` or `; ` (what, then
 * why): "CREATE INDEX without CONCURRENTLY takes SHARE on order_items" + "Blocks every write ...".
 */
export function splitMessage(message: string): { headline: string; details: FindingDetail[] } {
  const sentences = splitSentences(message.trim());
  const details: FindingDetail[] = sentences.slice(1).map((text) => ({ kind: 'evidence', text }));
  let headline = sentences[0] ?? '';
  if (headline.length > HEADLINE_MAX_LENGTH) {
    const cut = /: |; /g;
    for (let match = cut.exec(headline); match; match = cut.exec(headline)) {
      if (match.index < 20) continue;
      if (match.index > HEADLINE_MAX_LENGTH || insideBrackets(headline, match.index)) break;
      const rest = headline.slice(match.index + 2);
      details.unshift({ kind: 'evidence', text: rest.charAt(0).toUpperCase() + rest.slice(1) });
      headline = headline.slice(0, match.index);
      break;
    }
  }
  return { headline, details };
}

/** Whether `at` is inside parentheses or quotes of `text` (a cut there would split "(top-N sort under LIMIT: ...)"). */
function insideBrackets(text: string, at: number): boolean {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < at; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
  }
  return depth > 0 || quote !== undefined;
}

/**
 * Sentences end at `.`, `!` or `?` followed by a space and a capital letter or a quote; `e.g.`, `i.e.` and numbers
 * (`1.5`) are not ends. SQL inside a sentence (`SET lock_timeout = '5s';`) stays in it.
 */
function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  let start = 0;
  const end = /([.!?])\s+(?=[A-Z"'`(])/g;
  for (let match = end.exec(text); match; match = end.exec(text)) {
    const before = text.slice(Math.max(start, match.index - 4), match.index + 1);
    if (/\b(?:e\.g|i\.e|vs|etc)\.$|\.\.\.$/i.test(before)) continue;
    sentences.push(text.slice(start, match.index + 1));
    start = match.index + match[0].length;
  }
  if (start < text.length) sentences.push(text.slice(start));
  return sentences;
}

/** A report's headline (its message template filled, for a rule passed in), details (copied: advice adds to a finding's) and the two joined as the one-text message. */
export function textOfReport(report: ReportText, rule?: { id: string; messages?: Record<string, string> }): { headline: string; messageId?: string; details?: FindingDetail[]; message: string } {
  if (report.messageId !== undefined) {
    const headline = fillHeadline(rule?.id ?? 'a rule', rule?.messages, report.messageId, report.data);
    report = { ...report, headline };
  }
  const text = report.headline !== undefined ? { headline: report.headline, details: report.details ?? [] } : splitMessage(report.message ?? '');
  const details = text.details.length > 0 ? text.details.map((detail) => ({ ...detail })) : undefined;
  // A one-text message stays as the rule wrote it (the split only re-punctuates it: "X: blocks" became "X. Blocks").
  return { headline: text.headline, ...(report.messageId !== undefined ? { messageId: report.messageId } : {}), ...(details ? { details } : {}), message: report.headline === undefined && report.message !== undefined ? report.message.trim() : findingMessage(text) };
}
