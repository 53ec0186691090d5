import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex, Utf8OffsetMap } from '../../server/src/engine/text';

describe('LineIndex', () => {
  test('maps offsets to zero-based line and UTF-16 column and back, for \\n, \\r\\n and \\r', () => {
    const text = 'ab\ncd\r\nef\rgh';
    const index = new LineIndex(text);
    assert.equal(index.lineCount, 4);
    assert.deepEqual(index.positionAt(0), { line: 0, character: 0 });
    assert.deepEqual(index.positionAt(4), { line: 1, character: 1 });
    assert.deepEqual(index.positionAt(7), { line: 2, character: 0 });
    assert.deepEqual(index.positionAt(10), { line: 3, character: 0 });
    assert.equal(index.offsetAt({ line: 2, character: 1 }), 8);
    assert.equal(index.offsetAt({ line: 99, character: 0 }), text.length);
  });

  test('clamps a column past the end of its line to the line end', () => {
    const index = new LineIndex('ab\ncd');
    assert.equal(index.offsetAt({ line: 0, character: 50 }), 3);
  });
});

describe('Utf8OffsetMap', () => {
  test('is the identity for ASCII', () => {
    const map = new Utf8OffsetMap('select 1');
    assert.equal(map.toUtf16(7), 7);
    assert.equal(map.byteLength, 8);
  });

  test('maps UTF-8 byte offsets after two-, three- and four-byte characters to UTF-16 offsets', () => {
    const text = "é€😀x";
    // bytes: é=2, €=3, 😀=4 (a surrogate pair in UTF-16), x=1
    const map = new Utf8OffsetMap(text);
    assert.equal(map.byteLength, 10);
    assert.equal(map.toUtf16(0), 0);
    assert.equal(map.toUtf16(2), 1); // €
    assert.equal(map.toUtf16(5), 2); // 😀
    assert.equal(map.toUtf16(9), 4); // x
    assert.equal(text[map.toUtf16(9)], 'x');
    assert.equal(map.toUtf16(10), 5);
  });
});
