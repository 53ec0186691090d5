// The command line of every pglens command, from one table per command: each option is declared once (name, kind,
// placeholder, help) and that declaration gives both the parser and the "Options:" part of --help. An unknown option
// gets a did-you-mean from the same table.
//
// A command declares its table `as const satisfies readonly OptionSpec[]` and gets typed values:
//   const CHECK_OPTIONS = [{ name: 'db', kind: 'string', value: 'URL', help: '...' }, ...] as const satisfies readonly OptionSpec[];
//   const { values, positionals } = parseOptions(argv, CHECK_OPTIONS);   // values.db: string | undefined

import { closestName } from '../engine/closestName';

export interface OptionSpec {
  /** The long name, without dashes: "max-warnings". */
  readonly name: string;
  /**
   * string: one value (the last one given wins); list: repeatable, every value kept in order; boolean: a flag, false
   * when absent; switch: a flag with a `--no-<name>` form, undefined when neither is given (the default then comes
   * from elsewhere, e.g. the environment).
   */
  readonly kind: 'string' | 'list' | 'boolean' | 'switch';
  /** One-letter alias: "h" for -h. */
  readonly short?: string;
  /** The value's placeholder in --help ("URL", "N"). */
  readonly value?: string;
  /** The only values accepted (checked by the parser, listed in the error). */
  readonly choices?: readonly string[];
  /** A string option's value when it is not given. */
  readonly default?: string;
  /** --help text; "\n" starts a continuation line. */
  readonly help: string;
}

type ValueOf<S extends OptionSpec> = S['kind'] extends 'boolean'
  ? boolean
  : S['kind'] extends 'switch'
    ? boolean | undefined
    : S['kind'] extends 'list'
      ? string[]
      : S extends { default: string }
        ? string
        : string | undefined;

export type OptionValues<T extends readonly OptionSpec[]> = { -readonly [S in T[number] as S['name']]: ValueOf<S> };

export interface ParsedCommandLine<T extends readonly OptionSpec[]> {
  values: OptionValues<T>;
  positionals: string[];
}

/** Bad usage: the message is one line, without "pglens: " (the command adds its prefix and where to look next). */
export class OptionError extends Error {}

const joinChoices = (choices: readonly string[]) => (choices.length < 2 ? choices.join('') : `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}`);

/**
 * Parses `argv` against the table: `--name value`, `--name=value`, `-x value`, `--no-<switch>`, and `--` before
 * positionals that start with a dash. A value may start with a dash ("--max-warnings -1" reaches the command's own
 * check) unless it is itself an option of the table.
 */
export function parseOptions<T extends readonly OptionSpec[]>(argv: readonly string[], specs: T): ParsedCommandLine<T> {
  const byName = new Map<string, OptionSpec>(specs.map((spec) => [spec.name, spec]));
  const byShort = new Map<string, OptionSpec>(specs.filter((spec) => spec.short).map((spec) => [spec.short as string, spec]));
  const values: Record<string, string | boolean | string[] | undefined> = {};
  for (const spec of specs) values[spec.name] = spec.kind === 'boolean' ? false : spec.kind === 'list' ? [] : spec.kind === 'string' ? spec.default : undefined;
  const positionals: string[] = [];
  const isOption = (arg: string) => {
    if (arg.startsWith('--')) {
      const name = arg.slice(2).split('=')[0];
      return byName.has(name) || (name.startsWith('no-') && byName.get(name.slice(3))?.kind === 'switch');
    }
    return arg.length === 2 && byShort.has(arg[1]);
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const long = arg.startsWith('--');
    const equals = arg.indexOf('=');
    const name = long ? arg.slice(2, equals >= 0 ? equals : undefined) : arg.slice(1);
    const inline = long && equals >= 0 ? arg.slice(equals + 1) : undefined;
    let spec = long ? byName.get(name) : name.length === 1 ? byShort.get(name) : undefined;
    let negated = false;
    if (!spec && long && name.startsWith('no-') && byName.get(name.slice(3))?.kind === 'switch') {
      spec = byName.get(name.slice(3));
      negated = true;
    }
    if (!spec) throw new OptionError(unknownOptionMessage(arg.split('=')[0], specs));
    const shown = long ? `--${name}` : arg;
    if (spec.kind === 'boolean' || spec.kind === 'switch') {
      if (inline !== undefined) throw new OptionError(`${shown} takes no value, got "${inline}"`);
      values[spec.name] = !negated;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || isOption(next) || next === '--') throw new OptionError(`--${spec.name} needs a value${spec.value ? ` (${spec.value})` : ''}`);
      value = next;
      i++;
    }
    if (spec.choices && !spec.choices.includes(value)) throw new OptionError(`unknown --${spec.name} "${value}" (use ${joinChoices(spec.choices)})`);
    if (spec.kind === 'list') (values[spec.name] as string[]).push(value);
    else values[spec.name] = value;
  }
  return { values: values as OptionValues<T>, positionals };
}

function unknownOptionMessage(given: string, specs: readonly OptionSpec[]): string {
  const names = specs.flatMap((spec) => (spec.kind === 'switch' ? [spec.name, `no-${spec.name}`] : [spec.name]));
  const suggestion = closestName(given.replace(/^-+/, ''), names);
  return `unknown option "${given}"${suggestion ? ` (did you mean "--${suggestion}"?)` : ''}`;
}

/** The "Options:" lines of --help: flags in one column, help text beside them (or below, when the flags are long). */
export function formatOptionHelp(specs: readonly OptionSpec[]): string {
  const column = 23;
  const lines: string[] = [];
  for (const spec of specs) {
    const long = spec.kind === 'switch' ? `--[no-]${spec.name}` : `--${spec.name}`;
    const flags = `  ${spec.short ? `-${spec.short}, ` : ''}${long}${spec.value ? ` ${spec.value}` : ''}${spec.kind === 'list' ? ' ...' : ''}`;
    const [first, ...rest] = spec.help.split('\n');
    if (flags.length + 1 <= column) lines.push(flags.padEnd(column) + first);
    else lines.push(flags, ' '.repeat(column) + first);
    for (const line of rest) lines.push(' '.repeat(column) + line);
  }
  return `${lines.join('\n')}\n`;
}
