/**
 * Everything Monaco: only ever loaded through a dynamic import (editor/monaco.ts),
 * so it lands in its own chunks. Bundled from the monaco-editor package's
 * tree-shakeable ESM entry points (0.56+): the editor core, the editing
 * features a learner expects, JavaScript and TypeScript, and two workers.
 */
import * as monaco from 'monaco-editor/editor';
import 'monaco-editor/features/bracketMatching/register';
import 'monaco-editor/features/clipboard/register';
import 'monaco-editor/features/comment/register';
import 'monaco-editor/features/find/register';
import 'monaco-editor/features/folding/register';
import 'monaco-editor/features/gotoError/register';
import 'monaco-editor/features/hover/register';
import 'monaco-editor/features/indentation/register';
import 'monaco-editor/features/linesOperations/register';
import 'monaco-editor/features/multicursor/register';
import 'monaco-editor/features/parameterHints/register';
import 'monaco-editor/features/suggest/register';
import 'monaco-editor/features/toggleTabFocusMode/register';
import 'monaco-editor/features/wordHighlighter/register';
import 'monaco-editor/features/wordOperations/register';
import 'monaco-editor/languages/definitions/javascript/register';
import 'monaco-editor/languages/definitions/typescript/register';
import {
  getTypeScriptWorker,
  javascriptDefaults,
  ModuleKind,
  ScriptTarget,
  typescriptDefaults,
} from 'monaco-editor/languages/features/typescript/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import TsWorker from 'monaco-editor/language/typescript/ts.worker?worker';
import type { CodeSurface, SurfaceOptions } from './surface.ts';
import { EDITOR_THEMES, followSiteTheme } from './theme.ts';

self.MonacoEnvironment = {
  getWorker: (_id: string, label: string) => (label === 'typescript' || label === 'javascript' ? new TsWorker() : new EditorWorker()),
};

// Every playground file is a module of its own (moduleDetection: force), so
// two playgrounds that both declare `ws` do not collide in the language service.
const compilerOptions = {
  target: ScriptTarget.ESNext,
  module: ModuleKind.ESNext,
  moduleDetection: 3,
  lib: ['esnext', 'dom'],
  strict: true,
  sourceMap: true,
  allowNonTsExtensions: true,
};
typescriptDefaults.setCompilerOptions(compilerOptions);
javascriptDefaults.setCompilerOptions({ ...compilerOptions, allowJs: true, checkJs: false });
const globals = 'declare const clientName: string;\n';
typescriptDefaults.addExtraLib(globals, 'file:///fd-globals.d.ts');
javascriptDefaults.addExtraLib(globals, 'file:///fd-globals.d.ts');

// Backgrounds follow Starlight's code blocks; token colours are Monaco's own.
monaco.editor.defineTheme(EDITOR_THEMES.light, { base: 'vs', inherit: true, rules: [], colors: { 'editor.background': '#f6f7f9' } });
monaco.editor.defineTheme(EDITOR_THEMES.dark, { base: 'vs-dark', inherit: true, rules: [], colors: { 'editor.background': '#17181c' } });
followSiteTheme(document.documentElement, (theme) => monaco.editor.setTheme(EDITOR_THEMES[theme]));

const MARK_OWNER = 'fd-run';

export function monacoSurface(container: HTMLElement, initial: string, options: SurfaceOptions): CodeSurface {
  const uri = monaco.Uri.parse(`file:///${options.path}.${options.language}`);
  const model =
    monaco.editor.getModel(uri) ?? monaco.editor.createModel(initial, options.language === 'ts' ? 'typescript' : 'javascript', uri);
  model.setValue(initial);
  const editor = monaco.editor.create(container, {
    model,
    ariaLabel: options.label,
    automaticLayout: true,
    minimap: { enabled: false },
    scrollBeyondLastLine: false,
    padding: { top: 8, bottom: 8 },
    fontSize: 14,
    lineNumbersMinChars: 3,
    tabSize: 2,
    wordWrap: 'on',
    fixedOverflowWidgets: true,
    accessibilitySupport: 'auto',
  });
  editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => options.onRun());
  // The editor grows with its content, between 8 and 28 lines, like the textarea it replaced.
  const lineHeight = editor.getOption(monaco.editor.EditorOption.lineHeight);
  const fit = (): void => {
    const height = Math.min(Math.max(editor.getContentHeight(), 8 * lineHeight), 28 * lineHeight);
    container.style.height = `${height}px`;
  };
  const sizing = editor.onDidContentSizeChange(fit);
  fit();
  const changes = model.onDidChangeContent(() => options.onChange(model.getValue()));
  return {
    getValue: () => model.getValue(),
    setValue(code) {
      if (code !== model.getValue()) model.pushEditOperations([], [{ range: model.getFullModelRange(), text: code }], () => null);
    },
    setReadOnly(readOnly) {
      editor.updateOptions({ readOnly });
    },
    markError(line, column, message) {
      const startColumn = column ?? model.getLineFirstNonWhitespaceColumn(line) ?? 1;
      monaco.editor.setModelMarkers(model, MARK_OWNER, [
        {
          severity: monaco.MarkerSeverity.Error,
          message,
          startLineNumber: line,
          startColumn,
          endLineNumber: line,
          endColumn: model.getLineMaxColumn(line),
        },
      ]);
    },
    clearMarks() {
      monaco.editor.setModelMarkers(model, MARK_OWNER, []);
    },
    focus: () => editor.focus(),
    dispose() {
      changes.dispose();
      sizing.dispose();
      editor.dispose();
      model.dispose();
    },
  };
}

/**
 * The TS language service starts when the first TypeScript model appears, a
 * moment after it is created; until then getTypeScriptWorker rejects.
 */
async function typeScriptWorker(): ReturnType<typeof getTypeScriptWorker> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await getTypeScriptWorker();
    } catch (error) {
      if (attempt >= 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** TypeScript → JavaScript with a source map, by the TS worker Monaco already runs. */
export async function emitJavaScript(path: string, source: string): Promise<{ js: string; map: string }> {
  // A model of its own: the editor's model may show the solution, and must never be touched.
  const uri = monaco.Uri.parse(`file:///${path}.emit.ts`);
  const model = monaco.editor.getModel(uri) ?? monaco.editor.createModel(source, 'typescript', uri);
  if (model.getValue() !== source) model.setValue(source);
  const getWorker = await typeScriptWorker();
  const worker = await getWorker(uri);
  const output = await worker.getEmitOutput(uri.toString());
  const js = output.outputFiles.find((file) => file.name.endsWith('.js'));
  const map = output.outputFiles.find((file) => file.name.endsWith('.js.map'));
  if (!js || !map) throw new Error('The TypeScript worker produced no JavaScript.');
  return { js: js.text, map: map.text };
}
