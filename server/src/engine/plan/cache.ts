// Plans keyed by statement text and schema fingerprint: an unchanged statement against an unchanged schema is
// never planned twice. In-flight work is shared, so two editors asking at once cause one EXPLAIN.

import { isDatabaseFailure } from '../db/client';

export class PlanCache<T = unknown> {
  private readonly entries = new Map<string, Promise<T>>();
  /** Keys whose promise has fulfilled (a subset of entries' keys). */
  private readonly fulfilled = new Set<string>();
  hits = 0;
  misses = 0;

  constructor(private readonly capacity: number) {}

  getOrCompute<V extends T>(key: string, compute: () => Promise<V>): Promise<V> {
    const existing = this.entries.get(key);
    if (existing) {
      this.hits++;
      // Map order is insertion order: re-inserting makes this entry the most recently used.
      this.entries.delete(key);
      this.entries.set(key, existing);
      return existing as Promise<V>;
    }
    this.misses++;
    const promise = compute();
    this.entries.set(key, promise);
    promise.then(
      () => {
        if (this.entries.get(key) === promise) this.fulfilled.add(key);
      },
      () => undefined,
    );
    promise.catch((error: Error) => {
      // Errors PostgreSQL answered (missing table ...) are as stable as plans; a cancellation or a lost
      // connection, a timeout or a lock held by another session is not, so it must not stick.
      if (!('code' in error) || error.name === 'AbortError' || (error as { code?: string }).code === '57014' || isDatabaseFailure(error)) {
        if (this.entries.get(key) === promise) this.entries.delete(key);
      }
    });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) {
        this.entries.delete(oldest);
        this.fulfilled.delete(oldest);
      }
    }
    return promise;
  }

  /** Whether the value for `key` is known (not only being computed). */
  isSettled(key: string): boolean {
    return this.fulfilled.has(key);
  }

  clear(): void {
    this.entries.clear();
    this.fulfilled.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
