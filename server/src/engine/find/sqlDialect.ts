// SQL written for another database, recognised by what PostgreSQL's grammar can never contain outside strings and
// comments: `ENGINE = MergeTree`, `Nullable(String)`, backtick identifiers, `AUTO_INCREMENT`, `[dbo].`, `GO` lines,
// `COPY INTO`, `VARCHAR2(`. Each marker is one that a PostgreSQL script cannot hold (a keyword PostgreSQL does not
// have, in the place only the other grammar puts it), so a PostgreSQL file is never taken for another dialect; a file
// of another dialect without any such marker is read as PostgreSQL, which config (`databases.<name>.paths`) corrects.

import { skipQuotedOrComment, splitSqlStatements } from './sqlLexer';

export interface DialectMarker {
  /** Canonical database name (databaseNames.ts). */
  database: string;
  /** The marker as written, whitespace collapsed: "ENGINE = MergeTree". */
  marker: string;
  /** Offset of the marker in the text. */
  offset: number;
}

interface MarkerRule {
  database: string;
  pattern: RegExp;
  /** Extra check on a match (the text is the masked text). */
  accept?: (masked: string, match: RegExpExecArray) => boolean;
  /**
   * Only for whole scripts, not for one site's SQL in code: a backtick in a template is an escape a test or a
   * PostgreSQL user may write by mistake (a real syntax error to report), and `GO` lines are a script's batches.
   */
  scriptsOnly?: boolean;
}

const CLICKHOUSE_ENGINES =
  '(?:Replicated|Shared)?(?:Replacing|Summing|Aggregating|Collapsing|VersionedCollapsing|Graphite|Coalescing)?MergeTree|TinyLog|StripeLog|Log|Memory|Distributed|Kafka|Buffer|Dictionary|MaterializedPostgreSQL|EmbeddedRocksDB|Null|URL|S3|S3Queue|File|Merge|Set|Join';
const MYSQL_ENGINES = 'InnoDB|MyISAM|Aria|MEMORY|CSV|ARCHIVE|BLACKHOLE|FEDERATED|NDB|NDBCLUSTER|RocksDB|TokuDB';

/** ClickHouse functions PostgreSQL has no counterpart of, by their exact camel-case spelling. */
const CLICKHOUSE_FUNCTIONS =
  'toStartOf(?:Interval|Minute|FiveMinutes?|TenMinutes|FifteenMinutes|Hour|Day|Week|Month|Quarter|Year)|toDateTime(?:64)?|toDate32|toUInt(?:8|16|32|64|128|256)|toInt(?:8|16|32|64|128|256)|toFloat(?:32|64)|toUnixTimestamp(?:64Milli)?|uniqExact|uniqCombined(?:64)?|uniqMerge|uniqState|countMerge|countState|sumMerge|sumState|avgMerge|quantileMerge|quantilesMerge|argMax|argMin|groupArray|groupUniqArray|arrayJoin|countIf|sumIf|avgIf|uniqIf|JSONExtract\\w*|formatDateTime|splitByChar|splitByString|multiIf';

/** In order of precedence: a dialect's own markers before the backticks that several dialects share. */
const RULES: MarkerRule[] = [
  // ClickHouse
  { database: 'clickhouse', pattern: new RegExp(`\\bENGINE\\s*=\\s*(?:${CLICKHOUSE_ENGINES})\\b`, 'gi'), accept: (_, m) => !new RegExp(`=\\s*(?:${MYSQL_ENGINES})$`, 'i').test(m[0]) || /Memory$/.test(m[0]) },
  { database: 'clickhouse', pattern: /\b(?:Nullable|LowCardinality)\s*\(\s*[A-Z]\w*\)?/g },
  { database: 'clickhouse', pattern: /\b(?:TABLE|DATABASE|VIEW|DICTIONARY)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?[\w.`"]+\s+ON\s+CLUSTER\b/gi },
  { database: 'clickhouse', pattern: /\bUInt(?:8|16|32|64|128|256)\b|\bFloat(?:32|64)\b|\bDateTime64\s*\(/g },
  { database: 'clickhouse', pattern: new RegExp(`\\b(?:${CLICKHOUSE_FUNCTIONS})\\s*\\(`, 'g') },
  { database: 'clickhouse', pattern: /\b(?:Map|Array|Tuple)\(\s*(?:String|UInt\d+|Int\d+|Float\d+|DateTime\w*|Date32|Nullable|LowCardinality|FixedString|Decimal\d+|Bool|UUID)\b/g },
  { database: 'clickhouse', pattern: /\bGRANULARITY\s+\d+/gi },
  { database: 'clickhouse', pattern: /\bSETTINGS\s+[a-z]+_[a-z_0-9]+\s*=/gi },
  { database: 'clickhouse', pattern: /\bMATERIALIZE\s+(?:INDEX|COLUMN|PROJECTION|TTL)\b|\bMODIFY\s+(?:QUERY|TTL|SETTING)\b/gi },
  { database: 'clickhouse', pattern: /\bPREWHERE\b/gi },
  // Column compression codecs, a materialized view that writes TO a table, and an index dropped inside ALTER TABLE with
  // IF EXISTS (PostgreSQL has none of them; MySQL's ALTER TABLE ... DROP INDEX takes no IF EXISTS).
  { database: 'clickhouse', pattern: /\bCODEC\s*\(\s*(?:ZSTD|LZ4HC|LZ4|Delta|DoubleDelta|Gorilla|T64|FPC|NONE)\b/gi },
  { database: 'clickhouse', pattern: /\bCREATE\s+MATERIALIZED\s+VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?[\w.`"]+\s+TO\s+[\w.`"]+/gi },
  { database: 'clickhouse', pattern: /\bALTER\s+TABLE\s+[\w.`"]+\s+(?:ON\s+CLUSTER\s+\S+\s+)?DROP\s+INDEX\s+IF\s+EXISTS\b/gi },
  { database: 'clickhouse', pattern: /\bFORMAT\s+(?:JSONEachRow|JSONCompact\w*|JSONStrings\w*|TabSeparated\w*|TSVWithNames\w*|CSVWithNames\w*|RowBinary\w*|Native|Parquet|Pretty\w*)\b/g },
  // MySQL engines come before SQL Server's markers (both have none of the other's)
  { database: 'mysql', pattern: new RegExp(`\\bENGINE\\s*=\\s*(?:${MYSQL_ENGINES})\\b`, 'gi') },
  // SQL Server (T-SQL)
  { database: 'mssql', pattern: /\[dbo\]\s*\./gi },
  { database: 'mssql', pattern: /\[[A-Za-z_][\w ]*\]\s*\.\s*\[[A-Za-z_][\w ]*\]/g },
  { database: 'mssql', pattern: /\bN?VARCHAR\s*\(\s*MAX\s*\)/gi },
  { database: 'mssql', pattern: /\bIDENTITY\s*\(\s*\d+\s*,\s*\d+\s*\)/gi },
  { database: 'mssql', pattern: /^[ \t]*SET\s+(?:ANSI_NULLS|QUOTED_IDENTIFIER|NOCOUNT|XACT_ABORT)\s+(?:ON|OFF)\b/gim },
  { database: 'mssql', pattern: /^[ \t]*GO[ \t]*$/gm, accept: isBatchSeparator, scriptsOnly: true },
  // Snowflake
  { database: 'snowflake', pattern: /\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:TRANSIENT\s+|TEMPORARY\s+)?(?:STAGE|WAREHOUSE|PIPE|STREAM|TASK|FILE\s+FORMAT|STORAGE\s+INTEGRATION)\b/gi },
  { database: 'snowflake', pattern: /\bCOPY\s+INTO\b/gi },
  { database: 'snowflake', pattern: /\bUSE\s+(?:WAREHOUSE|ROLE)\b/gi },
  { database: 'snowflake', pattern: /\bLATERAL\s+FLATTEN\s*\(/gi },
  // SQLite
  { database: 'sqlite', pattern: /\bAUTOINCREMENT\b/gi },
  { database: 'sqlite', pattern: /\bWITHOUT\s+ROWID\b/gi },
  { database: 'sqlite', pattern: /\bINSERT\s+OR\s+(?:REPLACE|IGNORE|ABORT|FAIL|ROLLBACK)\b/gi },
  { database: 'sqlite', pattern: /(?:^|;)\s*PRAGMA\s+\w+/gi },
  // Oracle
  { database: 'oracle', pattern: /\bN?VARCHAR2\s*\(/gi },
  { database: 'oracle', pattern: /\bNUMBER\s*\(\s*\d+\s*(?:,\s*\d+\s*)?\)/gi },
  // PostgreSQL's relatives, whose scripts are PostgreSQL plus clauses PostgreSQL's grammar lacks: Redshift's
  // distribution, sort keys and column encodings, Greenplum's distribution, CockroachDB's UPSERT, column families and
  // interleaving.
  { database: 'redshift', pattern: /\bDIST(?:KEY\s*\(|STYLE\s+(?:KEY|ALL|EVEN|AUTO)\b)|\b(?:COMPOUND\s+|INTERLEAVED\s+)?SORTKEY\s*\(/gi },
  { database: 'redshift', pattern: /\bENCODE\s+(?:AZ64|ZSTD|LZO|RAW|BYTEDICT|DELTA(?:32K)?|MOSTLY(?:8|16|32)|RUNLENGTH|TEXT255|TEXT32K)\b/gi },
  { database: 'greenplum', pattern: /\bDISTRIBUTED\s+(?:BY\s*\(|RANDOMLY\b|REPLICATED\b)/gi },
  { database: 'cockroachdb', pattern: /(?:^|;)\s*UPSERT\s+INTO\b/gi },
  { database: 'cockroachdb', pattern: /\bINTERLEAVE\s+IN\s+PARENT\b|\bFAMILY\s+(?:"[^"\n]+"|\w+)\s*\(|\bCREATE\s+CHANGEFEED\b/gi },
  // BigQuery: `project.dataset.table` in one pair of backticks, typed STRUCT/ARRAY, temporary functions
  { database: 'bigquery', pattern: /`[\w-]+\.[\w-]+\.[\w$-]+`|`\w*-[\w-]*\.[\w.-]+`/g },
  { database: 'bigquery', pattern: /\bARRAY\s*<|\bSTRUCT</gi },
  { database: 'bigquery', pattern: /\bCREATE\s+(?:OR\s+REPLACE\s+)?TEMP(?:ORARY)?\s+FUNCTION\b/gi },
  // MySQL
  { database: 'mysql', pattern: /\bAUTO_INCREMENT\b/gi },
  { database: 'mysql', pattern: /\bON\s+DUPLICATE\s+KEY\s+UPDATE\b/gi },
  { database: 'mysql', pattern: /\b(?:TINYINT|SMALLINT|MEDIUMINT|INT|INTEGER|BIGINT)(?:\s*\(\s*\d+\s*\))?\s+UNSIGNED\b/gi },
  { database: 'mysql', pattern: /\bDEFAULT\s+CHARSET\b|\bCHARSET\s*=\s*(?:utf8\w*|utf16\w*|latin1|ascii|binary)\b/gi },
  { database: 'mysql', pattern: /\bINSERT\s+IGNORE\b/gi },
  { database: 'mysql', pattern: /\b(?:MEDIUMINT|TINYTEXT|MEDIUMTEXT|LONGTEXT|TINYBLOB|MEDIUMBLOB|LONGBLOB)\b/gi },
  { database: 'mysql', pattern: /`[^`\n]+`/g, scriptsOnly: true },
];

/** `GO` alone on a line ends a T-SQL batch; a column named go continues a list (the line before ends with a comma). */
function isBatchSeparator(masked: string, match: RegExpExecArray): boolean {
  const before = masked.slice(0, match.index).trimEnd();
  return before.length > 0 && !/[,(]$/.test(before) && !/\b(?:SELECT|BY|AS|AND|OR|ON|WHERE|SET)$/i.test(before);
}

/**
 * The first marker of another dialect in a SQL script or a site's SQL text, outside strings, quoted identifiers,
 * dollar quotes and comments (and outside the data lines of COPY ... FROM stdin); undefined when there is none.
 */
export function foreignDialectOf(text: string, where: 'script' | 'code' = 'script'): DialectMarker | undefined {
  const masked = maskedStatements(text);
  if (!/[A-Za-z`[]/.test(masked)) return undefined;
  for (const rule of RULES) {
    if (rule.scriptsOnly && where === 'code') continue;
    rule.pattern.lastIndex = 0;
    for (let match = rule.pattern.exec(masked); match; match = rule.pattern.exec(masked)) {
      if (rule.accept && !rule.accept(masked, match)) continue;
      const marker = match[0].replace(/^[;\s]+/, '');
      const offset = match.index + (match[0].length - match[0].replace(/^[;\s]+/, '').length);
      return { database: rule.database, marker: shorten(marker.replace(/\s+/g, ' ')), offset };
    }
  }
  return undefined;
}

function shorten(marker: string): string {
  return marker.length > 48 ? `${marker.slice(0, 45)}...` : marker;
}

/**
 * The text with everything but statement code blanked, offsets and lines kept: comments become spaces; strings,
 * quoted identifiers and dollar quotes become a U+0001 and spaces (so no marker's `\s*` reaches across one to the
 * next word); whatever lies outside the statements (psql meta-commands, COPY data) becomes spaces, semicolons kept.
 */
function maskedStatements(text: string): string {
  const out: string[] = [];
  let copied = 0;
  const blank = (from: number, to: number, keep: RegExp = /[^\n]/g) => {
    if (to > from) out.push(text.slice(from, to).replace(keep, ' '));
  };
  const blankQuoted = (from: number, to: number) => {
    out.push('\u0001');
    blank(from + 1, to);
  };
  const skip = { unterminated: false, comment: false };
  for (const span of splitSqlStatements(text)) {
    blank(copied, span.start, /[^\n;]/g);
    let i = span.start;
    let plainFrom = i;
    while (i < span.end) {
      const end = skipQuotedOrComment(text, i, skip);
      if (end < 0) {
        i++;
        continue;
      }
      out.push(text.slice(plainFrom, i));
      const stop = Math.min(end, span.end);
      if (skip.comment) blank(i, stop);
      else blankQuoted(i, stop);
      i = stop;
      plainFrom = i;
    }
    out.push(text.slice(plainFrom, span.end));
    copied = span.end;
  }
  blank(copied, text.length, /[^\n;]/g);
  return out.join('');
}

/** 1-based line of `offset` in `text`. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
