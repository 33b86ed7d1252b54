/**
 * Everything Monaco: only ever loaded through a dynamic import (editor/monaco.ts),
 * so it lands in its own chunks. Bundled from the monaco-editor package's
 * tree-shakeable ESM entry points (0.56+): the editor core and its features,
 * JavaScript and TypeScript (no other language), and two workers.
 */
import * as monaco from 'monaco-editor/editor';
// All editor features, not a hand-picked few: the TypeScript language service
// (tsMode → internal/common/workers) imports every contribution anyway, and if
// they arrive after the first editor their services are missing for the next
// one ("depends on UNKNOWN service ICodeLensCache"). Registering them all up
// front costs no extra bytes for that reason.
import 'monaco-editor/features/register.all';
import 'monaco-editor/languages/definitions/javascript/register';
import 'monaco-editor/languages/definitions/typescript/register';
// Lua for <ServerLab>: highlighting only (a Monarch grammar, no worker).
import 'monaco-editor/languages/definitions/lua/register';
import { conf as jsConf, language as jsGrammar } from 'monaco-editor/languages/definitions/javascript/javascript';
import { conf as tsConf, language as tsGrammar } from 'monaco-editor/languages/definitions/typescript/typescript';
import {
  getJavaScriptWorker,
  getTypeScriptWorker,
  javascriptDefaults,
  ModuleKind,
  ScriptTarget,
  typescriptDefaults,
} from 'monaco-editor/languages/features/typescript/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import { StandaloneServices } from 'monaco-editor/editor/standalone/browser/standaloneServices';
import TsWorker from 'monaco-editor/language/typescript/ts.worker?worker';
import { CODE_BOX, codeBoxHeight } from './box.ts';
import { clipboardOverride } from './clipboard.ts';
import type { CodeSurface, SurfaceOptions } from './surface.ts';
import { EDITOR_THEMES, followSiteTheme } from './theme.ts';

// First, before anything asks Monaco for a service: overrides count only when its services start.
StandaloneServices.initialize(clipboardOverride());

self.MonacoEnvironment = {
  getWorker: (_id: string, label: string) => (label === 'typescript' || label === 'javascript' ? new TsWorker() : new EditorWorker()),
};

// Every playground file is a module of its own (moduleDetection: force), so
// two playgrounds that both declare `ws` do not collide in the language service.
// `lib` names files, not tsconfig's short names: these options reach the
// language service as they are (no tsconfig parsing turns 'dom' into
// 'lib.dom.d.ts'), and the worker serves its bundled lib files by file name.
const compilerOptions = {
  target: ScriptTarget.ESNext,
  module: ModuleKind.ESNext,
  moduleDetection: 3,
  lib: ['lib.esnext.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  strict: true,
  sourceMap: true,
  allowNonTsExtensions: true,
  // Node's resolution, so a server lab's `import … from 'ws'` finds the
  // @types files added below under file:///node_modules/ (browser playgrounds import nothing bare).
  moduleResolution: 2,
};
typescriptDefaults.setCompilerOptions(compilerOptions);
javascriptDefaults.setCompilerOptions({ ...compilerOptions, allowJs: true, checkJs: false });
const globals = 'declare const clientName: string;\n';
typescriptDefaults.addExtraLib(globals, 'file:///fd-globals.d.ts');
javascriptDefaults.addExtraLib(globals, 'file:///fd-globals.d.ts');
// A server lab's own-client editor (JavaScript) runs against this address (components/lab/element.ts).
javascriptDefaults.addExtraLib('/** Your lab server\'s WebSocket address. */\ndeclare const LAB_URL: string;\n', 'file:///fd-lab-globals.d.ts');

// Backgrounds follow Starlight's code blocks. Monaco's own token colours are
// kept except the few below 4.5:1 on these backgrounds (checked by axe in e2e).
monaco.editor.defineTheme(EDITOR_THEMES.light, {
  base: 'vs',
  inherit: true,
  rules: [
    { token: 'type', foreground: '006b6b' },
    { token: 'number', foreground: '007a52' },
  ],
  colors: {
    'editor.background': '#f6f7f9',
    'editorLineNumber.foreground': '#1f6f8b',
    'editorLineNumber.dimmedForeground': '#1f6f8b',
    'editorLineNumber.activeForeground': '#0b216f',
  },
});
monaco.editor.defineTheme(EDITOR_THEMES.dark, {
  base: 'vs-dark',
  inherit: true,
  rules: [{ token: 'comment', foreground: '6a9955' }],
  colors: {
    'editor.background': '#17181c',
    'editorLineNumber.foreground': '#8a8a8a',
    'editorLineNumber.dimmedForeground': '#8a8a8a',
    'editorLineNumber.activeForeground': '#c6c6c6',
  },
});
followSiteTheme(document.documentElement, (theme) => monaco.editor.setTheme(EDITOR_THEMES[theme]));

const MARK_OWNER = 'fd-run';
const MONACO_LANGUAGE = { js: 'javascript', ts: 'typescript', lua: 'lua' } as const;

/** Keys that move on or hold: Tab (and Shift+Tab's Shift), and the other modifiers pressed alone. */
const PASSING_KEYS = new Set<number>([monaco.KeyCode.Tab, monaco.KeyCode.Shift, monaco.KeyCode.Ctrl, monaco.KeyCode.Alt, monaco.KeyCode.Meta]);

/**
 * An editor's code starts in a quiet twin of its language: the same grammar, so the same
 * colours, and no language service. The TypeScript worker that checks JavaScript and
 * TypeScript is a 2.9 MB script; starting it and checking one playground took 3.6 CPU-seconds
 * of the 5.6 that Monaco's arrival cost on a laptop core (first-client lesson), far more on a
 * phone. It starts when the learner works in an editor (or problems() is asked), so a learner
 * who reads the code and presses Run never pays for it; errors found on Run are marked by the
 * runner either way. Focus alone does not start it: a keyboard user Tabbing down a lesson
 * passes through every editor (tabFocusMode), and with focus as the trigger the page-by-page
 * keyboard walk of the e2e tests started it on each lesson, 17 of 118 Chromium CPU-seconds.
 */
const QUIET_LANGUAGE = { js: 'fd-quiet-javascript', ts: 'fd-quiet-typescript' } as const;
for (const [id, conf, grammar] of [
  [QUIET_LANGUAGE.js, jsConf, jsGrammar],
  [QUIET_LANGUAGE.ts, tsConf, tsGrammar],
] as const) {
  monaco.languages.register({ id });
  monaco.languages.setLanguageConfiguration(id, conf);
  monaco.languages.setMonarchTokensProvider(id, grammar);
}

/** A screen that cannot hover and points with a finger: a phone or a tablet. */
function touchOnly(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(hover: none) and (pointer: coarse)').matches;
}

/**
 * On a touch screen a tap is a synthetic mouse enter, move and leave: the
 * leave cancels the hover (type information) that the move started, and
 * Monaco reports that cancelled request as "ERR Canceled: Canceled" on every
 * tap. A finger cannot hover, so the hover is never shown there anyway; not
 * starting it removes the request that would be cancelled. Errors stay
 * visible as squiggles and in the Output.
 */
const TOUCH_OPTIONS: monaco.editor.IStandaloneEditorConstructionOptions = {
  hover: { enabled: 'off' },
  // The same synthetic moves would start "go to definition" link lookups.
  links: false,
  // No context menu: a long press should select a word, as everywhere else on a phone.
  contextmenu: false,
};

export function monacoSurface(container: HTMLElement, initial: string, options: SurfaceOptions): CodeSurface {
  const uri = monaco.Uri.parse(`file:///${options.path}.${options.language}`);
  const language = MONACO_LANGUAGE[options.language];
  const model =
    monaco.editor.getModel(uri) ??
    monaco.editor.createModel(initial, options.language === 'lua' ? language : QUIET_LANGUAGE[options.language], uri);
  model.setValue(initial);
  /** From the quiet twin to the language itself: its language service (and worker) starts. */
  const wake = (): void => {
    if (model.getLanguageId() !== language) monaco.editor.setModelLanguage(model, language);
  };
  const editor = monaco.editor.create(container, {
    model,
    ariaLabel: options.label,
    automaticLayout: true,
    minimap: { enabled: false },
    scrollBeyondLastLine: false,
    // The textarea's box (editor/box.ts), in the font the host element has (the site's monospace).
    fontFamily: getComputedStyle(container).fontFamily,
    fontSize: CODE_BOX.fontSize,
    lineHeight: CODE_BOX.lineHeight,
    padding: { top: CODE_BOX.padding, bottom: CODE_BOX.padding },
    lineNumbersMinChars: CODE_BOX.lineNumberDigits,
    lineDecorationsWidth: CODE_BOX.lineDecorationsWidth,
    scrollbar: { verticalScrollbarSize: CODE_BOX.scrollbarWidth },
    tabSize: 2,
    wordWrap: 'on',
    // Wrapped where the textarea it replaces wraps: the browser breaks code at spaces and after
    // "-", "?" and "!" (UAX #14), not before "(" or after "." as Monaco would, then mid-word only
    // when a word does not fit; the rest of a line starts at the left edge.
    wordWrapBreakBeforeCharacters: '',
    wordWrapBreakAfterCharacters: ' \t-?!',
    wrappingIndent: 'none',
    fixedOverflowWidgets: true,
    accessibilitySupport: 'auto',
    // Tab moves focus, so a keyboard user is never trapped in the editor; Ctrl+M switches to indenting.
    tabFocusMode: true,
    ...(touchOnly() ? TOUCH_OPTIONS : {}),
  });
  // A key (not Tab passing through, nor a modifier on its own), a click or tap, the mouse over the code.
  const waking = [
    editor.onKeyDown((event) => {
      if (!PASSING_KEYS.has(event.keyCode)) wake();
    }),
    editor.onMouseDown(wake),
    editor.onMouseMove(wake),
  ];
  editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => options.onRun());
  // The editor grows with its wrapped content between the box's bounds, as the textarea it replaced did.
  const fit = (): void => {
    container.style.height = `${codeBoxHeight(editor.getContentHeight())}px`;
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
      // The status names the line: it must be in sight, not only a tick in the scrollbar.
      editor.revealLineInCenterIfOutsideViewport(line);
    },
    clearMarks() {
      monaco.editor.setModelMarkers(model, MARK_OWNER, []);
    },
    focus: () => editor.focus(),
    async problems() {
      // Only the TypeScript worker checks code; Lua has no language service in Monaco.
      if (options.language === 'lua') return [];
      wake();
      const getWorker = await languageWorker(options.language);
      const worker = await getWorker(uri);
      const file = uri.toString();
      const found = [...(await worker.getSyntacticDiagnostics(file)), ...(await worker.getSemanticDiagnostics(file))];
      return found.map((diagnostic) => {
        const at = model.getPositionAt(diagnostic.start ?? 0);
        return `${at.lineNumber}:${at.column} ${flatten(diagnostic.messageText)}`;
      });
    },
    dispose() {
      for (const listener of waking) listener.dispose();
      changes.dispose();
      sizing.dispose();
      editor.dispose();
      model.dispose();
    },
  };
}

type DiagnosticText = string | { messageText: string; next?: DiagnosticText[] };

function flatten(text: DiagnosticText): string {
  if (typeof text === 'string') return text;
  return [text.messageText, ...(text.next ?? []).map(flatten)].join(' ');
}

/**
 * The TS language service starts when the first TypeScript model appears, a
 * moment after it is created; until then getTypeScriptWorker rejects.
 */
async function languageWorker(language: 'js' | 'ts'): ReturnType<typeof getTypeScriptWorker> {
  // Generous: on a busy machine the worker can take tens of seconds to start.
  const giveUpAt = performance.now() + 60_000;
  for (;;) {
    try {
      return await (language === 'ts' ? getTypeScriptWorker() : getJavaScriptWorker());
    } catch (error) {
      if (performance.now() > giveUpAt) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

let nodeTypes: Promise<void> | null = null;

/**
 * The types of Node and ws, for a server lab written in TypeScript: loaded
 * the first time a lab shows TypeScript (their own chunks of .d.ts text, so
 * no other page pays for them), then known to every TypeScript model.
 */
export function useNodeTypes(): Promise<void> {
  nodeTypes ??= (async () => {
    const files = import.meta.glob<string>(
      ['../../../node_modules/@types/node/**/*.d.ts', '!../../../node_modules/@types/node/ts5.*/**', '../../../node_modules/@types/ws/index.d.ts'],
      { query: '?raw', import: 'default' },
    );
    const loaded = await Promise.all(Object.entries(files).map(async ([path, load]) => [path.replace(/^(\.\.\/)+/, ''), await load()] as const));
    for (const [path, text] of loaded) typescriptDefaults.addExtraLib(text, `file:///${path}`);
  })().catch((error: unknown) => {
    nodeTypes = null;
    throw error;
  });
  return nodeTypes;
}
