// "Did you mean ...?" for a misspelled name (a command-line option, a config key, a rule id): the known name with the
// fewest single-character edits, when it is close enough to be what was meant.

/** Single-character insertions, deletions, substitutions and swaps of neighbours that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidate closest to `name` (case-insensitive), if it is within a third of the longer name's length (at least
 * 1 edit, at most 3): "--max-warning" finds "max-warnings", "--frmat" finds "format", "--db-url" finds nothing.
 * A candidate that starts with the name ("--verb" for "verbose") counts as close too.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const wanted = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const known = candidate.toLowerCase();
    const distance = wanted.length >= 3 && known.startsWith(wanted) ? 1 : editDistance(wanted, known);
    const limit = Math.min(3, Math.max(1, Math.floor(Math.max(wanted.length, known.length) / 3)));
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
