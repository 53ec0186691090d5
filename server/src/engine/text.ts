// Offsets and positions. The parser reports UTF-8 byte offsets; editors speak UTF-16 code units with
// zero-based lines. Everything inside the engine uses UTF-16 offsets (JavaScript string indices).

import type { SourcePosition, SourceRange } from './types';

/** Maps UTF-16 offsets of one text to line/character positions and back, in O(log lines). */
export class LineIndex {
  private readonly lineStarts: number[];

  constructor(readonly text: string) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 /* \n */) starts.push(i + 1);
      else if (c === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.lineStarts = starts;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  positionAt(offset: number): SourcePosition {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= clamped) low = mid;
      else high = mid - 1;
    }
    return { line: low, character: clamped - this.lineStarts[low] };
  }

  offsetAt(position: SourcePosition): number {
    if (position.line < 0) return 0;
    if (position.line >= this.lineStarts.length) return this.text.length;
    const lineStart = this.lineStarts[position.line];
    const nextStart = position.line + 1 < this.lineStarts.length ? this.lineStarts[position.line + 1] : this.text.length;
    return Math.max(lineStart, Math.min(lineStart + position.character, nextStart));
  }

  rangeOf(start: number, end: number): SourceRange {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }

  lineStart(line: number): number {
    return this.lineStarts[Math.max(0, Math.min(line, this.lineStarts.length - 1))];
  }
}

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Converts UTF-8 byte offsets of `text` to UTF-16 offsets. Built once per text; for pure ASCII (the common
 * case) the two coincide and no table is kept.
 */
export class Utf8OffsetMap {
  private readonly byteToUtf16: Int32Array | undefined;
  readonly byteLength: number;

  constructor(text: string) {
    // One native scan: most SQL is ASCII, where byte and UTF-16 offsets coincide.
    if (!NON_ASCII.test(text)) {
      this.byteToUtf16 = undefined;
      this.byteLength = text.length;
      return;
    }
    const bytes = Buffer.byteLength(text, 'utf8');
    const table = new Int32Array(bytes + 1);
    let byte = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.codePointAt(i)!;
      const width = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
      for (let k = 0; k < width; k++) table[byte + k] = i;
      byte += width;
      if (code >= 0x10000) i++; // surrogate pair: two UTF-16 units, one code point
    }
    table[bytes] = text.length;
    this.byteToUtf16 = table;
    this.byteLength = bytes;
  }

  toUtf16(byteOffset: number): number {
    if (!this.byteToUtf16) return byteOffset;
    const clamped = Math.max(0, Math.min(byteOffset, this.byteLength));
    return this.byteToUtf16[clamped];
  }
}

/** PostgreSQL reports error positions in characters (code points); JavaScript strings index UTF-16 code units. */
export function codePointsToUtf16(text: string, codePoints: number): number {
  let offset = 0;
  for (let i = 0; i < codePoints && offset < text.length; i++) offset += text.codePointAt(offset)! > 0xffff ? 2 : 1;
  return offset;
}
