/**
 * What the playground needs from an editor, so the same element works with
 * the plain textarea shown before Monaco loads and with Monaco after.
 */
export interface CodeSurface {
  getValue(): string;
  setValue(code: string): void;
  setReadOnly(readOnly: boolean): void;
  /** Marks an error at a 1-based line (and column) of the learner's code. */
  markError(line: number, column: number | null, message: string): void;
  clearMarks(): void;
  focus(): void;
  /**
   * What the editor's own language service reports for the code shown now
   * (syntax and type errors, "line:column message" each); empty for the
   * plain textarea, which has no language service.
   */
  problems(): Promise<string[]>;
  dispose(): void;
}

export interface SurfaceOptions {
  /** Accessible name of the editing area. */
  label: string;
  language: 'js' | 'ts' | 'lua';
  /** Model path, unique on the page, e.g. "first-client/shared". */
  path: string;
  onChange(code: string): void;
  /** Ctrl+Enter / Cmd+Enter. */
  onRun(): void;
}

/** The plain editor: a textarea with the same keyboard shortcut for Run. */
export function textareaSurface(textarea: HTMLTextAreaElement, options: SurfaceOptions): CodeSurface {
  const onInput = (): void => options.onChange(textarea.value);
  const onKey = (event: KeyboardEvent): void => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      options.onRun();
    }
  };
  textarea.addEventListener('input', onInput);
  textarea.addEventListener('keydown', onKey);
  return {
    getValue: () => textarea.value,
    setValue(code) {
      textarea.value = code;
    },
    setReadOnly(readOnly) {
      textarea.readOnly = readOnly;
    },
    markError(line, _column, message) {
      textarea.setAttribute('aria-description', `Error on line ${line}: ${message}`);
    },
    clearMarks() {
      textarea.removeAttribute('aria-description');
    },
    focus: () => textarea.focus(),
    problems: () => Promise.resolve([]),
    dispose() {
      textarea.removeEventListener('input', onInput);
      textarea.removeEventListener('keydown', onKey);
    },
  };
}
