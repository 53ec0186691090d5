// The JSON and SARIF reports are written piece by piece (a large run's report is never one string in memory);
// the text must be exactly what JSON.stringify(value, null, 2) would have written, and a slow reader must get all of it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { lazyArray, stringifyJsonPieces, writePieces } from '../../server/src/cli/formatters/streamJson';

const item = (n: number) => ({ n, text: `line one\nline "two" ${'é'.repeat(n)}`, nested: { list: [n, { deep: [] }], empty: {} }, gone: undefined });

test('lazy arrays at any depth give the text of JSON.stringify(value, null, 2)', () => {
  const shapes: [unknown, (items: Iterable<unknown>) => unknown][] = [
    [[], (items) => items],
    [[1], (items) => items],
    [[1, 2, 3], (items) => ({ tool: 'pglens', findings: items, after: [1, { x: null }], skip: undefined })],
    [[], (items) => ({ runs: [{ results: items, properties: {} }] })],
    [[4, 5], (items) => ({ runs: [{ tool: { driver: { rules: [] } }, results: items }], empty: [] })],
  ];
  for (const [numbers, wrap] of shapes) {
    const expected = JSON.stringify(wrap((numbers as number[]).map(item)), null, 2);
    const streamed = [...stringifyJsonPieces(wrap(lazyArray(numbers as number[], item) as unknown as Iterable<unknown>))].join('');
    assert.equal(streamed, expected);
  }
});

test('undefined and functions inside a lazy array are written as null, as JSON.stringify writes them', () => {
  const values = [1, undefined, () => 2, 'x'];
  const streamed = [...stringifyJsonPieces({ a: lazyArray(values, (v) => v) })].join('');
  assert.equal(streamed, JSON.stringify({ a: values }, null, 2));
});

test('writePieces waits for a slow reader and delivers every byte in order', async () => {
  // A stream with a small buffer that is read only later: writes report back-pressure, writePieces must wait.
  const stream = new PassThrough({ highWaterMark: 1024 });
  const pieces = Array.from({ length: 5000 }, (_, i) => `piece ${i};`);
  let received = '';
  const writing = writePieces(stream, pieces).then(() => stream.end());
  await new Promise((resolve) => setTimeout(resolve, 20));
  stream.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  await writing;
  await new Promise((resolve) => stream.on('end', resolve));
  assert.equal(received, pieces.join(''));
});
