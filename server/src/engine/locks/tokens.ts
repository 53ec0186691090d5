// A small SQL tokenizer over a stretch of a site's text. The parse tree gives locations for relations,
// columns and expressions but not for keywords (INDEX, CONCURRENTLY, SET NOT NULL ...), which is where lock
// findings are anchored and where quick fixes insert text; this finds them while skipping comments,
// string literals, dollar-quoted bodies and quoted identifiers.

import { skipLeadingTrivia } from '../parse/parse';

export interface SqlToken {
  /** 'word' (keyword or bare identifier, `value` lower-cased), 'ident' ("quoted", value unquoted), 'string', 'number', 'param', 'punct' */
  type: 'word' | 'ident' | 'string' | 'number' | 'param' | 'punct';
  value: string;
  /** UTF-16 offsets in the text. */
  start: number;
  end: number;
}

export function tokenizeSql(text: string, start = 0, end = text.length): SqlToken[] {
  const tokens: SqlToken[] = [];
  let i = start;
  while (i < end) {
    // Whitespace and comments (nested block comments too), the same way the statement splitter skips them.
    const afterTrivia = skipLeadingTrivia(text, i, end);
    if (afterTrivia !== i) {
      i = afterTrivia;
      continue;
    }
    const c = text[i];
    if (c === "'" || ((c === 'E' || c === 'e') && text[i + 1] === "'")) {
      const s = i;
      i += c === "'" ? 1 : 2;
      while (i < end) {
        if (text[i] === '\\' && c !== "'") i += 2;
        else if (text[i] === "'" && text[i + 1] === "'") i += 2;
        else if (text[i] === "'") {
          i++;
          break;
        } else i++;
      }
      tokens.push({ type: 'string', value: text.slice(s, i), start: s, end: i });
    } else if (c === '"') {
      const s = i;
      i++;
      let value = '';
      while (i < end) {
        if (text[i] === '"' && text[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else value += text[i++];
      }
      tokens.push({ type: 'ident', value, start: s, end: i });
    } else if (c === '$' && /[0-9]/.test(text[i + 1] ?? '')) {
      const s = i;
      i++;
      while (i < end && /[0-9]/.test(text[i])) i++;
      tokens.push({ type: 'param', value: text.slice(s, i), start: s, end: i });
    } else if (c === '$') {
      const tag = /^\$[A-Za-z_]?[A-Za-z0-9_]*\$/.exec(text.slice(i, Math.min(end, i + 64)));
      if (tag) {
        const s = i;
        const close = text.indexOf(tag[0], i + tag[0].length);
        i = close < 0 || close >= end ? end : close + tag[0].length;
        tokens.push({ type: 'string', value: text.slice(s, i), start: s, end: i });
      } else {
        tokens.push({ type: 'punct', value: c, start: i, end: i + 1 });
        i++;
      }
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      const s = i;
      while (i < end && /[A-Za-z0-9_$\u0080-\uffff]/.test(text[i])) i++;
      tokens.push({ type: 'word', value: text.slice(s, i).toLowerCase(), start: s, end: i });
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const s = i;
      while (i < end && /[0-9.eE_]/.test(text[i])) i++;
      tokens.push({ type: 'number', value: text.slice(s, i), start: s, end: i });
    } else {
      tokens.push({ type: 'punct', value: c, start: i, end: i + 1 });
      i++;
    }
  }
  return tokens;
}

/** Index of the first token at or after `from` whose consecutive words equal `words` (lower case); -1 if none. */
export function findWords(tokens: SqlToken[], words: string[], from = 0): number {
  for (let i = from; i + words.length <= tokens.length; i++) {
    let ok = true;
    for (let k = 0; k < words.length; k++) {
      const t = tokens[i + k];
      if (t.type !== 'word' || t.value !== words[k]) {
        ok = false;
        break;
      }
    }
    if (ok) return i;
  }
  return -1;
}

/** Index of the first token at or after `from` that starts at or after `offset`. */
export function tokenAtOrAfter(tokens: SqlToken[], offset: number, from = 0): number {
  for (let i = from; i < tokens.length; i++) if (tokens[i].start >= offset) return i;
  return tokens.length;
}

/**
 * The end of the clause starting at token `from`: the last token before a comma at parenthesis depth 0
 * (relative to `from`), or before a stop word at depth 0, or the last token.
 */
export function clauseEnd(tokens: SqlToken[], from: number, stopWords: string[] = []): number {
  let depth = 0;
  let last = from;
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type === 'punct' && t.value === '(') depth++;
    else if (t.type === 'punct' && t.value === ')') {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && i > from && t.type === 'punct' && (t.value === ',' || t.value === ';')) break;
    else if (depth === 0 && i > from && t.type === 'word' && stopWords.includes(t.value)) break;
    last = i;
  }
  return last;
}
