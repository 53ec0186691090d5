// The value JavaScript gives a string or template literal ("cooked" text), with a map from every cooked
// character back to the file. Verbatim runs map one to one; an escape sequence (`\n`, `\u00e9`, `\'`) and a
// CRLF inside a template (which JavaScript reads as LF) become one segment whose `fileLength` covers the source.

import type { SourceSegment } from '../types';

export interface CookedText {
  text: string;
  /** sqlStart is relative to the start of `text`. */
  segments: SourceSegment[];
}

const CH_LF = 10;
const CH_CR = 13;
const CH_BACKSLASH = 92;

/**
 * Cooks file[start, end), the content of a string literal (`template` false) or of one template part
 * (`template` true: no legacy octal escapes, CR and CRLF read as LF).
 */
export function cookLiteral(file: string, start: number, end: number, template: boolean): CookedText {
  if (end <= start) return { text: '', segments: [] };
  if (!needsCooking(file, start, end, template)) {
    return { text: file.slice(start, end), segments: [{ sqlStart: 0, fileStart: start, length: end - start }] };
  }
  const segments: SourceSegment[] = [];
  let text = '';
  let runStart = start;
  const flushRun = (runEnd: number): void => {
    if (runEnd > runStart) {
      segments.push({ sqlStart: text.length, fileStart: runStart, length: runEnd - runStart });
      text += file.slice(runStart, runEnd);
    }
  };
  let i = start;
  while (i < end) {
    const c = file.charCodeAt(i);
    if (c === CH_CR && template) {
      flushRun(i);
      const width = file.charCodeAt(i + 1) === CH_LF && i + 1 < end ? 2 : 1;
      segments.push({ sqlStart: text.length, fileStart: i, length: 1, fileLength: width });
      text += '\n';
      i += width;
      runStart = i;
      continue;
    }
    if (c !== CH_BACKSLASH || i + 1 >= end) {
      i++;
      continue;
    }
    flushRun(i);
    const escape = decodeEscape(file, i, end, template);
    if (escape.value.length > 0) {
      segments.push({ sqlStart: text.length, fileStart: i, length: escape.value.length, fileLength: escape.width });
      text += escape.value;
    }
    i += escape.width;
    runStart = i;
  }
  flushRun(end);
  return { text, segments };
}

function needsCooking(file: string, start: number, end: number, template: boolean): boolean {
  const backslash = file.indexOf('\\', start);
  if (backslash >= 0 && backslash < end) return true;
  if (!template) return false;
  const cr = file.indexOf('\r', start);
  return cr >= 0 && cr < end;
}

/** The value and source width of the escape sequence at `i` (a backslash). */
function decodeEscape(file: string, i: number, end: number, template: boolean): { value: string; width: number } {
  const next = file[i + 1];
  switch (next) {
    case 'n':
      return { value: '\n', width: 2 };
    case 't':
      return { value: '\t', width: 2 };
    case 'r':
      return { value: '\r', width: 2 };
    case 'b':
      return { value: '\b', width: 2 };
    case 'f':
      return { value: '\f', width: 2 };
    case 'v':
      return { value: '\v', width: 2 };
    case '\r':
      // A line continuation: backslash and line terminator vanish.
      return { value: '', width: file[i + 2] === '\n' && i + 2 < end ? 3 : 2 };
    case '\n':
    case '\u2028':
    case '\u2029':
      return { value: '', width: 2 };
    case 'x': {
      const hex = file.slice(i + 2, i + 4);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) return { value: String.fromCharCode(parseInt(hex, 16)), width: 4 };
      return { value: 'x', width: 2 };
    }
    case 'u': {
      if (file[i + 2] === '{') {
        const close = file.indexOf('}', i + 3);
        const hex = close > 0 && close < end ? file.slice(i + 3, close) : '';
        if (/^[0-9a-fA-F]{1,6}$/.test(hex) && parseInt(hex, 16) <= 0x10ffff) {
          return { value: String.fromCodePoint(parseInt(hex, 16)), width: close + 1 - i };
        }
        return { value: 'u', width: 2 };
      }
      const hex = file.slice(i + 2, i + 6);
      if (/^[0-9a-fA-F]{4}$/.test(hex)) return { value: String.fromCharCode(parseInt(hex, 16)), width: 6 };
      return { value: 'u', width: 2 };
    }
    default: {
      const code = next.charCodeAt(0);
      if (code >= 48 && code <= 55 /* 0-7 */) {
        if (next === '0' && !/[0-9]/.test(file[i + 2] ?? '')) return { value: '\0', width: 2 };
        if (!template) {
          // Legacy octal escape of sloppy-mode strings: up to three digits, at most \377.
          let j = i + 1;
          let value = 0;
          while (j < end && j < i + 4 && /[0-7]/.test(file[j]) && value * 8 + (file.charCodeAt(j) - 48) <= 0xff) {
            value = value * 8 + (file.charCodeAt(j) - 48);
            j++;
          }
          return { value: String.fromCharCode(value), width: j - i };
        }
      }
      // \' \" \` \\ \$ \{ and any other character stand for themselves; keep surrogate pairs whole.
      const width = code >= 0xd800 && code <= 0xdbff ? 3 : 2;
      return { value: file.slice(i + 1, i + width), width };
    }
  }
}
