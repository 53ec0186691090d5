// Which column values a snapshot keeps. pg_stats holds real values of the data (the most common ones, and histogram
// bounds sampled from the rows): for an email or a name column those are personal data. By default a snapshot keeps
// values only where they cannot identify anyone; every column left out is listed with its reason in the snapshot.
// docs/production-snapshot.md states these rules for people.

/** At most this many distinct values (pg_stats.n_distinct > 0), each shared by LOW_CARDINALITY_ROWS_PER_VALUE rows on average. */
export const LOW_CARDINALITY_MAX_DISTINCT = 100;
export const LOW_CARDINALITY_ROWS_PER_VALUE = 10;

/**
 * Column names that say the column holds something about a person or free text (whatever its type and cardinality):
 * no values kept. Matched against the whole name split at underscores and case changes.
 */
const PERSONAL_NAME_WORDS = new Set([
  'email', 'mail', 'name', 'firstname', 'lastname', 'surname', 'username', 'login', 'phone', 'mobile', 'fax', 'address',
  'street', 'city', 'zip', 'zipcode', 'postcode', 'postal', 'ssn', 'passport', 'birth', 'birthday', 'dob', 'birthdate',
  'ip', 'token', 'secret', 'password', 'hash', 'iban', 'card', 'salary', 'latitude', 'longitude', 'lat', 'lng', 'lon',
  'agent', 'note', 'notes', 'comment', 'comments', 'description', 'body', 'message', 'text', 'content', 'payload',
  'title', 'subject', 'url', 'key',
]);

export interface ColumnForPrivacy {
  name: string;
  /** pg_type.typcategory: B boolean, N numeric, D date/time, T timespan, S string, E enum... */
  typeCategory: string;
  /** pg_type.typtype: e for an enum. */
  typeType: string;
  nDistinct: number;
  /** The table's row estimate (pg_class.reltuples). */
  tableRows: number;
}

export interface ValuesKept {
  mostCommon: boolean;
  histogram: boolean;
  /** Why something was dropped (undefined when all was kept). */
  reason?: string;
}

function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

export function isPersonalColumnName(name: string): boolean {
  return nameWords(name).some((word) => PERSONAL_NAME_WORDS.has(word));
}

function isLowCardinality(column: ColumnForPrivacy): boolean {
  const distinct = column.nDistinct;
  if (!(distinct > 0 && distinct <= LOW_CARDINALITY_MAX_DISTINCT)) return false;
  return column.tableRows / distinct >= LOW_CARDINALITY_ROWS_PER_VALUE;
}

/** Which of a column's values a snapshot keeps, by default (`withValues`: all of them). */
export function valuesKept(column: ColumnForPrivacy, withValues: boolean): ValuesKept {
  if (withValues) return { mostCommon: true, histogram: true };
  if (isPersonalColumnName(column.name)) return { mostCommon: false, histogram: false, reason: 'the name says personal data or free text' };
  if (column.typeCategory === 'B' || column.typeType === 'e') return { mostCommon: true, histogram: true };
  const lowCardinality = isLowCardinality(column);
  if (column.typeCategory === 'N' || column.typeCategory === 'D' || column.typeCategory === 'T') {
    // Numbers and times as bounds: the histogram's ranges, not which exact values are frequent.
    return lowCardinality ? { mostCommon: true, histogram: true } : { mostCommon: false, histogram: true, reason: 'most common values of a number or time with many distinct values' };
  }
  if (column.typeCategory === 'S') {
    return lowCardinality
      ? { mostCommon: true, histogram: true }
      : { mostCommon: false, histogram: false, reason: `text with more than ${LOW_CARDINALITY_MAX_DISTINCT} distinct values or fewer than ${LOW_CARDINALITY_ROWS_PER_VALUE} rows per value` };
  }
  return { mostCommon: false, histogram: false, reason: 'a type whose values may identify someone (json, uuid, bytea, arrays, network, ...)' };
}
