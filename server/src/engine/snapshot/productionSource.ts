// Where a folder's production runtime numbers come from and how old they are, in the words the status bar (VS Code)
// and the hover (every editor) use. No imports: the VS Code client uses it too.

/** Where a folder's runtime numbers come from. */
export type ProductionNumbersState =
  /** `takenAt`: when the snapshot file was taken. */
  | { source: 'snapshot'; takenAt: string }
  /** Read by live mode (`production.url`) at `takenAt`. */
  | { source: 'live'; takenAt: string }
  /** Live mode's first read has not answered yet. */
  | { source: 'connecting' }
  /** The last read failed (`reason`, one line, no password); `takenAt`: when the numbers still used were read. */
  | { source: 'unreachable'; reason: string; takenAt?: string };

/** "prod: snapshot of 2026-12-01", "prod: live, 2 min ago", "prod: unreachable" (with `detail`: the reason and the age of the numbers kept). */
export function describeProductionSource(state: ProductionNumbersState, now: number, detail = false): string {
  switch (state.source) {
    case 'snapshot':
      return `prod: snapshot of ${state.takenAt.slice(0, 10)}`;
    case 'live':
      return `prod: live, ${ageOf(state.takenAt, now)}`;
    case 'connecting':
      return 'prod: live, connecting';
    case 'unreachable':
      if (!detail) return 'prod: unreachable';
      return `prod: unreachable (${state.reason}); ${state.takenAt ? `numbers of ${state.takenAt.slice(11, 16)} UTC, ${ageOf(state.takenAt, now)}` : 'no numbers yet'}`;
  }
}

/** "just now", "2 min ago", "3 h ago", "2 days ago". */
export function ageOf(iso: string, now: number): string {
  const minutes = Math.floor((now - Date.parse(iso)) / 60_000);
  if (!Number.isFinite(minutes) || minutes < 1) return 'just now';
  if (minutes < 120) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}
