// Path aliases of a tsconfig.json/jsconfig.json (`compilerOptions.paths`, `baseUrl`), read from the syntax of the
// config alone, so that databaseOf.ts can follow `import { conn } from '@/lib/planetscale'` into the project module as
// it follows `../planetscale`. Next.js apps import nearly everything through `@/`: dub's MySQL client
// (`@/lib/planetscale`, which imports @planetscale/database) was not followed, and its `UPDATE Project SET x = x + ?`
// was read as PostgreSQL (4 false syntax errors). Only configs and targets inside the workspace are read.

import * as path from 'node:path';
import ts = require('typescript');
import { isInside, readWorkspaceTextFile } from '../files';

const CONFIG_NAMES = ['tsconfig.json', 'jsconfig.json'];
/** `extends` chains followed at most this deep (relative paths only: a package's config holds no project aliases). */
const MAX_EXTENDS = 4;
const KNOWN_FOR_MS = 5_000;

interface Aliases {
  /** Folder the targets are resolved against: `baseUrl`, else the folder of the config that declared `paths`. */
  base: string;
  paths: [pattern: string, targets: string[]][];
}

export class PathAliases {
  private readonly byFolder = new Map<string, { aliases: Aliases | undefined; at: number }>();

  constructor(
    private readonly root: string,
    private readonly maxBytes: number,
  ) {}

  /**
   * The paths (without extension resolution) an aliased specifier may stand for, in the order TypeScript tries them,
   * by the nearest config above `fromFile`; empty when no alias matches.
   */
  candidates(fromFile: string, specifier: string): string[] {
    const aliases = this.aliasesFor(path.dirname(path.resolve(this.root, fromFile)));
    if (!aliases) return [];
    let best: { pattern: string; targets: string[]; star: string } | undefined;
    for (const [pattern, targets] of aliases.paths) {
      const star = pattern.indexOf('*');
      if (star < 0) {
        if (pattern === specifier) return resolveTargets(aliases.base, targets, '', this.root);
        continue;
      }
      const prefix = pattern.slice(0, star);
      const suffix = pattern.slice(star + 1);
      if (specifier.length < prefix.length + suffix.length || !specifier.startsWith(prefix) || !specifier.endsWith(suffix)) continue;
      // The longest prefix wins, as in TypeScript.
      if (!best || prefix.length > best.pattern.indexOf('*')) best = { pattern, targets, star: specifier.slice(prefix.length, specifier.length - suffix.length) };
    }
    return best ? resolveTargets(aliases.base, best.targets, best.star, this.root) : [];
  }

  private aliasesFor(folder: string): Aliases | undefined {
    const now = Date.now();
    const known = this.byFolder.get(folder);
    if (known && now - known.at < KNOWN_FOR_MS) return known.aliases;
    let aliases: Aliases | undefined;
    for (let current = folder; isInside(current, this.root); current = path.dirname(current)) {
      const config = CONFIG_NAMES.map((name) => path.join(current, name)).find((file) => this.readJson(file) !== undefined);
      if (config) {
        aliases = this.aliasesOfConfig(config, 0);
        break;
      }
      if (current === this.root || path.dirname(current) === current) break;
    }
    if (this.byFolder.size >= 1000) this.byFolder.clear();
    this.byFolder.set(folder, { aliases, at: now });
    return aliases;
  }

  /** `paths` and `baseUrl` of a config, those it does not set taken from the configs it extends. */
  private aliasesOfConfig(file: string, depth: number): Aliases | undefined {
    const json = this.readJson(file);
    if (!json || typeof json !== 'object') return undefined;
    const folder = path.dirname(file);
    const options = (json as { compilerOptions?: { paths?: unknown; baseUrl?: unknown } }).compilerOptions ?? {};
    let inherited: Aliases | undefined;
    const extendsValue = (json as { extends?: unknown }).extends;
    if (depth < MAX_EXTENDS) {
      for (const parent of (Array.isArray(extendsValue) ? extendsValue : [extendsValue]).reverse()) {
        if (typeof parent !== 'string' || !parent.startsWith('.')) continue;
        const parentFile = path.resolve(folder, parent.endsWith('.json') ? parent : `${parent}.json`);
        inherited = this.aliasesOfConfig(parentFile, depth + 1);
        if (inherited) break;
      }
    }
    const baseUrl = typeof options.baseUrl === 'string' ? path.resolve(folder, options.baseUrl) : undefined;
    const paths = options.paths && typeof options.paths === 'object' && !Array.isArray(options.paths) ? options.paths : undefined;
    if (paths) {
      const entries = Object.entries(paths as Record<string, unknown>)
        .filter((entry): entry is [string, unknown[]] => Array.isArray(entry[1]))
        .map(([pattern, targets]) => [pattern, targets.filter((target): target is string => typeof target === 'string')] as [string, string[]]);
      return { base: baseUrl ?? folder, paths: entries };
    }
    if (inherited && baseUrl) return { ...inherited, base: baseUrl };
    return inherited;
  }

  private readJson(file: string): unknown {
    const read = readWorkspaceTextFile(file, { root: this.root, maxBytes: this.maxBytes });
    if (!read.ok) return undefined;
    const parsed = ts.parseConfigFileTextToJson(file, read.text);
    return parsed.error ? undefined : (parsed.config as unknown);
  }
}

function resolveTargets(base: string, targets: string[], star: string, root: string): string[] {
  return targets
    .map((target) => path.resolve(base, target.replace('*', star)))
    // A catch-all `"*": ["node_modules/*"]` names packages, not the project's modules: those are decided by name.
    .filter((candidate) => isInside(candidate, root) && !candidate.split(path.sep).includes('node_modules'));
}
