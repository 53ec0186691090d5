// Schema at the cursor: hover on a table or column name inside SQL (size, row estimate, indexes; a column's type and
// nullability) and completion of table and column names, both from the schema facts the last analysis of the
// document already read (engine db/schemaFacts.ts). Nothing here asks the database: completion runs on every
// keystroke, so it only scans the text around the cursor and looks names up in maps built once per schema version.

import { CompletionItemKind, MarkupKind, type CompletionItem, type Position } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { FileAnalysis } from '../engine/analyze';
import { findTable, indexesOf, type SchemaFacts, type TableFacts } from '../engine/db/schemaFacts';
import { formatMegabytes, formatRows } from '../engine/locks/report';
import { escapeMarkdown } from './planRender';

const IDENTIFIER_CHAR = /[\p{L}\p{N}_$]/u;
/** Words after which a table name comes. */
const TABLE_CONTEXT = /\b(?:from|join|update|into|table|only|references|on\s+table|truncate)\s+(?:only\s+)?(?:"?[\w$]+"?\.)?"?[\w$]*$/i;

/** The SQL identifier under the cursor (with an `alias.` or `schema.` qualifier before it, if any). */
export function identifierAt(text: string, offset: number): { name: string; qualifier?: string; start: number; end: number } | undefined {
  let start = offset;
  let end = offset;
  while (start > 0 && IDENTIFIER_CHAR.test(text[start - 1])) start--;
  while (end < text.length && IDENTIFIER_CHAR.test(text[end])) end++;
  // A quoted identifier: "Order Items".
  if (text[start - 1] === '"' && text[end] === '"') {
    start--;
    end++;
  }
  if (start === end) return undefined;
  const raw = text.slice(start, end);
  const name = raw.startsWith('"') ? raw.slice(1, -1) : raw.toLowerCase();
  const before = /(?:"([^"]+)"|([\p{L}_][\p{L}\p{N}_$]*))\.$/u.exec(text.slice(Math.max(0, start - 128), start));
  const qualifier = before ? (before[1] ?? before[2].toLowerCase()) : undefined;
  return { name, qualifier, start, end };
}

/** Tables of the schema named in a piece of SQL (by their bare or qualified name), and the aliases given to them. */
export function tablesNamedIn(sql: string, schema: SchemaFacts): { tables: TableFacts[]; aliases: Map<string, TableFacts> } {
  const tables: TableFacts[] = [];
  const aliases = new Map<string, TableFacts>();
  // The alias is read ahead, not consumed: in `from accounts a` the word after `from` must still be matched.
  const pattern = /(?:"([^"]+)"|([\p{L}_][\p{L}\p{N}_$]*))(?:\.(?:"([^"]+)"|([\p{L}_][\p{L}\p{N}_$]*)))?(?=(?:\s+(?:as\s+)?([\p{L}_][\p{L}\p{N}_$]*))?)/giu;
  for (const match of sql.matchAll(pattern)) {
    const first = match[1] ?? match[2]?.toLowerCase();
    const second = match[3] ?? match[4]?.toLowerCase();
    const table = second ? findTable(schema, second, first) : first ? findTable(schema, first) : undefined;
    if (!table) continue;
    if (!tables.includes(table)) tables.push(table);
    const alias = match[5]?.toLowerCase();
    if (alias && !SQL_KEYWORDS.has(alias)) aliases.set(alias, table);
  }
  return { tables, aliases };
}

const SQL_KEYWORDS = new Set(
  'where join left right inner outer full cross on using group order by having limit offset union except intersect set values returning select from and or not as natural lateral window for fetch'.split(' '),
);

/** Hover markdown for a table: size, row estimate, columns and indexes. */
export function tableHoverMarkdown(table: TableFacts, schema: SchemaFacts): string {
  const lines = [
    `**pglens · table ${escapeMarkdown(`${table.schema}.${table.name}`)}** · ${formatRows(table.estimatedRows)} (estimate) · ${formatMegabytes(table.totalBytes)} with indexes and TOAST`,
    '',
    `${table.columns.length} column${table.columns.length === 1 ? '' : 's'}: ${table.columns.map((c) => `\`${c.name}\` ${escapeMarkdown(c.type)}`).join(', ')}`,
  ];
  const indexes = indexesOf(schema, table);
  lines.push('', indexes.length === 0 ? '*No indexes.*' : `*Indexes:*`);
  for (const index of indexes) lines.push(`- \`${index.definition.replace(/`/g, "'")}\`${index.valid ? '' : ' (INVALID)'}`);
  return lines.join('\n');
}

/** Hover markdown for a column: its type, nullability, and the indexes that lead with it or include it. */
export function columnHoverMarkdown(table: TableFacts, columnName: string, schema: SchemaFacts): string | undefined {
  const column = table.columns.find((c) => c.name === columnName);
  if (!column) return undefined;
  const indexes = indexesOf(schema, table).filter((i) => i.keys.includes(column.name) || i.include.includes(column.name));
  const leading = indexes.filter((i) => i.keys[0] === column.name);
  const lines = [
    `**pglens · column ${escapeMarkdown(`${table.name}.${column.name}`)}** · ${escapeMarkdown(column.type)}${column.notNull ? ' NOT NULL' : ''}${column.collation ? ` COLLATE ${escapeMarkdown(column.collation)}` : ''}`,
    '',
    `In ${escapeMarkdown(`${table.schema}.${table.name}`)} (${formatRows(table.estimatedRows)}, ${formatMegabytes(table.totalBytes)}).`,
    '',
    leading.length > 0
      ? `Leading column of ${leading.map((i) => `\`${i.name}\``).join(', ')}: a lookup by ${escapeMarkdown(column.name)} can use an index.`
      : indexes.length > 0
        ? `In ${indexes.map((i) => `\`${i.name}\``).join(', ')}, but no index starts with it: a lookup by ${escapeMarkdown(column.name)} alone scans.`
        : `No index covers ${escapeMarkdown(column.name)}: a lookup by it scans the table.`,
  ];
  return lines.join('\n');
}

/** Whether an offset is inside SQL pglens found: anywhere in a .sql file, inside a found SQL site in JS/TS. */
export function insideSql(analysis: FileAnalysis, document: TextDocument, offset: number): boolean {
  if (/\.(sql|psql|pgsql)$/i.test(analysis.file) || document.languageId === 'sql') return true;
  if (analysis.statements.some((s) => s.statement.site.fileStart <= offset && offset <= s.statement.site.fileEnd)) return true;
  // SQL being typed does not parse: its site has no statements, but a syntax error on the cursor's line.
  const line = document.positionAt(offset).line;
  return analysis.findings.some((f) => f.ruleId === 'syntax-error' && f.range.start.line <= line && line <= f.range.end.line);
}

/** The hover for a table or column name at the cursor, or undefined when it names neither. */
export function schemaHover(analysis: FileAnalysis, document: TextDocument, position: Position): string | undefined {
  const schema = analysis.schema;
  if (!schema) return undefined;
  const text = document.getText();
  const offset = document.offsetAt(position);
  if (!insideSql(analysis, document, offset)) return undefined;
  const word = identifierAt(text, offset);
  if (!word) return undefined;
  const statementText = statementTextAround(analysis, text, offset);
  const named = tablesNamedIn(statementText, schema);
  if (word.qualifier) {
    const owner = named.aliases.get(word.qualifier) ?? findTable(schema, word.qualifier);
    if (owner) return columnHoverMarkdown(owner, word.name, schema);
    const qualifiedTable = findTable(schema, word.name, word.qualifier);
    return qualifiedTable ? tableHoverMarkdown(qualifiedTable, schema) : undefined;
  }
  const table = findTable(schema, word.name);
  if (table && text[word.end] !== '(') return tableHoverMarkdown(table, schema);
  const owners = named.tables.filter((t) => t.columns.some((c) => c.name === word.name));
  return owners.length === 1 ? columnHoverMarkdown(owners[0], word.name, schema) : undefined;
}

/** The text of the statement around an offset (the analysis's statement, else the line): where names are looked for. */
function statementTextAround(analysis: FileAnalysis, text: string, offset: number): string {
  const statement = analysis.statements.find((s) => s.fileStart <= offset && offset <= s.fileEnd);
  if (statement) return statement.statement.text;
  // Being typed (does not parse yet): the text since the last semicolon, at most a few lines back.
  const from = Math.max(text.lastIndexOf(';', offset - 1) + 1, offset - 2000);
  const to = text.indexOf(';', offset);
  return text.slice(from, to === -1 ? Math.min(text.length, offset + 2000) : to);
}

interface CompletionLists {
  tables: CompletionItem[];
  columnsByTable: Map<TableFacts, CompletionItem[]>;
}
/** Built once per schema version (the facts object is replaced when the schema changes). */
const listsBySchema = new WeakMap<SchemaFacts, CompletionLists>();

function completionLists(schema: SchemaFacts): CompletionLists {
  let lists = listsBySchema.get(schema);
  if (lists) return lists;
  const unique = [...new Set(schema.tables.values())];
  lists = {
    tables: unique.map((table) => ({
      label: table.name,
      kind: CompletionItemKind.Class,
      detail: `${table.schema}.${table.name} · ${formatRows(table.estimatedRows)} · ${formatMegabytes(table.totalBytes)}`,
      sortText: `1${table.name}`,
    })),
    columnsByTable: new Map(
      unique.map((table) => [
        table,
        table.columns.map((column) => ({
          label: column.name,
          kind: CompletionItemKind.Field,
          detail: `${table.name}.${column.name} ${column.type}${column.notNull ? ' NOT NULL' : ''}`,
          sortText: `0${column.name}`,
        })),
      ]),
    ),
  };
  listsBySchema.set(schema, lists);
  return lists;
}

/**
 * Completion items at a position inside SQL: after `alias.` the columns of that table; after FROM, JOIN, UPDATE,
 * INTO ... the tables; elsewhere the columns of the tables the statement names, then the tables.
 */
export function schemaCompletions(analysis: FileAnalysis | undefined, document: TextDocument, position: Position): CompletionItem[] {
  const schema = analysis?.schema;
  if (!analysis || !schema) return [];
  const text = document.getText();
  const offset = document.offsetAt(position);
  if (!insideSql(analysis, document, offset)) return [];
  const lists = completionLists(schema);
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(Math.max(lineStart - 200, 0), offset);
  const qualifier = /(?:"([^"]+)"|([\p{L}_][\p{L}\p{N}_$]*))\.[\p{L}\p{N}_$]*$/u.exec(before);
  const named = tablesNamedIn(statementTextAround(analysis, text, offset), schema);
  if (qualifier) {
    const name = qualifier[1] ?? qualifier[2].toLowerCase();
    const owner = named.aliases.get(name) ?? findTable(schema, name);
    if (owner) return lists.columnsByTable.get(owner) ?? [];
    return lists.tables.filter((item) => item.detail?.startsWith(`${name}.`));
  }
  if (TABLE_CONTEXT.test(before)) return lists.tables;
  const columns = named.tables.flatMap((table) => lists.columnsByTable.get(table) ?? []);
  return [...columns, ...lists.tables];
}
