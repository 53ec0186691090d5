// The type context of the finder: where a tsconfig.json or jsconfig.json covers a file, a TypeScript Program of that
// project and its checker, so that the finder can ask what each `${expr}` of a SQL template is (a value, a fragment
// of a SQL library, a name known as a string-literal type) instead of guessing from its spelling.
//
// The CLI builds one Program per config file per run, lazily: only when a file under it has candidate sites (the
// finder asks only then), so a project whose files hold no SQL-ish names never pays for it. The language server
// keeps its Programs and rebuilds them incrementally (ts.createProgram with the old Program; unchanged files keep
// their parsed and bound trees, the edited one is re-parsed around the change): the text the editor sends wins over
// the disk. Without a config, or when the Program cannot be built, the finder falls back to reading the syntax alone.

import ts = require('typescript');
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export interface TypeContextOptions {
  /** Keep Programs between calls and update them with edited texts (the language server). */
  incremental?: boolean;
  /**
   * Programs kept alive at once (default 2, 3 when incremental): the least recently used one is dropped when another is built, and built
   * again if a file of its project asks later. A Program of a big project holds hundreds of MB of types.
   */
  maxPrograms?: number;
  /** One line per Program built or failed (never file contents). */
  log?: (message: string) => void;
}

/** What the finder needs from the checker for one file. */
export interface CheckedFile {
  sourceFile: ts.SourceFile;
  checker: ts.TypeChecker;
  program: ts.Program;
  /** The npm package a declaration file belongs to (`slonik`, `@prisma/client`), by node_modules, `paths` or `declare module`. */
  packageOf(declaration: ts.Declaration): string | undefined;
}

const CONFIG_NAMES = ['tsconfig.json', 'jsconfig.json'];
const MAX_REFERENCE_DEPTH = 4;

export class TypeContext {
  private readonly incremental: boolean;
  private readonly log: (message: string) => void;
  /** Directory → the config file that governs it (the nearest one upwards), or null. */
  private readonly configOfDirectory = new Map<string, string | null>();
  private readonly projects = new Map<string, Project | null>();
  private readonly maxPrograms: number;
  /** Programs alive, the most recently used last. */
  private readonly alive: ProgramSlot[] = [];
  private readonly hooks: ProjectHooks;

  constructor(options: TypeContextOptions = {}) {
    this.incremental = options.incremental === true;
    this.log = options.log ?? (() => undefined);
    // The CLI reads files folder by folder, so a project's files come together: two Programs are enough there. The
    // language server keeps one more, for a person going back and forth between packages.
    this.maxPrograms = Math.max(1, Math.floor(options.maxPrograms ?? (this.incremental ? 3 : 2)));
    this.hooks = {
      shared: new SharedSourceFiles(),
      used: (slot) => this.used(slot),
      drop: (slot) => this.drop(slot),
      makeRoom: (slot) => this.makeRoom(slot),
    };
  }

  /** How many Programs are alive and how many parsed files they share (for tests and benchmarks). */
  get stats(): { programs: number; sharedFiles: number } {
    return { programs: this.alive.length, sharedFiles: this.hooks.shared.size };
  }

  private used(slot: ProgramSlot): void {
    const at = this.alive.indexOf(slot);
    if (at === this.alive.length - 1 && at >= 0) return;
    if (at >= 0) this.alive.splice(at, 1);
    this.alive.push(slot);
    while (this.alive.length > this.maxPrograms) this.drop(this.alive[0]);
  }

  /**
   * Before `slot` builds its Program: the least recently used Programs beyond maxPrograms - 1 let go of their checkers
   * now (their types are most of their memory); the parsed files they hold are released once the new Program holds
   * what it shares with them (the returned function).
   */
  private makeRoom(slot: ProgramSlot): () => void {
    const victims: ProgramSlot[] = [];
    for (;;) {
      const others = this.alive.filter((other) => other !== slot);
      if (others.length <= this.maxPrograms - 1) break;
      const victim = others[0];
      this.alive.splice(this.alive.indexOf(victim), 1);
      victim.program = undefined;
      victim.checker = undefined;
      victim.lastProgram = undefined;
      victims.push(victim);
    }
    return () => {
      for (const victim of victims) victim.project.dropSlot(victim);
    };
  }

  private drop(slot: ProgramSlot): void {
    const at = this.alive.indexOf(slot);
    if (at >= 0) this.alive.splice(at, 1);
    slot.project.dropSlot(slot);
  }

  /**
   * The Program's view of `file` holding exactly `text`, with the checker; undefined when no config covers the file
   * or its Program could not be built (the finder then reads the syntax alone). In the language server an edited
   * text replaces the file's in the Program; in the CLI a text that differs from the disk's is read syntax-only.
   */
  checkedFile(file: string, text: string): CheckedFile | undefined {
    const absolute = resolve(file);
    const project = this.projectCovering(absolute);
    if (!project) return undefined;
    try {
      return project.checkedFile(absolute, text);
    } catch (error) {
      // A compiler crash on one project must not stop the finder: that project is read syntax-only from now on.
      this.log(`pglens: type information unavailable for ${project.configPath}: ${(error as Error).message}`);
      for (const slot of project.allSlots()) this.drop(slot);
      this.projects.set(project.configPath, null);
      textsVersion++;
      return undefined;
    }
  }

  /**
   * Whether a config covers `file` (and its Program could be asked for): reads configs, never builds a Program. A
   * config that cannot be read covers nothing.
   */
  covers(file: string): boolean {
    return this.projectCovering(resolve(file)) !== undefined;
  }

  /**
   * The text of `file` now, for a file read without asking the checker: in the language server an edited text replaces
   * the file's in its project's next Program (files that import it see the edit), without building one now.
   */
  noteText(file: string, text: string): void {
    if (!this.incremental) return;
    const absolute = resolve(file);
    this.projectCovering(absolute)?.noteText(absolute, text);
  }

  /**
   * The text of `file` now, when the finder reused its reading of the previous text (an edit inside one template's
   * SQL, which changes no type): the Program is told before it next answers, without re-parsing the file now.
   */
  noteTextLater(file: string, text: string): void {
    if (!this.incremental) return;
    const absolute = resolve(file);
    this.projectCovering(absolute)?.noteTextLater(absolute, text);
  }

  /** Forgets a file's edited text (the editor closed it): the disk's text counts again. */
  forget(file: string): void {
    for (const project of this.projects.values()) project?.forget(resolve(file));
  }

  private projectCovering(file: string): Project | undefined {
    const configPath = this.configFor(dirname(file));
    if (!configPath) return undefined;
    return this.coveringProject(configPath, file, 0);
  }

  /** The project of `configPath` if it lists `file`, else the first of its references (solution configs) that does. */
  private coveringProject(configPath: string, file: string, depth: number): Project | undefined {
    const project = this.project(configPath);
    if (!project) return undefined;
    if (project.covers(file)) return project;
    if (depth >= MAX_REFERENCE_DEPTH) return undefined;
    for (const reference of project.references) {
      const found = this.coveringProject(reference, file, depth + 1);
      if (found) return found;
    }
    return undefined;
  }

  private project(configPath: string): Project | undefined {
    let project = this.projects.get(configPath);
    if (project === undefined) {
      project = Project.load(configPath, this.incremental, this.log, this.hooks);
      this.projects.set(configPath, project);
    }
    return project ?? undefined;
  }

  private configFor(directory: string): string | undefined {
    const seen: string[] = [];
    let found: string | null | undefined;
    for (let current = directory; ; ) {
      found = this.configOfDirectory.get(current);
      if (found !== undefined) break;
      seen.push(current);
      for (const name of CONFIG_NAMES) {
        const candidate = join(current, name);
        if (isRegularFile(candidate)) {
          found = candidate;
          break;
        }
      }
      if (found) break;
      // A config is looked for up to the repository's root: none above a `.git` or the filesystem's root.
      const parent = dirname(current);
      if (parent === current || existsSync(join(current, '.git'))) {
        found = null;
        break;
      }
      current = parent;
    }
    for (const directory of seen) this.configOfDirectory.set(directory, found ?? null);
    return found ?? undefined;
  }
}

function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Parsed (and, once a checker has bound them, bound) source files shared by the Programs of one type context: the
 * lib .d.ts files, node_modules declarations and project files that several tsconfigs of a monorepo include are parsed
 * once, as tsserver's document registry does. Keyed by path, the parse target and the options that change a tree or
 * its binding; counted by the Programs that hold them, and dropped when none does any more.
 */
class SharedSourceFiles {
  private readonly files = new Map<string, { sourceFile: ts.SourceFile; users: number }>();

  acquire(key: string, parse: () => ts.SourceFile | undefined): ts.SourceFile | undefined {
    const entry = this.files.get(key);
    if (entry) {
      entry.users++;
      return entry.sourceFile;
    }
    const sourceFile = parse();
    if (sourceFile) {
      setVersion(sourceFile, nextVersion());
      this.files.set(key, { sourceFile, users: 1 });
    }
    return sourceFile;
  }

  get(key: string): ts.SourceFile | undefined {
    return this.files.get(key)?.sourceFile;
  }

  release(key: string): void {
    const entry = this.files.get(key);
    if (entry && --entry.users <= 0) this.files.delete(key);
  }

  get size(): number {
    return this.files.size;
  }
}

/** Compiler options that change how a file is parsed or bound: files are shared only between equal settings. */
const TREE_OPTIONS = [
  'target',
  'module',
  'moduleResolution',
  'moduleDetection',
  'jsx',
  'jsxImportSource',
  'importHelpers',
  'strict',
  'alwaysStrict',
  'noFallthroughCasesInSwitch',
  'allowUnusedLabels',
  'allowUnreachableCode',
  'allowJs',
  'checkJs',
  'verbatimModuleSyntax',
  'experimentalDecorators',
  'useDefineForClassFields',
] as const;

function treeSettingsKey(options: ts.CompilerOptions): string {
  return JSON.stringify(TREE_OPTIONS.map((name) => options[name] ?? null));
}

function parseSettingsKey(languageVersion: ts.ScriptTarget | ts.CreateSourceFileOptions): string {
  return typeof languageVersion === 'object'
    ? `${languageVersion.languageVersion}/${languageVersion.impliedNodeFormat ?? ''}/${languageVersion.jsDocParsingMode ?? ''}`
    : String(languageVersion);
}

let lastVersion = 0;
function nextVersion(): number {
  return ++lastVersion;
}

/** What a Project needs from its type context. */
interface ProjectHooks {
  shared: SharedSourceFiles;
  /** A Program was built or used: it is the most recent one (the context drops the least recent). */
  used(slot: ProgramSlot): void;
  /** Lets go of a Program (the project needs another one instead). */
  drop(slot: ProgramSlot): void;
  /** Before a Program is built: drops the checkers of the least recently used; call the result once it is built. */
  makeRoom(slot: ProgramSlot): () => void;
}

/**
 * One Program of a project: of all its files, or (a big project, see LARGE_PROJECT_ROOTS) of one file, what it imports
 * and the project's declaration files. Holds the shared trees its Program reads.
 */
class ProgramSlot {
  program: ts.Program | undefined;
  checker: ts.TypeChecker | undefined;
  /** The previous Program, for an incremental rebuild (language server). */
  lastProgram: ts.Program | undefined;
  /** Shared trees this Program holds, by path: the key it holds each under. */
  readonly sharedKeys = new Map<string, string>();

  constructor(
    readonly project: Project,
    /** '' for the whole project, else the file's canonical path. */
    readonly key: string,
    readonly rootNames: string[],
  ) {}
}

/**
 * Root files above which a project's Program is not built for the first files that ask: each of them gets a Program of
 * itself, what it imports and the project's declaration files (all the checker needs to read its own expressions);
 * after PER_FILE_PROGRAMS of them, the whole project's. langfuse's web project has 3,000 root files (20 s and 1 GB
 * for its Program on a loaded machine) and 3 files with SQL.
 */
const LARGE_PROJECT_ROOTS = 500;
const PER_FILE_PROGRAMS = 8;
/**
 * A per-file Program of more files than this (library declarations: langfuse's web files import 2,700-6,700 files once
 * its node_modules are installed, 9,500 for the whole project) keeps its project on per-file Programs for good: each
 * new one reuses the parsed files and module resolutions and costs the checker's start-up, the whole would cost GBs.
 */
const LARGE_PROGRAM_FILES = 1500;

/** One config file's Programs, built on first use. */
class Project {
  private readonly host: ts.CompilerHost;
  private readonly slots = new Map<string, ProgramSlot>();
  /** The slot whose Program is being built: the one that holds the shared trees the host hands out. */
  private building: ProgramSlot | undefined;
  private perFilePrograms = 0;
  /** A per-file Program was large (LARGE_PROGRAM_FILES): this project never gets a whole one. */
  private perFileForGood = false;
  /** Trees of edited texts, by path: given back to the next Program unchanged, so it reuses their trees and bindings. */
  private readonly editedTrees = new Map<string, ts.SourceFile>();
  /** Texts the editor sent, by path: they win over the disk. */
  private readonly edited = new Map<string, string>();
  /** Texts noted for later (noteTextLater), by path. */
  private readonly later = new Map<string, { file: string; text: string }>();
  private readonly rootSet: Set<string>;
  private readonly declarationRoots: string[];
  private readonly treeKey: string;
  private readonly packageRoots: { directory: string; name: string }[];
  private readonly packageCache = new Map<string, string | null>();

  private constructor(
    readonly configPath: string,
    private readonly options: ts.CompilerOptions,
    private readonly rootNames: string[],
    private readonly projectReferences: readonly ts.ProjectReference[] | undefined,
    readonly references: string[],
    private readonly incremental: boolean,
    private readonly log: (message: string) => void,
    private readonly hooks: ProjectHooks,
  ) {
    this.rootSet = new Set(rootNames.map(canonical));
    this.declarationRoots = rootNames.filter((name) => /\.d\.[mc]?ts$/i.test(name));
    this.treeKey = treeSettingsKey(options);
    const host = ts.createCompilerHost(options, true);
    const getSourceFile = host.getSourceFile.bind(host);
    const readFile = host.readFile.bind(host);
    const fileExists = host.fileExists.bind(host);
    host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
      const key = canonical(fileName);
      const editedTree = this.editedTrees.get(key);
      if (editedTree) return editedTree;
      const editedText = this.edited.get(key);
      if (editedText !== undefined) {
        const sourceFile = ts.createSourceFile(fileName, editedText, languageVersion, true);
        setVersion(sourceFile, nextVersion());
        this.editedTrees.set(key, sourceFile);
        return sourceFile;
      }
      const slot = this.building;
      if (!slot) return getSourceFile(fileName, languageVersion, onError, shouldCreate);
      const sharedKey = `${this.treeKey}|${parseSettingsKey(languageVersion)}|${key}`;
      const held = slot.sharedKeys.get(key);
      if (held === sharedKey) return this.hooks.shared.get(sharedKey);
      if (held !== undefined) {
        this.hooks.shared.release(held);
        slot.sharedKeys.delete(key);
      }
      const sourceFile = this.hooks.shared.acquire(sharedKey, () => getSourceFile(fileName, languageVersion, onError, shouldCreate));
      if (sourceFile) slot.sharedKeys.set(key, sharedKey);
      return sourceFile;
    };
    // One module-resolution cache for all the Programs of the project in the CLI (per-file ones resolve the same
    // imports); the language server resolves afresh on each incremental rebuild, as files may appear and vanish
    // between edits. Either way only the packages that decide what a `${expr}` is are resolved (sqlPackageResolution).
    const cache = incremental
      ? undefined
      : ts.createModuleResolutionCache(host.getCurrentDirectory(), (name) => host.getCanonicalFileName(name), options);
    if (cache) host.getModuleResolutionCache = () => cache;
    host.resolveModuleNameLiterals = (literals, containingFile, redirectedReference, compilerOptions, containingSourceFile) =>
      literals.map((literal) => {
        if (!resolvesModule(literal.text)) return UNRESOLVED_MODULE;
        const resolved = ts.resolveModuleName(
          literal.text,
          containingFile,
          compilerOptions,
          host,
          cache,
          redirectedReference,
          ts.getModeForUsageLocation(containingSourceFile, literal, compilerOptions),
        );
        return keepsResolution(literal.text, resolved.resolvedModule?.resolvedFileName, containingFile) ? resolved : UNRESOLVED_MODULE;
      });
    // `/// <reference types="node" />` in a declaration file, or the `types` the config names: only the SQL
    // libraries' and the config's own (the config's are roots anyway); @types/node and the like stay out.
    const typeCache = incremental
      ? undefined
      : ts.createTypeReferenceDirectiveResolutionCache(host.getCurrentDirectory(), (name) => host.getCanonicalFileName(name), options, cache?.getPackageJsonInfoCache());
    const namedTypes = new Set(options.types ?? []);
    host.resolveTypeReferenceDirectiveReferences = (references, containingFile, redirectedReference, compilerOptions, containingSourceFile) =>
      references.map((reference) => {
        const name = typeof reference === 'string' ? reference : reference.fileName.toLowerCase();
        if (!namedTypes.has(name) && !isSqlPackage(name)) return UNRESOLVED_TYPE_REFERENCE;
        const mode =
          typeof reference === 'string' || !containingSourceFile
            ? undefined
            : ts.getModeForFileReference(reference, containingSourceFile.impliedNodeFormat);
        return ts.resolveTypeReferenceDirective(name, containingFile, compilerOptions, host, redirectedReference, typeCache, mode);
      });
    host.readFile = (fileName) => this.edited.get(canonical(fileName)) ?? readFile(fileName);
    host.fileExists = (fileName) => this.edited.has(canonical(fileName)) || fileExists(fileName);
    this.host = host;
    this.packageRoots = pathsPackageRoots(options, dirname(configPath));
  }

  /** Lets go of a Program, its checker and the shared trees it held: built again when next asked for. */
  dropSlot(slot: ProgramSlot): void {
    slot.program = undefined;
    slot.checker = undefined;
    slot.lastProgram = undefined;
    for (const key of slot.sharedKeys.values()) this.hooks.shared.release(key);
    slot.sharedKeys.clear();
    if (this.slots.get(slot.key) === slot && slot.key !== '') this.slots.delete(slot.key);
  }

  /** Every Program of the project (a compiler crash: the project is read syntax-only from now on). */
  allSlots(): ProgramSlot[] {
    return [...this.slots.values()];
  }

  static load(configPath: string, incremental: boolean, log: (message: string) => void, hooks: ProjectHooks): Project | null {
    const read = ts.readConfigFile(configPath, ts.sys.readFile);
    if (read.error) {
      log(`pglens: ${configPath} cannot be read (${flatten(read.error)}); SQL in its files is read without types`);
      return null;
    }
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(configPath), undefined, configPath);
    const options: ts.CompilerOptions = {
      ...parsed.options,
      noEmit: true,
      skipLibCheck: true,
      // Nothing is emitted or reported: what makes building slower without changing a type is turned off.
      declaration: false,
      declarationMap: false,
      sourceMap: false,
      incremental: false,
      composite: false,
      tsBuildInfoFile: undefined,
      // Every @types package of node_modules is a root unless the config names which: pglens needs none of them (the
      // SQL libraries' own types, @types/pg included, come by their imports).
      types: parsed.options.types ?? [],
    };
    if (/jsconfig\.json$/i.test(configPath)) options.allowJs ??= true;
    const references = (parsed.projectReferences ?? []).map((reference) => {
      const path = resolve(dirname(configPath), reference.path);
      return isRegularFile(path) ? path : join(path, 'tsconfig.json');
    });
    return new Project(configPath, options, parsed.fileNames, parsed.projectReferences, references, incremental, log, hooks);
  }

  covers(file: string): boolean {
    return this.rootSet.has(canonical(file));
  }

  forget(file: string): void {
    const key = canonical(file);
    this.later.delete(key);
    if (this.edited.delete(key)) {
      this.editedTrees.delete(key);
      this.invalidate();
    }
  }

  /**
   * A text the finder read without asking the checker (find/index.ts reused its previous reading of the file after an
   * edit inside one template): told to the Program before it is next built or asked about another text, not now.
   */
  noteTextLater(file: string, text: string): void {
    this.later.set(canonical(file), { file, text });
  }

  /** The texts noted for later, now (a Program is about to be built or a newer text of one of them came). */
  private tellLaterTexts(): void {
    if (this.later.size === 0) return;
    const texts = [...this.later.values()];
    this.later.clear();
    for (const { file, text } of texts) this.noteTextNow(file, text);
  }

  /** A text changed: every Program is built again (incrementally) when next asked for. */
  private invalidate(): void {
    textsVersion++;
    for (const slot of this.slots.values()) slot.program = undefined;
  }

  /** The Program that answers for `file`: the project's, or in a big project one of the file's own (LARGE_PROJECT_ROOTS). */
  private slotFor(file: string): ProgramSlot {
    const whole = this.slots.get('');
    if (whole) return whole;
    if (this.rootNames.length > LARGE_PROJECT_ROOTS) {
      const key = canonical(file);
      const own = this.slots.get(key);
      if (own) return own;
      if (this.perFilePrograms < PER_FILE_PROGRAMS || this.perFileForGood) {
        this.perFilePrograms++;
        const slot = new ProgramSlot(this, key, [file, ...this.declarationRoots.filter((root) => canonical(root) !== key)]);
        this.slots.set(key, slot);
        return slot;
      }
      // Enough files of this project ask the checker that one Program of it all is cheaper than one per file.
      for (const slot of [...this.slots.values()]) this.hooks.drop(slot);
    }
    const slot = new ProgramSlot(this, '', this.rootNames);
    this.slots.set('', slot);
    return slot;
  }

  checkedFile(file: string, text: string): CheckedFile | undefined {
    this.later.delete(canonical(file));
    this.tellLaterTexts();
    const slot = this.slotFor(file);
    let sourceFile = this.currentProgram(slot).getSourceFile(file);
    if (sourceFile && sourceFile.text !== text) {
      // The CLI reads each file once: a text unlike the Program's is a file that changed meanwhile, read without types.
      if (!this.incremental) return undefined;
      this.replaceText(file, sourceFile, text);
      sourceFile = this.currentProgram(slot).getSourceFile(file);
    }
    if (!sourceFile || sourceFile.text !== text) return undefined;
    this.hooks.used(slot);
    return { sourceFile, checker: slot.checker!, program: slot.program!, packageOf: (declaration) => this.packageOf(declaration) };
  }

  /** An edited text for the next Program (language server); the Program is rebuilt only when next asked for. */
  noteText(file: string, text: string): void {
    this.later.delete(canonical(file));
    this.tellLaterTexts();
    this.noteTextNow(file, text);
  }

  private noteTextNow(file: string, text: string): void {
    const key = canonical(file);
    let known = this.editedTrees.get(key);
    for (const slot of this.slots.values()) known ??= slot.lastProgram?.getSourceFile(file);
    if (known) {
      if (known.text !== text) this.replaceText(file, known, text);
    } else if (this.edited.get(key) !== text) {
      // Not parsed yet: the text waits for the Program that reads the file.
      this.edited.set(key, text);
      this.invalidate();
    }
  }

  private replaceText(file: string, current: ts.SourceFile, text: string): void {
    const key = canonical(file);
    const own = this.editedTrees.get(key);
    let updated: ts.SourceFile;
    if (own) {
      try {
        updated = ts.updateSourceFile(own, text, changeBetween(own.text, text));
      } catch {
        updated = ts.createSourceFile(own.fileName, text, own.languageVersion, true);
      }
    } else {
      // A shared tree is never updated in place: an update consumes the old tree, and other Programs hold it.
      updated = ts.createSourceFile(current.fileName, text, current.languageVersion, true);
      for (const slot of this.slots.values()) {
        const held = slot.sharedKeys.get(key);
        if (held !== undefined) {
          this.hooks.shared.release(held);
          slot.sharedKeys.delete(key);
        }
      }
    }
    setVersion(updated, nextVersion());
    this.edited.set(key, text);
    this.editedTrees.set(key, updated);
    this.invalidate();
  }

  private currentProgram(slot: ProgramSlot): ts.Program {
    if (slot.program) return slot.program;
    const started = performance.now();
    const oldProgram = this.incremental ? slot.lastProgram : undefined;
    const released = this.hooks.makeRoom(slot);
    this.building = slot;
    try {
      slot.program = ts.createProgram({
        rootNames: slot.rootNames,
        options: this.options,
        host: this.host,
        oldProgram,
        projectReferences: this.projectReferences,
      });
      slot.checker = slot.program.getTypeChecker();
    } finally {
      this.building = undefined;
      released();
    }
    slot.lastProgram = slot.program;
    if (!oldProgram) {
      const files = slot.program.getSourceFiles().length;
      if (slot.key !== '' && files > LARGE_PROGRAM_FILES) this.perFileForGood = true;
      const of = slot.key === '' ? '' : ` for ${slot.rootNames[0]}`;
      this.log(`pglens: type information from ${this.configPath}${of} (${files} files, ${Math.round(performance.now() - started)} ms)`);
    }
    return slot.program;
  }

  packageOf(declaration: ts.Declaration): string | undefined {
    // `declare module 'slonik' { ... }`
    for (let node: ts.Node | undefined = declaration.parent; node; node = node.parent) {
      if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) return node.name.text;
    }
    const fileName = declaration.getSourceFile().fileName;
    const cached = this.packageCache.get(fileName);
    if (cached !== undefined) return cached ?? undefined;
    let name: string | undefined;
    const normalized = fileName.replace(/\\/g, '/');
    const at = normalized.lastIndexOf('/node_modules/');
    if (at >= 0) {
      const parts = normalized.slice(at + '/node_modules/'.length).split('/');
      name = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
      // DefinitelyTyped: @types/pg declares `pg`, @types/scope__name declares `@scope/name`.
      if (name.startsWith('@types/')) {
        const bare = name.slice('@types/'.length);
        name = bare.includes('__') ? `@${bare.replace('__', '/')}` : bare;
      }
    } else {
      for (const root of this.packageRoots) {
        if (normalized === root.directory || normalized.startsWith(`${root.directory}/`) || normalized.startsWith(`${root.directory}.`)) {
          name = root.name;
          break;
        }
      }
    }
    this.packageCache.set(fileName, name ?? null);
    return name;
  }
}

/** `paths` entries that name a package (`"slonik": ["./types/slonik"]`): where its declarations live. */
function pathsPackageRoots(options: ts.CompilerOptions, configDirectory: string): { directory: string; name: string }[] {
  const roots: { directory: string; name: string }[] = [];
  const base = options.baseUrl ?? (options as { pathsBasePath?: string }).pathsBasePath ?? configDirectory;
  for (const [pattern, targets] of Object.entries(options.paths ?? {})) {
    const name = pattern.replace(/\/\*$/, '');
    if (name.includes('*')) continue;
    for (const target of targets) {
      const path = target.replace(/\/\*$/, '').replace(/\/index(\.d)?\.[cm]?[jt]s$/, '').replace(/(\.d)?\.[cm]?[jt]s$/, '');
      if (path.includes('*')) continue;
      roots.push({ directory: (isAbsolute(path) ? path : resolve(base, path)).replace(/\\/g, '/'), name });
    }
  }
  // The longest directory first, so `@slonik/types` wins over `@slonik`.
  return roots.sort((a, b) => b.directory.length - a.directory.length);
}

function setVersion(sourceFile: ts.SourceFile, version: number): void {
  (sourceFile as { version?: string }).version = String(version);
}

function canonical(fileName: string): string {
  const normalized = resolve(fileName).replace(/\\/g, '/');
  return ts.sys.useCaseSensitiveFileNames ? normalized : normalized.toLowerCase();
}

/**
 * Packages whose declarations decide what a `${expr}` of a SQL template is: the SQL libraries (their fragment, token
 * and query types) and the small packages their declarations are made of. The project's own code resolves any package
 * it imports (zod's and tRPC's inferred inputs tell `Prisma.join(ids)` a list of values, a tRPC client's `.query(input)`
 * no SQL call), but a package's declarations resolve only these: what a package imports from any other one (the bulk
 * of node_modules: @smithy/* under the AWS SDK, OpenTelemetry, Node's types) is `any` to the checker, and an
 * expression whose type comes from there is read by its syntax. langfuse's worker Program went from 5,357 files to
 * 2,939 so (with the sites found unchanged); resolving only these packages everywhere, the project's code included,
 * halved memory again but lost sites (`Prisma.join(input.ids)` whose input type zod infers became unknown).
 */
const SQL_PACKAGES = new Set([
  'slonik',
  'pg',
  'pg-promise',
  'pg-types',
  'pg-protocol',
  'pg-pool',
  'pg-cursor',
  'pg-query-stream',
  'pg-minify',
  'postgres',
  '.prisma',
  'kysely',
  'drizzle-orm',
  'sql-template-strings',
  'sql-template-tag',
  'pg-sql2',
  'knex',
  'mysql2',
]);
const SQL_PACKAGE_SCOPES = ['@slonik/', '@prisma/', '@vercel/postgres', '@neondatabase/', '@clickhouse/', '@databases/'];

/** The npm package a bare specifier names (`drizzle-orm/pg-core` → drizzle-orm, `@prisma/client/runtime` → @prisma/client). */
function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') && parts.length > 1 ? `${parts[0]}/${parts[1]}` : parts[0];
}

function isSqlPackage(specifier: string): boolean {
  let name = packageNameOf(specifier);
  // DefinitelyTyped's name for a package: @types/pg is pg's, @types/scope__name is @scope/name's.
  if (name.startsWith('@types/')) {
    const bare = specifier.slice('@types/'.length);
    name = packageNameOf(bare.includes('__') ? `@${bare.replace('__', '/')}` : bare);
  }
  return SQL_PACKAGES.has(name) || SQL_PACKAGE_SCOPES.some((scope) => name === scope || name.startsWith(scope)) || isSlonikFork(name);
}

function isRelativeSpecifier(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..' || isAbsolute(specifier);
}

/** Whether an import is resolved at all: relative ones always, bare ones of the SQL libraries, and (see keepsResolution) the workspace's. */
function resolvesModule(specifier: string): boolean {
  // `node:fs` and the like: Node's own modules come from @types/node, which stays out.
  return !specifier.startsWith('node:');
}

/**
 * Whether a resolved import is kept: a relative import, a SQL library, one that resolved outside node_modules (a
 * workspace package linked to its sources, a `paths` entry: the project's own code, whose literal-typed names the
 * finder reads), or one the project's own code makes. What a package's declarations import from another non-SQL
 * package is dropped.
 */
function keepsResolution(specifier: string, resolvedFileName: string | undefined, containingFile: string): boolean {
  if (!resolvedFileName || isRelativeSpecifier(specifier) || isSqlPackage(specifier)) return true;
  return !IN_NODE_MODULES.test(resolvedFileName) || !IN_NODE_MODULES.test(containingFile);
}

const IN_NODE_MODULES = /[\\/]node_modules[\\/]/;
const UNRESOLVED_MODULE: ts.ResolvedModuleWithFailedLookupLocations = { resolvedModule: undefined };
const UNRESOLVED_TYPE_REFERENCE: ts.ResolvedTypeReferenceDirectiveWithFailedLookupLocations = { resolvedTypeReferenceDirective: undefined };

function flatten(diagnostic: ts.Diagnostic): string {
  return ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
}

/**
 * Counts every change of what the type contexts know (an edited text told to a Program, a text forgotten, a project
 * read without types after a compiler crash): a reading of a file made under another count may depend on what changed
 * (find/index.ts reuses a reading only under the count it was made).
 */
let textsVersion = 0;

export function typeContextTextsVersion(): number {
  return textsVersion;
}

/** The one span of `before` that differs from `after` (common prefix and suffix excluded), for ts.updateSourceFile. */
export function changeBetween(before: string, after: string): ts.TextChangeRange {
  const shorter = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < shorter && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < shorter - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  return { span: { start: prefix, length: before.length - prefix - suffix }, newLength: after.length - prefix - suffix };
}

/** The type context handed in FindOptions.program, if it is one. */
export function typeContextOf(program: unknown): TypeContext | undefined {
  // By shape, not instanceof: a bundle or a test runner may load this module twice.
  return typeof program === 'object' && program !== null && typeof (program as TypeContext).checkedFile === 'function'
    ? (program as TypeContext)
    : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// What a type is to SQL

export type SubstitutionType =
  | { kind: 'value' }
  | { kind: 'fragment'; typeName: string; library: string }
  | { kind: 'identifier'; typeName: string; library: string }
  | { kind: 'unknown' };

/** A fork of slonik published under a scope with its name and types (logto's `@silverhand/slonik`). */
function isSlonikFork(packageName: string): boolean {
  return /^@[^/]+\/slonik$/.test(packageName);
}

/** Libraries whose fragment types the finder knows, by package name. */
function libraryOf(packageName: string | undefined): string | undefined {
  if (!packageName) return undefined;
  if (packageName === 'slonik' || packageName.startsWith('@slonik/') || isSlonikFork(packageName)) return 'slonik';
  if (packageName === '@prisma/client' || packageName.startsWith('@prisma/client/') || packageName === '.prisma' || packageName.startsWith('@prisma/')) return 'prisma';
  if (packageName === 'postgres') return 'postgres';
  if (packageName === 'drizzle-orm' || packageName.startsWith('drizzle-orm/')) return 'drizzle';
  if (packageName === 'kysely' || packageName.startsWith('kysely/')) return 'kysely';
  return undefined;
}

/** Per library: type names that are SQL text (fragments), names (identifiers) or bound values. */
const LIBRARY_TYPES: Record<string, { fragments: Set<string>; identifiers: Set<string>; values: Set<string> }> = {
  slonik: {
    fragments: new Set(['SqlToken', 'SqlFragment', 'SqlFragmentToken', 'FragmentSqlToken', 'SqlSqlToken', 'QuerySqlToken', 'ListSqlToken', 'UnnestSqlToken', 'TaggedTemplateLiteralInvocation', 'SqlTokenType']),
    identifiers: new Set(['IdentifierSqlToken']),
    values: new Set(['ArraySqlToken', 'BinarySqlToken', 'DateSqlToken', 'TimestampSqlToken', 'JsonSqlToken', 'JsonBinarySqlToken', 'IntervalSqlToken', 'UuidSqlToken', 'PrimitiveValueExpression']),
  },
  prisma: { fragments: new Set(['Sql']), identifiers: new Set(), values: new Set(['RawValue', 'Value']) },
  postgres: { fragments: new Set(['Helper', 'PendingQuery', 'Fragment', 'PendingRequest', 'Builder']), identifiers: new Set(), values: new Set(['Parameter', 'SerializableParameter']) },
  drizzle: { fragments: new Set(['SQL', 'SQLWrapper', 'SQLChunk', 'Name', 'Column', 'Table', 'View', 'Subquery']), identifiers: new Set(), values: new Set(['Param', 'Placeholder']) },
  kysely: { fragments: new Set(['RawBuilder', 'Sql', 'Expression', 'AliasedRawBuilder']), identifiers: new Set(), values: new Set() },
};

const VALUE_OBJECT_NAMES = new Set(['Date', 'Buffer', 'Uint8Array', 'ArrayBuffer', 'BigInt', 'Number', 'String', 'Boolean']);

/**
 * Whether an expression of type `type` put in a SQL template is bound as a value, pasted as SQL (a fragment of a
 * known library), a name, or cannot be told (`any`, a mix).
 */
export function classifyType(context: CheckedFile, type: ts.Type, depth = 0): SubstitutionType {
  const checker = context.checker;
  if (depth > 6) return { kind: 'unknown' };
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Never | ts.TypeFlags.TypeParameter)) return { kind: 'unknown' };
  const named = libraryType(context, type.aliasSymbol) ?? libraryType(context, type.getSymbol());
  if (named) return named;
  if (type.isUnion()) {
    // `Fragment | undefined`, `false | Fragment`: what is left once nothing is (a falsy fragment adds no SQL).
    const parts = type.types.filter((part) => !(part.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Void)));
    const meaningful = parts.filter((part) => !(part.flags & ts.TypeFlags.BooleanLiteral) || parts.every((p) => p.flags & ts.TypeFlags.BooleanLiteral));
    if (meaningful.length === 0) return { kind: 'value' };
    const kinds = meaningful.map((part) => classifyType(context, part, depth + 1));
    if (kinds.every((kind) => kind.kind === 'value')) return { kind: 'value' };
    const first = kinds[0];
    if (first.kind !== 'value' && first.kind !== 'unknown' && kinds.every((kind) => kind.kind === first.kind)) return first;
    return { kind: 'unknown' };
  }
  if (type.flags & (ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike | ts.TypeFlags.BigIntLike | ts.TypeFlags.EnumLike | ts.TypeFlags.Null | ts.TypeFlags.Undefined)) {
    return { kind: 'value' };
  }
  if (checker.isArrayType(type) || checker.isTupleType(type)) {
    const elements = checker.getTypeArguments(type as ts.TypeReference);
    if (elements.length === 0) return { kind: 'value' };
    const kinds = elements.map((element) => classifyType(context, element, depth + 1));
    // An array of fragments is no value; an array of values (or of user objects) is bound as one array value.
    return kinds.some((kind) => kind.kind === 'fragment' || kind.kind === 'identifier') ? { kind: 'unknown' } : { kind: 'value' };
  }
  const symbol = type.getSymbol();
  if (symbol && VALUE_OBJECT_NAMES.has(symbol.name)) return { kind: 'value' };
  if (type.flags & ts.TypeFlags.Object) {
    // A user's own object type (a row, a DTO): bound as a value (JSON, a composite), as the libraries do.
    if (type.getCallSignatures().length > 0) return { kind: 'unknown' };
    return { kind: 'value' };
  }
  return { kind: 'unknown' };
}

function libraryType(context: CheckedFile, symbol: ts.Symbol | undefined): SubstitutionType | undefined {
  if (!symbol) return undefined;
  const declaration = symbol.declarations?.[0];
  if (!declaration) return undefined;
  const library = libraryOf(context.packageOf(declaration));
  if (!library) return undefined;
  const types = LIBRARY_TYPES[library];
  const name = symbol.name;
  if (types.identifiers.has(name)) return { kind: 'identifier', typeName: name, library };
  if (types.fragments.has(name)) return { kind: 'fragment', typeName: name, library };
  if (types.values.has(name)) return { kind: 'value' };
  return undefined;
}

/** The string a literal-typed expression always holds (`'id'`, a const, an enum member, a literal return type). */
export function literalStringOf(context: CheckedFile, expression: ts.Expression): string | undefined {
  if (ts.isStringLiteralLike(expression)) return expression.text;
  let type: ts.Type;
  try {
    type = context.checker.getTypeAtLocation(expression);
  } catch {
    return undefined;
  }
  return type.isStringLiteral() ? type.value : undefined;
}
