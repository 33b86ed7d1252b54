import { stripTypeScriptTypes } from 'node:module';
import type * as TS from 'typescript';

/**
 * The learner's TypeScript → the JavaScript the child runs, checked first.
 *
 * Types are erased with Node's own `stripTypeScriptTypes` in strip mode: it
 * blanks types out in place, so every line and column of the output is the
 * learner's own and a stack trace needs no source map (the same rule Node
 * applies to .ts files it runs). The `typescript` parser finds the syntax
 * errors and the imports with their lines, which the stripper does not report.
 *
 * Pure and synchronous, and some code takes the compiler minutes: the
 * companion runs it in its compile worker (compiler.ts), never on its own
 * thread.
 */

/**
 * Node's type stripper in strip mode. Its first call in a process (or worker) prints "stripTypeScriptTypes
 * is an experimental feature" on stderr: the learner's terminal, where it means nothing to them.
 */
export function stripTypes(code: string): string {
  const emitWarning = process.emitWarning;
  process.emitWarning = () => {};
  try {
    return stripTypeScriptTypes(code, { mode: 'strip' });
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** Modules a lab may import; the bare names of the builtins are accepted too. */
export const LAB_IMPORTS = ['ws', 'node:events', 'node:crypto', 'node:timers/promises'] as const;
const ALLOWED = new Set<string>([...LAB_IMPORTS, 'events', 'crypto', 'timers/promises']);

export type Compiled =
  | { ok: true; js: string }
  | { ok: false; error: 'syntax' | 'import'; line: number; message: string };

export function importAllowed(specifier: string): boolean {
  return ALLOWED.has(specifier);
}

function refuse(specifier: string): string {
  return `"${specifier}" cannot be imported in a lab: its server may use ${LAB_IMPORTS.map((m) => `"${m}"`).join(', ')}.`;
}

let typescript: Promise<typeof TS> | null = null;
/** Loaded on the first TypeScript Run only: a Lua-only session never pays for it. */
export function loadTypeScript(): Promise<typeof TS> {
  typescript ??= import('typescript').then((m) => (m as { default: typeof TS }).default);
  return typescript;
}

/**
 * Learner code the compiler cannot finish: nothing started, and the learner
 * is told why and what to change. No line is known (the compiler gave up
 * somewhere inside), so it is line 1, the file as a whole.
 */
export type Refusal = { why: 'deep' } | { why: 'slow'; seconds: number } | { why: 'memory'; mib: number };

export function refusal(reason: Refusal): Compiled {
  const split = 'Split it into smaller expressions or functions, then press Run again.';
  const message =
    reason.why === 'deep'
      ? `Your code is nested too deeply to compile: thousands of levels (brackets inside brackets, or a chain like a + a + … of thousands of terms) exhaust the compiler's stack. ${split}`
      : reason.why === 'slow'
        ? `Compiling your code took more than ${reason.seconds} s, so it was stopped: an expression of thousands of terms (a chain like a + a + …) compiles very slowly. ${split}`
        : `Compiling your code needed more than ${reason.mib} MiB of memory, so it was stopped. ${split}`;
  return { ok: false, error: 'syntax', line: 1, message };
}

/** V8's RangeError when recursion runs out of stack (the compiler recurses once per level of nesting). */
export function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

/** Bad learner code comes back as a result, never as a throw: code nested too deeply is one more refusal. */
export function compileLab(ts: typeof TS, code: string): Compiled {
  try {
    return compileChecked(ts, code);
  } catch (error) {
    if (isStackOverflow(error)) return refusal({ why: 'deep' });
    throw error;
  }
}

function compileChecked(ts: typeof TS, code: string): Compiled {
  const lineOf = (source: TS.SourceFile, pos: number): number => source.getLineAndCharacterOfPosition(pos).line + 1;
  const checked = ts.transpileModule(code, {
    fileName: 'lab.ts',
    reportDiagnostics: true,
    compilerOptions: { target: ts.ScriptTarget.ES2023, module: ts.ModuleKind.ESNext },
  });
  const source = ts.createSourceFile('lab.ts', code, ts.ScriptTarget.ES2023, true, ts.ScriptKind.TS);
  const first = checked.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (first) {
    return { ok: false, error: 'syntax', line: lineOf(source, first.start ?? 0), message: ts.flattenDiagnosticMessageText(first.messageText, '\n') };
  }
  let refused: Compiled | null = null;
  const visit = (node: TS.Node): void => {
    if (refused) return;
    const at = (n: TS.Node): number => lineOf(source, n.getStart(source));
    // `import type` is erased and loads nothing: the Node types of any module are fine to name.
    const typeOnly = (ts.isImportDeclaration(node) && node.importClause?.isTypeOnly === true) || (ts.isExportDeclaration(node) && node.isTypeOnly);
    if (typeOnly) {
      // nothing to check
    } else if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const specifier = node.moduleSpecifier.text;
      if (!ALLOWED.has(specifier)) refused = { ok: false, error: 'import', line: at(node), message: refuse(specifier) };
    } else if (ts.isImportEqualsDeclaration(node)) {
      refused = { ok: false, error: 'import', line: at(node), message: 'A lab server is an ES module: write `import { WebSocketServer } from "ws"`.' };
    } else if (ts.isCallExpression(node)) {
      const [arg] = node.arguments;
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        if (!arg || !ts.isStringLiteralLike(arg)) {
          refused = { ok: false, error: 'import', line: at(node), message: 'import() must name its module as a string literal, one of the modules a lab may use.' };
        } else if (!ALLOWED.has(arg.text)) refused = { ok: false, error: 'import', line: at(node), message: refuse(arg.text) };
      } else if (ts.isIdentifier(node.expression) && node.expression.text === 'require') {
        refused = { ok: false, error: 'import', line: at(node), message: 'A lab server is an ES module, without require(): write `import { WebSocketServer } from "ws"`.' };
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (refused) return refused;
  try {
    return { ok: true, js: stripTypes(markLoops(ts, source, code)) };
  } catch (error) {
    if (isStackOverflow(error)) throw error;
    // Strip mode has no enums, namespaces or parameter properties: Node refuses them in .ts files too.
    const message = (error as Error).message.replace(/ in strip-only mode$/, '');
    const word = /TypeScript (\w+)/.exec(message)?.[1];
    const line = word ? findLine(code, word === 'parameter' ? /(public|private|protected|readonly)\s+\w+/ : new RegExp(`\\b${word}\\b`)) : 1;
    return { ok: false, error: 'syntax', line, message: `${message}: labs run TypeScript as Node does, with types only (use a union of string literals for an enum).` };
  }
}

/** The global the child defines (child.ts) and every loop of the learner's calls: the name is the contract between the two. */
export const LOOP_MARK = '__labLoop';

/**
 * Every loop body starts with `__labLoop(<its line>);`, on the loop's own
 * lines (nothing inserted contains a newline, so lines stay the learner's).
 * A loop that never ends blocks the child's event loop, so the child cannot
 * answer anything then, and Node has no way to ask a blocked isolate for
 * its stack without the inspector (which the permission model would have to
 * let in: --allow-inspector). The mark says, from inside the stuck loop,
 * which line it is (child.ts tells the companion once, before the watchdog
 * ends it). Columns after a mark on its line shift; lines do not.
 */
export function markLoops(ts: typeof TS, source: TS.SourceFile, code: string): string {
  const inserts: { at: number; text: string }[] = [];
  const visit = (node: TS.Node): void => {
    if (ts.isIterationStatement(node, false)) {
      const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      const mark = `${LOOP_MARK}(${line});`;
      const body = node.statement;
      if (ts.isBlock(body)) inserts.push({ at: body.getStart(source) + 1, text: mark });
      else {
        // A body without braces gets them, so the mark runs with it on every turn.
        inserts.push({ at: body.getStart(source), text: `{${mark}` }, { at: body.getEnd(), text: '}' });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  // One pass over the code, each insert in place: linear, however many loops (splicing them in one by one
  // copied the whole text per loop). Inserts at one offset go in the reverse of the order they were found.
  const order = inserts.map((insert, index) => ({ ...insert, index })).sort((a, b) => a.at - b.at || b.index - a.index);
  const parts: string[] = [];
  let from = 0;
  for (const { at, text } of order) {
    parts.push(code.slice(from, at), text);
    from = at;
  }
  parts.push(code.slice(from));
  return parts.join('');
}

function findLine(code: string, pattern: RegExp): number {
  const index = code.split('\n').findIndex((line) => pattern.test(line));
  return index < 0 ? 1 : index + 1;
}
