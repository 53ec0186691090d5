// Every byte the CLI prints goes through redactSecrets (../engine/redact.ts): reports in every format (findings may
// carry PostgreSQL's or pg's error text), errors, progress. One choke point instead of a call at each write.

import { EventEmitter } from 'node:events';
import { redactSecrets } from '../engine/redact';

type Target = NodeJS.WritableStream & { isTTY?: boolean };

export interface RedactedStream extends NodeJS.WritableStream {
  isTTY?: boolean;
  /** Writes what is still held back (a last line without its newline). */
  flush(): void;
}

/**
 * A stream that writes to `target` with secrets removed. Redaction needs whole tokens, and a report is written in
 * 64 KB batches that may cut a URL in two: text is passed on up to its last line break and the rest is held until
 * the next write or flush(). With `wholeWrites`, each write is redacted and passed on at once (stderr, whose writes
 * are whole messages and whose progress line has no line break).
 */
export function redactedStream(target: Target, options: { wholeWrites: boolean }): RedactedStream {
  let held = '';
  const emitter = new EventEmitter();
  const pass = (text: string): boolean => (text ? target.write(redactSecrets(text)) : true);
  const stream = {
    isTTY: target.isTTY,
    writable: true,
    write(chunk: string | Uint8Array, encodingOrCallback?: unknown, callback?: unknown): boolean {
      const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      let ok: boolean;
      if (options.wholeWrites) {
        ok = pass(text);
      } else {
        held += text;
        const cut = held.lastIndexOf('\n') + 1;
        ok = pass(held.slice(0, cut));
        held = held.slice(cut);
      }
      if (typeof done === 'function') process.nextTick(done as () => void);
      return ok;
    },
    end(...args: unknown[]) {
      if (typeof args[0] === 'string' || args[0] instanceof Uint8Array) stream.write(args[0] as string);
      stream.flush();
      return stream;
    },
    flush() {
      const rest = held;
      held = '';
      pass(rest);
    },
    // Back-pressure and errors are the target's: writePieces waits for its 'drain', 'close' or 'error'.
    on: (event: string, listener: (...a: unknown[]) => void) => (target.on(event, listener), stream),
    once: (event: string, listener: (...a: unknown[]) => void) => (target.once(event, listener), stream),
    off: (event: string, listener: (...a: unknown[]) => void) => (target.off(event, listener), stream),
    removeListener: (event: string, listener: (...a: unknown[]) => void) => (target.removeListener(event, listener), stream),
    emit: (event: string, ...a: unknown[]) => emitter.emit(event, ...a),
  };
  return stream as unknown as RedactedStream;
}
