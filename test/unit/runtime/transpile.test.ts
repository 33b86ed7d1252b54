import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { wrapLearnerCode } from '../../../src/runtime/runner/errors.ts';
import { prepareTranspiled, prepareTypeScript } from '../../../src/runtime/runner/transpile.ts';

// Interfaces and type aliases vanish in the output; every other line must stay where it was written.
const source = [
  'interface Greeting {', //      1
  '  text: string;', //           2
  '}', //                         3
  '', //                          4
  'type Id = number;', //         5
  'const g: Greeting = { text: "hi" };', // 6
  'const id: Id = 1;', //          7
  '(g as any).nope.call(id);', //  8
].join('\n');

/** Runs prepared code as the sandbox does (the wrapper, then eval) and returns what it threw. */
async function thrown(js: string): Promise<Error> {
  try {
    await (0, eval)(wrapLearnerCode(js));
  } catch (error) {
    return error as Error;
  }
  throw new Error('the code did not throw');
}

describe('prepareTypeScript', () => {
  it('strips the types and keeps every line where the learner wrote it', () => {
    const prepared = prepareTypeScript(source, 'lesson/a.ts');
    const lines = prepared.js.split('\n');
    expect(lines).toHaveLength(8);
    expect(lines[5]).toBe('const g = { text: "hi" };');
    expect(lines[6]).toBe('const id = 1;');
    expect(lines[7]).toBe('(g ).nope.call(id);');
  });

  it('maps a position in what runs back to the line and column in the TypeScript', () => {
    const prepared = prepareTypeScript(source, 'lesson/a.ts');
    // The sandbox reports wrapped coordinates: one wrapper line on top; `nope` is at column 6 of the output.
    expect(prepared.mapPosition({ line: 9, column: 6 })).toEqual({ line: 8, column: 12 });
  });

  it('maps a position on indentation to the statement that follows it', () => {
    const prepared = prepareTypeScript('interface A {}\nfunction f() {\n    missing();\n}\nf();', 'a.ts');
    expect(prepared.mapPosition({ line: 4, column: 1 })?.line).toBe(3);
  });

  it('turns enums and parameter properties into JavaScript and leaves modern syntax as written', () => {
    const prepared = prepareTypeScript(
      'enum Level { Low, High }\nclass P { constructor(public name: string) {} }\nconst n = new P("x")?.name ?? Level.High;',
      'a.ts',
    );
    expect(prepared.js).toContain('?.name ?? Level.High');
    expect(prepared.js.split('\n')).toHaveLength(3);
    expect((0, eval)(`${prepared.js}\n[n, Level.High, Level[0]]`)).toEqual(['x', 1, 'Low']);
  });

  it('does not type check: a type error still gives JavaScript (the editor shows the error)', () => {
    expect(prepareTypeScript("const n: number = 'one';", 'x.ts').js).toBe("const n = 'one';");
  });

  it('drops a closing `export {};`, which would be a syntax error inside the wrapper', () => {
    expect(prepareTypeScript('const a: number = 1;\nexport {};\n', 'x.ts').js).toBe('const a = 1;\n');
  });

  it('turns a syntax error into code that throws it at run time, mapped to where the parser stopped', async () => {
    const prepared = prepareTypeScript('const a: number = 1;\nconst b = (;\n', 'lesson/a.ts');
    const error = await thrown(prepared.js);
    expect(error).toBeInstanceOf(SyntaxError);
    expect(error.message).toBe('Unexpected token');
    expect(prepared.mapPosition({ line: 2, column: 1 })).toEqual({ line: 2, column: 12 });
    expect(prepared.mapPosition({ line: 40, column: 3 })).toEqual({ line: 2, column: 12 });
  });
});

describe('prepareTranspiled', () => {
  it('takes any transpiler with a source map: the TypeScript compiler, its module marker and map comment removed', () => {
    const out = ts.transpileModule(source, {
      fileName: 'lesson.ts',
      compilerOptions: { target: ts.ScriptTarget.ESNext, module: ts.ModuleKind.ESNext, moduleDetection: ts.ModuleDetectionKind.Force, sourceMap: true },
    });
    expect(out.outputText).toContain('export {};');
    const prepared = prepareTranspiled(out.outputText, out.sourceMapText as string);
    expect(prepared.js).not.toContain('export {}');
    expect(prepared.js).not.toContain('sourceMappingURL');
    const jsLines = prepared.js.split('\n');
    const failing = jsLines.findIndex((line) => line.includes('.nope.call'));
    expect(failing).toBe(2);
    const column = (jsLines[failing] as string).indexOf('nope') + 1;
    expect(prepared.mapPosition({ line: failing + 2, column })).toEqual({ line: 8, column: 12 });
  });
});
