// pglens.schema.json: the committed file is what the registry generates (scripts/generateConfigSchema.ts), the repo's
// example configs satisfy it (and config.ts accepts them), and the mistakes config.ts refuses are refused by it too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { parseConfigText } from '../../server/src/engine/config';
import { configSchema, configSchemaText } from '../../server/src/engine/configSchema';
import { allRuleMetas } from '../../server/src/engine/rules/index';
import { ruleOptionSchemas } from '../../server/src/engine/rules/rule';

const REPO = path.resolve(__dirname, '..', '..');

type Schema = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The part of JSON Schema draft-07 the generated schema uses, enough to check a config the way an editor would:
 * the problems as "path: what".
 */
function validate(value: unknown, schema: Schema, root: Schema, at = ''): string[] {
  if (schema.$ref) return validate(value, root.definitions[String(schema.$ref).replace('#/definitions/', '')], root, at);
  if (schema.oneOf) {
    const passing = (schema.oneOf as Schema[]).filter((branch) => validate(value, branch, root, at).length === 0).length;
    return passing === 1 ? [] : [`${at}: matches ${passing} of the ${schema.oneOf.length} forms`];
  }
  const problems: string[] = [];
  const type = schema.type as string | undefined;
  const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : Number.isInteger(value) ? 'integer' : typeof value;
  if (type && !(type === actual || (type === 'number' && actual === 'integer'))) return [`${at}: ${actual}, not ${type}`];
  if (schema.enum && !(schema.enum as unknown[]).includes(value)) problems.push(`${at}: not one of ${schema.enum.join(', ')}`);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${at}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${at}: above ${schema.maximum}`);
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) problems.push(`${at}: not above ${schema.exclusiveMinimum}`);
    if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) problems.push(`${at}: not below ${schema.exclusiveMaximum}`);
  }
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) problems.push(`${at}: does not match ${schema.pattern}`);
    if (schema.minLength !== undefined && value.length < schema.minLength) problems.push(`${at}: shorter than ${schema.minLength}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) problems.push(`${at}: fewer than ${schema.minItems} items`);
    if (schema.items) value.forEach((item, i) => problems.push(...validate(item, schema.items, root, `${at}[${i}]`)));
  }
  if (actual === 'object') {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const where = at ? `${at}.${key}` : key;
      if (schema.propertyNames?.pattern && !new RegExp(schema.propertyNames.pattern).test(key)) problems.push(`${where}: not a valid name`);
      const property = schema.properties?.[key];
      if (property) problems.push(...validate(item, property, root, where));
      else if (schema.additionalProperties === false) problems.push(`${where}: not allowed`);
      else if (schema.additionalProperties) problems.push(...validate(item, schema.additionalProperties, root, where));
    }
  }
  return problems;
}

function exampleConfigs(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === 'pglens.json') found.push(full);
    }
  };
  walk(path.join(REPO, 'examples'));
  walk(path.join(REPO, 'test', 'fixtures'));
  return found;
}

test('the committed pglens.schema.json is the one the registry generates (node --import tsx scripts/generateConfigSchema.ts)', () => {
  const committed = fs.readFileSync(path.join(REPO, 'pglens.schema.json'), 'utf8');
  assert.ok(committed === configSchemaText(), 'pglens.schema.json is out of date: run node --import tsx scripts/generateConfigSchema.ts');
});

test('every rule of the registry is in the schema with its options', () => {
  const rules = configSchema().properties as Schema;
  for (const meta of allRuleMetas()) assert.ok(rules.rules.properties[meta.id], meta.id);
  const largeSort = rules.rules.properties['large-sort'].oneOf[1].properties.options.properties;
  assert.deepEqual(largeSort.minRows, { type: 'integer', default: 50000, description: 'Sorts of fewer estimated input rows are not reported.', minimum: 0 });
});

test('every option of every rule is named on its docs page', () => {
  for (const meta of allRuleMetas()) {
    const page = path.join(REPO, 'docs', 'rules', `${meta.id}.md`);
    const text = fs.existsSync(page) ? fs.readFileSync(page, 'utf8') : '';
    for (const option of Object.keys(ruleOptionSchemas(meta))) assert.ok(text.includes(option), `${option} of ${meta.id} in docs/rules/${meta.id}.md`);
  }
});

test('the example configs of the repository satisfy the schema and config.ts, with a "$schema" line', () => {
  const schema = configSchema();
  const files = exampleConfigs();
  assert.ok(files.length >= 5, files.join(', '));
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    assert.deepEqual(validate(parseJsonc(text), schema, schema), [], file);
    parseConfigText(text, file, {});
    const withSchema = { $schema: './pglens.schema.json', ...parseJsonc(text) };
    assert.deepEqual(validate(withSchema, schema, schema), [], file);
    parseConfigText(JSON.stringify(withSchema), file, {});
  }
});

test('the example of docs/configuration.md satisfies the schema', () => {
  const docs = fs.readFileSync(path.join(REPO, 'docs', 'configuration.md'), 'utf8');
  const example = /```jsonc\n(\{[\s\S]*?\n\})\n```/.exec(docs)?.[1];
  assert.ok(example, 'the first jsonc block of docs/configuration.md');
  const schema = configSchema();
  assert.deepEqual(validate(parseJsonc(example, [], { allowTrailingComma: true }), schema, schema), []);
});

test('what config.ts refuses the schema refuses too', () => {
  const schema = configSchema();
  const refused: unknown[] = [
    { rules: { 'seq-scan': 'warn' } },
    { rules: { 'large-sort': { options: { minRows: 'lots' } } } },
    { rules: { 'large-sort': { options: { minRow: 5 } } } },
    { rules: { truncate: { options: { minRows: 5 } } } },
    { rules: { 'syntax-error': 'warnning' } },
    { databse: {} },
    { database: { statementTimeoutMs: 0 } },
    { advisor: { minCostReduction: 50 } },
  ];
  for (const config of refused) {
    assert.notDeepEqual(validate(config, schema, schema), [], JSON.stringify(config));
    assert.throws(() => parseConfigText(JSON.stringify(config), '/repo/pglens.json', {}), JSON.stringify(config));
  }
});
