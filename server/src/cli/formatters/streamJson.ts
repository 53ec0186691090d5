// JSON written piece by piece, byte for byte what JSON.stringify(value, null, 2) gives.
//
// Why: a check of a large workspace reports thousands of findings. Built as one string, the JSON or SARIF report
// (17 MB for 5,000 findings) and its copy on the way to stdout were the largest allocation of the whole run and
// set its peak memory. Arrays marked `lazyArray` are produced one item at a time instead.

const LAZY = Symbol('lazyArray');

interface LazyArray {
  readonly [LAZY]: Iterable<unknown>;
}

/** An array whose items are made and written one at a time; the items themselves are plain JSON values. */
export function lazyArray<T, U>(items: Iterable<T>, map: (item: T) => U): LazyArray {
  return {
    [LAZY]: (function* () {
      for (const item of items) yield map(item);
    })(),
  };
}

function isLazy(value: unknown): value is LazyArray {
  return typeof value === 'object' && value !== null && LAZY in value;
}

function holdsLazy(value: unknown): boolean {
  if (isLazy(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  return (Array.isArray(value) ? value : Object.values(value)).some(holdsLazy);
}

/** JSON.stringify's own text for a value, its later lines indented for where it sits. */
function plain(value: unknown, indent: string): string {
  const text = JSON.stringify(value, null, 2) ?? 'null';
  // Raw newlines only occur between tokens: inside strings JSON writes them as \n.
  return indent === '' ? text : text.replace(/\n/g, `\n${indent}`);
}

/** The pieces of JSON.stringify(value, null, 2), with lazy arrays expanded as they are written. */
export function* stringifyJsonPieces(value: unknown, indent = ''): Generator<string> {
  if (!holdsLazy(value)) {
    yield plain(value, indent);
    return;
  }
  const inner = `${indent}  `;
  if (isLazy(value) || Array.isArray(value)) {
    const lazy = isLazy(value);
    const items = lazy ? value[LAZY] : (value as unknown[]);
    let count = 0;
    for (const item of items) {
      yield `${count++ === 0 ? '[' : ','}\n${inner}`;
      // Inside arrays JSON.stringify writes undefined (and functions) as null.
      const written = item === undefined || typeof item === 'function' ? null : item;
      // Items of a lazy array are plain values (a finding, a SARIF result): written at once, not searched for lazy arrays.
      if (lazy) yield plain(written, inner);
      else yield* stringifyJsonPieces(written, inner);
    }
    yield count === 0 ? '[]' : `\n${indent}]`;
    return;
  }
  // Objects skip undefined and function members, as JSON.stringify does.
  const entries = Object.entries(value as Record<string, unknown>).filter(([, member]) => member !== undefined && typeof member !== 'function');
  if (entries.length === 0) {
    yield '{}';
    return;
  }
  let first = true;
  for (const [key, member] of entries) {
    yield `${first ? '{' : ','}\n${inner}${JSON.stringify(key)}: `;
    first = false;
    yield* stringifyJsonPieces(member, inner);
  }
  yield `\n${indent}}`;
}

/**
 * Writes pieces to a stream in batches of about 64 KB, waiting when the stream asks to (a pipe to a slow reader),
 * so neither the whole text nor a queue of it is ever held.
 */
export async function writePieces(stream: NodeJS.WritableStream, pieces: Iterable<string>): Promise<void> {
  const BATCH = 64 * 1024;
  let batch = '';
  for (const piece of pieces) {
    batch += piece;
    if (batch.length >= BATCH) {
      const flushed = stream.write(batch);
      batch = '';
      if (!flushed) await drained(stream);
    }
  }
  if (batch) stream.write(batch);
}

/** Resolves when the stream can take more, or is gone (a closed pipe: `pglens check | head`). */
function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
    stream.once('error', done);
  });
}
