// libpg_query's WASM build (package @libpg-query/parser), loaded without the package's index module.
//
// Why not `import '@libpg-query/parser'`: its index requires proto.js, a 5.4 MB protobuf codec used only by
// deparse, at load time. Held as source text, compiled and instantiated (hundreds of message classes) it cost about
// 15 MB of resident memory in every pglens process, for a function pglens never calls. pglens needs one entry point,
// parse to JSON, which is the same three calls into the WASM module that the package's own parseSync makes.
// The package is pinned in package-lock.json; test/engine/parse.test.ts exercises this path on every run.

import { useBaselineWasmTierForParser } from '../v8Tuning';

interface PgQueryWasm {
  _wasm_parse_query_raw(queryPtr: number): number;
  _wasm_free_parse_result(resultPtr: number): void;
  _malloc(size: number): number;
  _free(ptr: number): void;
  lengthBytesUTF8(text: string): number;
  stringToUTF8(text: string, ptr: number, maxBytes: number): void;
  UTF8ToString(ptr: number): string;
  getValue(ptr: number, type: 'i32'): number;
}

/** A syntax error as PostgreSQL's parser reports it. */
export class PgParseError extends Error {
  /** 0-based position in characters (code points) of the SQL text, as PostgreSQL's scanner counts them. */
  readonly cursorPosition: number;

  constructor(message: string, cursorPosition: number) {
    super(message);
    this.name = 'PgParseError';
    this.cursorPosition = cursorPosition;
  }
}

let wasm: PgQueryWasm | undefined;
let loading: Promise<void> | undefined;

/** Instantiates the WASM module once; parseToJson is synchronous afterwards. */
export function loadPgQuery(): Promise<void> {
  loading ??= (async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const createModule = require('@libpg-query/parser/wasm/libpg-query.js') as () => Promise<PgQueryWasm>;
    useBaselineWasmTierForParser();
    wasm = await createModule();
  })();
  return loading;
}

/**
 * Drops the module after its stack overflowed on a deeply nested statement and starts loading a fresh one: an
 * overflow unwinds past the C code's stack-pointer restore, and about thirty of them corrupt the module's memory.
 * Until the new module is in, parseToJson throws (isPgQueryLoaded tells); loadPgQuery waits for it.
 */
export function resetPgQuery(): void {
  wasm = undefined;
  loading = undefined;
  void loadPgQuery().catch(() => undefined);
}

export function isPgQueryLoaded(): boolean {
  return wasm !== undefined;
}

/** The parse tree of `sql` (libpg_query's JSON: `{ version, stmts: [...] }`); throws PgParseError on bad SQL. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function parseToJson(sql: string): any {
  const module = wasm;
  if (!module) throw new Error('the PostgreSQL parser is not loaded yet (call loadPgQuery first)');
  const size = module.lengthBytesUTF8(sql) + 1;
  const queryPtr = module._malloc(size);
  let resultPtr = 0;
  try {
    module.stringToUTF8(sql, queryPtr, size);
    resultPtr = module._wasm_parse_query_raw(queryPtr);
    if (!resultPtr) throw new Error('the PostgreSQL parser ran out of memory');
    // struct PgQueryParseResult { char *parse_tree; char *stderr_buffer; PgQueryError *error; }
    const treePtr = module.getValue(resultPtr, 'i32');
    const errorPtr = module.getValue(resultPtr + 8, 'i32');
    if (errorPtr) {
      // struct PgQueryError { char *message; char *funcname; char *filename; int lineno; int cursorpos; ... }
      const messagePtr = module.getValue(errorPtr, 'i32');
      const cursor = module.getValue(errorPtr + 16, 'i32');
      throw new PgParseError(messagePtr ? module.UTF8ToString(messagePtr) : 'syntax error', cursor > 0 ? cursor - 1 : 0);
    }
    if (!treePtr) throw new Error('the PostgreSQL parser returned no parse tree');
    return JSON.parse(module.UTF8ToString(treePtr));
  } finally {
    module._free(queryPtr);
    if (resultPtr) module._wasm_free_parse_result(resultPtr);
  }
}

/** One token of PostgreSQL's scanner: UTF-8 byte offsets, and its keyword category (0 none, 1 unreserved, 2-4 reserved kinds). */
export interface ScannedToken {
  start: number;
  end: number;
  tokenName: string;
  keywordKind: number;
}

/** The scanner's tokens of `sql` (comments included, as C_COMMENT / SQL_COMMENT); throws on text it cannot scan. */
export function scanToJson(sql: string): ScannedToken[] {
  const result = callTextFunction(sql, (module, ptr) => module._wasm_scan(ptr));
  // The scanner answers JSON, or an error message in plain text.
  if (!result.startsWith('{')) throw new PgParseError(result, 0);
  return (JSON.parse(result) as { tokens?: ScannedToken[] }).tokens ?? [];
}

type PgQueryTextWasm = PgQueryWasm & {
  _wasm_scan(queryPtr: number): number;
  _wasm_fingerprint(queryPtr: number): number;
  _wasm_normalize_query(queryPtr: number): number;
  _wasm_free_string(ptr: number): void;
};

/** One of libpg_query's text-in, text-out calls; its answer is an error message when it starts with one of these. */
function callTextFunction(sql: string, call: (module: PgQueryTextWasm, queryPtr: number) => number): string {
  const module = wasm as PgQueryTextWasm | undefined;
  if (!module) throw new Error('the PostgreSQL parser is not loaded yet (call loadPgQuery first)');
  const size = module.lengthBytesUTF8(sql) + 1;
  const queryPtr = module._malloc(size);
  let resultPtr = 0;
  try {
    module.stringToUTF8(sql, queryPtr, size);
    resultPtr = call(module, queryPtr);
    if (!resultPtr) throw new Error('the PostgreSQL parser ran out of memory');
    const result = module.UTF8ToString(resultPtr);
    if (/^(syntax error|deparse error|ERROR)/.test(result)) throw new PgParseError(result, 0);
    return result;
  } finally {
    module._free(queryPtr);
    if (resultPtr) module._wasm_free_string(resultPtr);
  }
}

/**
 * libpg_query's fingerprint of a statement (16 hex digits): the same for texts that differ only in constants, `$n`
 * parameters, the length of IN lists and `= ANY($1)`, whitespace, case and comments. The key that joins a statement
 * of the code to a pg_stat_statements entry.
 */
export function fingerprintOf(sql: string): string {
  return callTextFunction(sql, (module, ptr) => module._wasm_fingerprint(ptr));
}

/** The statement with every constant replaced by `$n`, as pg_stat_statements shows it. */
export function normalizedText(sql: string): string {
  return callTextFunction(sql, (module, ptr) => module._wasm_normalize_query(ptr));
}
