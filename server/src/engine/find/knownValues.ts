// What an expression is known to hold before the program runs, read from the code and its types: a small
// interpreter over the project's own helpers, so that a name that reaches a SQL template only through a helper's body
// is known. logto's `const { table, fields } = convertToIdentifiers(Users)` is the case it was written for: the names
// are in the argument (`Users.table` has the literal type "users"; `Users.fields` is `{ id: 'id', tenantId:
// 'tenant_id', ... }` in the generated schema's source) and the helper maps them to slonik identifiers
// (`sql.identifier([table])`, `Object.fromEntries(Object.entries(fields).map(([key, value]) => [key,
// sql.identifier([value])]))`). Reading the helper's return expression with its parameters bound to what the call's
// arguments are known to hold gives `${table}` = "users" and `${fields.tenantId}` = "tenant_id".
//
// Only what is certain is known: a branch whose condition is not known, a loop, a mutation, a call of anything but a
// project function with one returned expression (or a few library functions: Object.entries/keys/values/fromEntries,
// Object.freeze, Array.prototype.map) gives `unknown`, and the site is skipped as before. Bounded: a call nests at most
// MAX_CALL_DEPTH deep and one evaluation visits at most MAX_STEPS nodes.

import ts = require('typescript');
import { readFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
// Called only once a file is being read, when both modules are loaded: the cycle with typescript.ts is harmless.
import { unwrap } from './typescript';

const SK = ts.SyntaxKind;

export type Known =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'nullish' }
  /** `complete`: every property is listed (Object.keys/values/entries may be read); a listed value may be unknown. */
  | { kind: 'object'; properties: Map<string, Known>; complete: boolean }
  | { kind: 'array'; elements: Known[] }
  /** A name built by a SQL library's identifier helper (`sql.identifier(['a', 'b'])` is `"a"."b"`). */
  | { kind: 'identifier'; names: string[] }
  /** A function expression or declaration, called later (a `.map` callback, a callback passed to a helper). */
  | { kind: 'function'; declaration: ts.FunctionLikeDeclaration; scope: Scope }
  | { kind: 'unknown' };

const UNKNOWN: Known = { kind: 'unknown' };
const MAX_CALL_DEPTH = 8;
const MAX_STEPS = 20_000;
/** Arrays and objects larger than this are not followed (a generated schema has a few dozen fields). */
const MAX_SIZE = 500;

/** Parameters and locals bound while a function is read, innermost first. */
class Scope {
  private readonly bound = new Map<ts.Symbol, Known>();
  constructor(readonly parent?: Scope) {}
  get(symbol: ts.Symbol): Known | undefined {
    for (let scope: Scope | undefined = this; scope; scope = scope.parent) {
      const known = scope.bound.get(symbol);
      if (known) return known;
    }
    return undefined;
  }
  set(symbol: ts.Symbol, known: Known): void {
    this.bound.set(symbol, known);
  }
  get isEmpty(): boolean {
    return this.bound.size === 0 && (!this.parent || this.parent.isEmpty);
  }
}

export interface KnownValuesHost {
  checker: ts.TypeChecker;
  /** `sql` in `sql.identifier(...)`: an object whose members build SQL. */
  isTagNamespace(expression: ts.Expression): boolean;
}

class OutOfSteps extends Error {}

/**
 * Per checker, so per Program: what module-level constants hold, per initializer (the values do not depend on
 * anything bound), and what a call of a function returns, per declaration and per what its arguments are known to
 * hold. What a file's constant holds may depend on other files (a helper, a schema), so a Program built again after an
 * edit starts afresh, even for the nodes of files it kept.
 */
interface Caches {
  constants: WeakMap<ts.Node, Known>;
  calls: WeakMap<ts.Node, Map<string, Known>>;
}
const cachesOfChecker = new WeakMap<ts.TypeChecker, Caches>();
/** The source a declaration file of the workspace was compiled from, parsed (null: none). */
const sourceOfDeclarationFile = new Map<string, { mtimeMs: number; sourceFile: ts.SourceFile | null }>();

export class KnownValues {
  private steps = 0;
  private depth = 0;
  /** Declarations being read, to stop a constant or a function that reaches itself. */
  private readonly reading = new Set<ts.Node>();

  private readonly caches: Caches;

  constructor(private readonly host: KnownValuesHost) {
    let caches = cachesOfChecker.get(host.checker);
    if (!caches) cachesOfChecker.set(host.checker, (caches = { constants: new WeakMap(), calls: new WeakMap() }));
    this.caches = caches;
  }

  /** What `expression` is known to hold; `unknown` when anything on the way is not certain. */
  evaluate(expression: ts.Expression): Known {
    this.steps = 0;
    try {
      return this.value(expression, new Scope());
    } catch (error) {
      if (error instanceof OutOfSteps) return UNKNOWN;
      throw error;
    }
  }

  private value(expression: ts.Expression, scope: Scope): Known {
    if (++this.steps > MAX_STEPS) throw new OutOfSteps();
    expression = unwrap(expression);
    switch (expression.kind) {
      case SK.StringLiteral:
      case SK.NoSubstitutionTemplateLiteral:
        return { kind: 'string', value: (expression as ts.StringLiteral).text };
      case SK.NumericLiteral:
        return { kind: 'number', value: Number((expression as ts.NumericLiteral).text) };
      case SK.TrueKeyword:
        return { kind: 'boolean', value: true };
      case SK.FalseKeyword:
        return { kind: 'boolean', value: false };
      case SK.NullKeyword:
        return { kind: 'nullish' };
      case SK.TemplateExpression:
        return this.template(expression as ts.TemplateExpression, scope);
      case SK.Identifier:
        return this.identifier(expression as ts.Identifier, scope);
      case SK.PropertyAccessExpression: {
        const access = expression as ts.PropertyAccessExpression;
        const property = this.property(this.value(access.expression, scope), access.name.text);
        return property.kind === 'unknown' ? this.fromType(expression) : property;
      }
      case SK.ElementAccessExpression: {
        const access = expression as ts.ElementAccessExpression;
        const key = this.value(access.argumentExpression, scope);
        const object = this.value(access.expression, scope);
        if (key.kind === 'number' && object.kind === 'array') return object.elements[key.value] ?? UNKNOWN;
        if (key.kind === 'string' || key.kind === 'number') {
          const property = this.property(object, String(key.value));
          return property.kind === 'unknown' ? this.fromType(expression) : property;
        }
        return this.fromType(expression);
      }
      case SK.ObjectLiteralExpression:
        return this.objectLiteral(expression as ts.ObjectLiteralExpression, scope);
      case SK.ArrayLiteralExpression: {
        const elements: Known[] = [];
        for (const element of (expression as ts.ArrayLiteralExpression).elements) {
          if (ts.isSpreadElement(element)) {
            const spread = this.value(element.expression, scope);
            if (spread.kind !== 'array') return UNKNOWN;
            elements.push(...spread.elements);
          } else elements.push(this.value(element, scope));
          if (elements.length > MAX_SIZE) return UNKNOWN;
        }
        return { kind: 'array', elements };
      }
      case SK.ArrowFunction:
      case SK.FunctionExpression:
        return { kind: 'function', declaration: expression as ts.FunctionLikeDeclaration, scope };
      case SK.ConditionalExpression: {
        const conditional = expression as ts.ConditionalExpression;
        const condition = truthiness(this.value(conditional.condition, scope));
        if (condition === true) return this.value(conditional.whenTrue, scope);
        if (condition === false) return this.value(conditional.whenFalse, scope);
        return UNKNOWN;
      }
      case SK.PrefixUnaryExpression: {
        const unary = expression as ts.PrefixUnaryExpression;
        if (unary.operator !== SK.ExclamationToken) return UNKNOWN;
        const truth = truthiness(this.value(unary.operand, scope));
        return truth === undefined ? UNKNOWN : { kind: 'boolean', value: !truth };
      }
      case SK.BinaryExpression:
        return this.binary(expression as ts.BinaryExpression, scope);
      case SK.CallExpression:
        return this.call(expression as ts.CallExpression, scope);
      default:
        return this.fromType(expression);
    }
  }

  private template(template: ts.TemplateExpression, scope: Scope): Known {
    let text = template.head.text;
    for (const span of template.templateSpans) {
      const part = this.value(span.expression, scope);
      if (part.kind !== 'string' && part.kind !== 'number') return UNKNOWN;
      text += String(part.value) + span.literal.text;
    }
    return { kind: 'string', value: text };
  }

  private binary(binary: ts.BinaryExpression, scope: Scope): Known {
    const operator = binary.operatorToken.kind;
    if (operator === SK.AmpersandAmpersandToken || operator === SK.BarBarToken || operator === SK.QuestionQuestionToken) {
      const left = this.value(binary.left, scope);
      const truth = operator === SK.QuestionQuestionToken ? (left.kind === 'unknown' ? undefined : left.kind !== 'nullish') : truthiness(left);
      if (truth === undefined) return UNKNOWN;
      const takeLeft = operator === SK.AmpersandAmpersandToken ? !truth : truth;
      return takeLeft ? left : this.value(binary.right, scope);
    }
    if (operator === SK.EqualsEqualsEqualsToken || operator === SK.ExclamationEqualsEqualsToken) {
      const left = this.value(binary.left, scope);
      const right = this.value(binary.right, scope);
      if (!isPrimitive(left) || !isPrimitive(right)) return UNKNOWN;
      const equal = left.kind === right.kind && ('value' in left ? left.value === (right as typeof left).value : true);
      return { kind: 'boolean', value: operator === SK.EqualsEqualsEqualsToken ? equal : !equal };
    }
    if (operator === SK.PlusToken) {
      const left = this.value(binary.left, scope);
      const right = this.value(binary.right, scope);
      if (left.kind === 'string' && (right.kind === 'string' || right.kind === 'number')) return { kind: 'string', value: left.value + String(right.value) };
      if (left.kind === 'number' && right.kind === 'string') return { kind: 'string', value: String(left.value) + right.value };
      if (left.kind === 'number' && right.kind === 'number') return { kind: 'number', value: left.value + right.value };
      return UNKNOWN;
    }
    return this.fromType(binary);
  }

  private objectLiteral(object: ts.ObjectLiteralExpression, scope: Scope): Known {
    const properties = new Map<string, Known>();
    let complete = true;
    for (const property of object.properties) {
      if (properties.size > MAX_SIZE) return UNKNOWN;
      if (ts.isPropertyAssignment(property)) {
        const name = this.propertyName(property.name, scope);
        if (name === undefined) {
          complete = false;
          continue;
        }
        properties.set(name, this.value(property.initializer, scope));
      } else if (ts.isShorthandPropertyAssignment(property)) {
        properties.set(property.name.text, this.identifier(property.name, scope));
      } else if (ts.isSpreadAssignment(property)) {
        const spread = this.value(property.expression, scope);
        if (spread.kind !== 'object') {
          complete = false;
          continue;
        }
        for (const [name, value] of spread.properties) properties.set(name, value);
        complete &&= spread.complete;
      } else if (ts.isMethodDeclaration(property) && property.name && !ts.isComputedPropertyName(property.name)) {
        const name = this.propertyName(property.name, scope);
        if (name !== undefined) properties.set(name, { kind: 'function', declaration: property, scope });
      } else complete = false;
    }
    return { kind: 'object', properties, complete };
  }

  private propertyName(name: ts.PropertyName, scope: Scope): string | undefined {
    if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
    if (ts.isComputedPropertyName(name)) {
      const key = this.value(name.expression, scope);
      return key.kind === 'string' || key.kind === 'number' ? String(key.value) : undefined;
    }
    return undefined;
  }

  private property(object: Known, name: string): Known {
    if (object.kind === 'object') return object.properties.get(name) ?? UNKNOWN;
    if (object.kind === 'array' && name === 'length') return { kind: 'number', value: object.elements.length };
    if (object.kind === 'string' && name === 'length') return { kind: 'number', value: object.value.length };
    return UNKNOWN;
  }

  // ----- names

  private symbolAt(node: ts.Node): ts.Symbol | undefined {
    if (!this.inProgram(node)) return undefined;
    try {
      return this.host.checker.getSymbolAtLocation(node);
    } catch {
      return undefined;
    }
  }

  private inProgram(node: ts.Node): boolean {
    return !sourceFilesOutside.has(node.getSourceFile());
  }

  private identifier(identifier: ts.Identifier, scope: Scope): Known {
    if (identifier.text === 'undefined') return { kind: 'nullish' };
    if (!this.inProgram(identifier)) return this.outsideConstant(identifier);
    const symbol = this.symbolAt(identifier);
    if (!symbol) return UNKNOWN;
    const bound = scope.get(symbol);
    if (bound) return bound;
    let target = symbol;
    if (target.flags & ts.SymbolFlags.Alias) {
      try {
        target = this.host.checker.getAliasedSymbol(target);
      } catch {
        return UNKNOWN;
      }
    }
    const fromDeclaration = this.declared(target, scope);
    return fromDeclaration.kind === 'unknown' ? this.fromType(identifier) : fromDeclaration;
  }

  /** What a name declared once holds: a `const`'s initializer, a name destructured from one, a function. */
  private declared(symbol: ts.Symbol, scope: Scope): Known {
    const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
    if (!declaration) return UNKNOWN;
    if (ts.isFunctionDeclaration(declaration) && declaration.body) return { kind: 'function', declaration, scope: new Scope() };
    if (ts.isBindingElement(declaration)) return this.destructured(declaration, scope);
    if (!ts.isVariableDeclaration(declaration) || !isConstDeclaration(declaration)) return UNKNOWN;
    if (!declaration.initializer) {
      // `export declare const Users: GeneratedSchema<...>` in a declaration file: the source it was built from.
      const source = declaration.getSourceFile().isDeclarationFile ? this.sourceInitializer(declaration) : undefined;
      return source ? this.constant(source, new Scope()) : UNKNOWN;
    }
    return this.constant(declaration.initializer, isModuleLevel(declaration) ? new Scope() : scope);
  }

  private constant(initializer: ts.Expression, scope: Scope): Known {
    const cacheable = scope.isEmpty;
    if (cacheable) {
      const cached = this.caches.constants.get(initializer);
      if (cached) return cached;
    }
    if (this.reading.has(initializer)) return UNKNOWN;
    this.reading.add(initializer);
    try {
      const known = this.value(initializer, scope);
      if (cacheable) this.caches.constants.set(initializer, known);
      return known;
    } finally {
      this.reading.delete(initializer);
    }
  }

  /** `table` in `const { table, fields: { id } } = convertToIdentifiers(Users)`: the initializer, then the path. */
  private destructured(element: ts.BindingElement, scope: Scope): Known {
    const path: (string | number)[] = [];
    let node: ts.Node = element;
    while (ts.isBindingElement(node)) {
      const pattern: ts.BindingPattern = node.parent;
      if (ts.isObjectBindingPattern(pattern)) {
        const name = node.propertyName ?? node.name;
        if (!ts.isIdentifier(name) && !ts.isStringLiteral(name)) return UNKNOWN;
        path.unshift(name.text);
      } else path.unshift(pattern.elements.indexOf(node));
      if (node.dotDotDotToken) return UNKNOWN;
      node = pattern.parent;
    }
    if (!ts.isVariableDeclaration(node) || !isConstDeclaration(node) || !node.initializer) return UNKNOWN;
    let known = this.constant(node.initializer, isModuleLevel(node) ? new Scope() : scope);
    for (const step of path) {
      known = typeof step === 'number' ? (known.kind === 'array' ? (known.elements[step] ?? UNKNOWN) : UNKNOWN) : this.property(known, step);
    }
    return known;
  }

  /** Binds a parameter's name or pattern to what the argument holds (destructuring it). */
  private bind(name: ts.BindingName, known: Known, scope: Scope): void {
    if (ts.isIdentifier(name)) {
      const symbol = this.symbolAt(name);
      if (symbol) scope.set(symbol, known);
      return;
    }
    name.elements.forEach((element, index) => {
      if (ts.isOmittedExpression(element)) return;
      let part: Known;
      if (element.dotDotDotToken) part = UNKNOWN;
      else if (ts.isObjectBindingPattern(name)) {
        const property = element.propertyName ?? element.name;
        const key = ts.isIdentifier(property) || ts.isStringLiteral(property) ? property.text : undefined;
        part = key === undefined ? UNKNOWN : this.property(known, key);
      } else part = known.kind === 'array' ? (known.elements[index] ?? { kind: 'nullish' }) : UNKNOWN;
      if (part.kind === 'nullish' && element.initializer) part = this.value(element.initializer, scope);
      this.bind(element.name, part, scope);
    });
  }

  // ----- calls

  private call(call: ts.CallExpression, scope: Scope): Known {
    const callee = unwrap(call.expression);
    if (ts.isPropertyAccessExpression(callee)) {
      const method = callee.name.text;
      const receiver = unwrap(callee.expression);
      if (ts.isIdentifier(receiver) && receiver.text === 'Object') return this.objectFunction(method, call, scope);
      if (this.host.isTagNamespace(receiver) || (!this.inProgram(call) && ts.isIdentifier(receiver) && receiver.text === 'sql')) {
        return method === 'identifier' ? this.identifierHelper(call, scope) : UNKNOWN;
      }
      if (method === 'map' && call.arguments.length >= 1) {
        const list = this.value(receiver, scope);
        const mapper = this.value(call.arguments[0], scope);
        if (list.kind !== 'array' || mapper.kind !== 'function') return UNKNOWN;
        return { kind: 'array', elements: list.elements.map((element, index) => this.apply(mapper, [element, { kind: 'number', value: index }])) };
      }
    }
    if (!this.inProgram(call)) return UNKNOWN;
    const calleeKnown = ts.isIdentifier(callee) ? this.value(callee, scope) : UNKNOWN;
    let target: Known = calleeKnown;
    if (target.kind !== 'function') {
      let declaration: ts.Declaration | undefined;
      try {
        declaration = this.host.checker.getResolvedSignature(call)?.declaration;
      } catch {
        return UNKNOWN;
      }
      if (!declaration || !isFunctionWithBody(declaration)) return this.fromType(call);
      target = { kind: 'function', declaration, scope: new Scope() };
    }
    const args = call.arguments.map((argument) => (ts.isSpreadElement(argument) ? UNKNOWN : this.value(argument, scope)));
    const result = this.apply(target, args);
    return result.kind === 'unknown' ? this.fromType(call) : result;
  }

  /** `sql.identifier(['a', 'b'])`: every part must be a known string. */
  private identifierHelper(call: ts.CallExpression, scope: Scope): Known {
    const first = call.arguments[0];
    if (!first) return UNKNOWN;
    const parts = this.value(first, scope);
    if (parts.kind !== 'array' || parts.elements.length === 0) return UNKNOWN;
    const names: string[] = [];
    for (const part of parts.elements) {
      if (part.kind !== 'string') return UNKNOWN;
      names.push(part.value);
    }
    return { kind: 'identifier', names };
  }

  private objectFunction(method: string, call: ts.CallExpression, scope: Scope): Known {
    const argument = call.arguments[0];
    if (!argument) return UNKNOWN;
    const known = this.value(argument, scope);
    switch (method) {
      case 'freeze':
        return known;
      case 'keys':
      case 'values':
      case 'entries': {
        if (known.kind !== 'object' || !known.complete) return UNKNOWN;
        const elements: Known[] = [];
        for (const [name, value] of known.properties) {
          const key: Known = { kind: 'string', value: name };
          elements.push(method === 'keys' ? key : method === 'values' ? value : { kind: 'array', elements: [key, value] });
        }
        return { kind: 'array', elements };
      }
      case 'fromEntries': {
        if (known.kind !== 'array') return UNKNOWN;
        const properties = new Map<string, Known>();
        for (const entry of known.elements) {
          if (entry.kind !== 'array' || entry.elements.length < 2) return UNKNOWN;
          const key = entry.elements[0];
          if (key.kind !== 'string' && key.kind !== 'number') return UNKNOWN;
          properties.set(String(key.value), entry.elements[1]);
        }
        return { kind: 'object', properties, complete: true };
      }
      default:
        return UNKNOWN;
    }
  }

  /** A function's one returned expression, its parameters bound to the arguments; cached per function and arguments. */
  private apply(fn: Known, args: Known[]): Known {
    if (fn.kind !== 'function') return UNKNOWN;
    const declaration = fn.declaration;
    const returned = returnedExpression(declaration);
    if (!returned || this.depth >= MAX_CALL_DEPTH || this.reading.has(declaration)) return UNKNOWN;
    const closes = !fn.scope.isEmpty;
    let key: string | undefined;
    if (!closes) {
      key = keyOf(args);
      const cached = key !== undefined ? this.caches.calls.get(declaration)?.get(key) : undefined;
      if (cached) return cached;
    }
    const scope = new Scope(fn.scope);
    this.depth++;
    this.reading.add(declaration);
    try {
      declaration.parameters.forEach((parameter, index) => {
        if (parameter.dotDotDotToken) {
          this.bind(parameter.name, { kind: 'array', elements: args.slice(index) }, scope);
          return;
        }
        let argument = args[index] ?? { kind: 'nullish' };
        if (argument.kind === 'nullish' && parameter.initializer) argument = this.value(parameter.initializer, scope);
        this.bind(parameter.name, argument, scope);
      });
      const result = this.value(returned, scope);
      if (key !== undefined) {
        let perArguments = this.caches.calls.get(declaration);
        if (!perArguments) this.caches.calls.set(declaration, (perArguments = new Map()));
        perArguments.set(key, result);
      }
      return result;
    } finally {
      this.depth--;
      this.reading.delete(declaration);
    }
  }

  // ----- types and declaration files

  /** What the type alone says: a literal, or an object of literal-typed properties (a generated schema's names). */
  private fromType(expression: ts.Expression): Known {
    if (!this.inProgram(expression)) return UNKNOWN;
    let type: ts.Type;
    try {
      type = this.host.checker.getTypeAtLocation(expression);
    } catch {
      return UNKNOWN;
    }
    return this.knownOfType(type, expression, 0);
  }

  private knownOfType(type: ts.Type, at: ts.Node, depth: number): Known {
    if (type.isStringLiteral()) return { kind: 'string', value: type.value };
    if (type.isNumberLiteral()) return { kind: 'number', value: type.value };
    if (type.flags & ts.TypeFlags.BooleanLiteral) return { kind: 'boolean', value: (type as unknown as { intrinsicName: string }).intrinsicName === 'true' };
    if (type.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)) return { kind: 'nullish' };
    // Objects only one level down, and only plain data (no call signatures, not an array).
    if (depth >= 2 || !(type.flags & ts.TypeFlags.Object) || type.getCallSignatures().length > 0) return UNKNOWN;
    const checker = this.host.checker;
    if (checker.isArrayType(type) || checker.isTupleType(type)) return UNKNOWN;
    const properties = new Map<string, Known>();
    const symbols = checker.getPropertiesOfType(type);
    if (symbols.length === 0 || symbols.length > MAX_SIZE) return UNKNOWN;
    for (const property of symbols) properties.set(property.name, this.knownOfType(checker.getTypeOfSymbolAtLocation(property, at), at, depth + 1));
    return { kind: 'object', properties, complete: true };
  }

  /**
   * The initializer of `export const Name = ...` in the source a workspace package's declaration file was compiled
   * from: `lib/db-entries/user.d.ts` → `src/db-entries/user.ts` (lib, dist, build or out for src), read by syntax. A
   * generated schema's declaration keeps the table's literal type but types its columns as `string`; the source
   * spells them.
   */
  private sourceInitializer(declaration: ts.VariableDeclaration): ts.Expression | undefined {
    if (!ts.isIdentifier(declaration.name)) return undefined;
    const fileName = declaration.getSourceFile().fileName;
    if (/[\\/]node_modules[\\/]/.test(fileName)) return undefined;
    const sourceFile = compiledFrom(fileName);
    if (!sourceFile) return undefined;
    const name = declaration.name.text;
    for (const statement of sourceFile.statements) {
      if (!ts.isVariableStatement(statement) || !(statement.declarationList.flags & ts.NodeFlags.Const)) continue;
      for (const variable of statement.declarationList.declarations) {
        if (ts.isIdentifier(variable.name) && variable.name.text === name && variable.initializer) return variable.initializer;
      }
    }
    return undefined;
  }

  /** A name in a source read by syntax only (outside the Program): a module-level const of that file. */
  private outsideConstant(identifier: ts.Identifier): Known {
    const sourceFile = identifier.getSourceFile();
    for (const statement of sourceFile.statements) {
      if (!ts.isVariableStatement(statement) || !(statement.declarationList.flags & ts.NodeFlags.Const)) continue;
      for (const variable of statement.declarationList.declarations) {
        if (ts.isIdentifier(variable.name) && variable.name.text === identifier.text && variable.initializer) {
          return this.constant(variable.initializer, new Scope());
        }
      }
    }
    return UNKNOWN;
  }
}

/** Source files parsed here, outside any Program: no checker answers about them. */
const sourceFilesOutside = new WeakSet<ts.SourceFile>();

const DECLARATION_FOLDERS = /([\\/])(lib|dist|build|out)([\\/])/;

function compiledFrom(declarationFile: string): ts.SourceFile | undefined {
  if (!/\.d\.ts$/.test(declarationFile)) return undefined;
  const match = DECLARATION_FOLDERS.exec(declarationFile);
  if (!match) return undefined;
  // The last lib/dist/... folder of the path is the output folder.
  const at = declarationFile.lastIndexOf(`${match[1]}${match[2]}${match[3]}`);
  const base = declarationFile.slice(0, at);
  const rest = declarationFile.slice(at + match[0].length).replace(/\.d\.ts$/, '');
  for (const candidate of [join(base, 'src', `${rest}.ts`), join(base, 'src', `${rest}.tsx`)]) {
    let mtimeMs: number;
    try {
      if (!existsSync(candidate)) continue;
      mtimeMs = statSync(candidate).mtimeMs;
    } catch {
      continue;
    }
    const cached = sourceOfDeclarationFile.get(candidate);
    if (cached && cached.mtimeMs === mtimeMs) return cached.sourceFile ?? undefined;
    let sourceFile: ts.SourceFile | null = null;
    try {
      sourceFile = ts.createSourceFile(candidate, readFileSync(candidate, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
      sourceFilesOutside.add(sourceFile);
    } catch {
      sourceFile = null;
    }
    sourceOfDeclarationFile.set(candidate, { mtimeMs, sourceFile });
    if (sourceOfDeclarationFile.size > 2_000) sourceOfDeclarationFile.delete(sourceOfDeclarationFile.keys().next().value!);
    return sourceFile ?? undefined;
  }
  return undefined;
}

function isConstDeclaration(declaration: ts.VariableDeclaration): boolean {
  return ts.isVariableDeclarationList(declaration.parent) && (declaration.parent.flags & ts.NodeFlags.Const) !== 0;
}

function isModuleLevel(node: ts.Node): boolean {
  for (let parent = node.parent; parent; parent = parent.parent) {
    if (ts.isFunctionLike(parent) || ts.isClassLike(parent)) return false;
  }
  return true;
}

function isFunctionWithBody(declaration: ts.Node): declaration is ts.FunctionLikeDeclaration {
  return (
    (ts.isFunctionDeclaration(declaration) || ts.isFunctionExpression(declaration) || ts.isArrowFunction(declaration) || ts.isMethodDeclaration(declaration)) &&
    declaration.body !== undefined
  );
}

/** The expression a function returns, when it has exactly one `return` at its top (or is an arrow with an expression body). */
function returnedExpression(declaration: ts.FunctionLikeDeclaration): ts.Expression | undefined {
  const body = declaration.body;
  if (!body) return undefined;
  if (!ts.isBlock(body)) return body;
  let returned: ts.Expression | undefined;
  for (const statement of body.statements) {
    // Only declarations (read lazily, by name) may come before the return: anything else may change what it holds.
    if (ts.isReturnStatement(statement)) {
      if (returned || !statement.expression) return undefined;
      returned = statement.expression;
    } else if (!ts.isVariableStatement(statement) || !(statement.declarationList.flags & ts.NodeFlags.Const)) {
      if (!ts.isFunctionDeclaration(statement) && !ts.isTypeAliasDeclaration(statement) && !ts.isInterfaceDeclaration(statement)) return undefined;
    }
  }
  return returned;
}

function truthiness(known: Known): boolean | undefined {
  switch (known.kind) {
    case 'string':
      return known.value !== '';
    case 'number':
      return known.value !== 0 && !Number.isNaN(known.value);
    case 'boolean':
      return known.value;
    case 'nullish':
      return false;
    case 'object':
    case 'array':
    case 'identifier':
    case 'function':
      return true;
    default:
      return undefined;
  }
}

function isPrimitive(known: Known): known is Extract<Known, { kind: 'string' | 'number' | 'boolean' | 'nullish' }> {
  return known.kind === 'string' || known.kind === 'number' || known.kind === 'boolean' || known.kind === 'nullish';
}

/** A key for the call cache: what the arguments hold, when none is a function or a big value. */
function keyOf(args: Known[]): string | undefined {
  let size = 0;
  let failed = false;
  const key = JSON.stringify(args, (_name, value: unknown) => {
    if (++size > 2_000) failed = true;
    if (value instanceof Map) return [...value.entries()];
    if (value && typeof value === 'object' && (value as Known).kind === 'function') failed = true;
    return failed ? undefined : value;
  });
  return failed ? undefined : key;
}
