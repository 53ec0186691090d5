// A finding's text is a short headline plus separate details (see Finding in types.ts). These helpers keep the
// old one-text `message` equal to both joined, and split a rule's one-text message into the two.

import type { Finding, FindingDetail, FindingDetailKind } from './types';

/** The text fields of a rule's report (rules/rule.ts RuleReport), without importing the rule contract here. */
interface ReportText {
  headline?: string;
  details?: FindingDetail[];
  message?: string;
}

/** The longest headline a rule should write (ESLint's messages are under 100 characters; a terminal line is ~120). */
export const HEADLINE_MAX_LENGTH = 120;

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

/** A report's headline, details (copied: advice adds to a finding's) and the two joined as the one-text message. */
export function textOfReport(report: ReportText): { headline: string; details?: FindingDetail[]; message: string } {
  const text = report.headline !== undefined ? { headline: report.headline, details: report.details ?? [] } : splitMessage(report.message ?? '');
  const details = text.details.length > 0 ? text.details.map((detail) => ({ ...detail })) : undefined;
  // A one-text message stays as the rule wrote it (the split only re-punctuates it: "X: blocks" became "X. Blocks").
  return { headline: text.headline, ...(details ? { details } : {}), message: report.headline === undefined && report.message !== undefined ? report.message.trim() : findingMessage(text) };
}
