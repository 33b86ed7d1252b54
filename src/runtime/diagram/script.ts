/**
 * The static diagrams' little language, one statement per line:
 *
 *   client -> server: connection request      a message (solid arrow)
 *   server --> client: 101 Switching Protocols a reply (dashed arrow)
 *   note client: the page shows the echo       a note beside a participant
 *   # a comment
 *
 * Participants appear in order of first mention. Parsed at build time; a
 * line that is none of these fails the build with its line number.
 */
export interface ScriptStep {
  kind: 'message' | 'reply' | 'note';
  from: string;
  to: string;
  label: string;
  line: number;
}

export interface Script {
  participants: string[];
  steps: ScriptStep[];
}

export class ScriptError extends Error {
  override name = 'ScriptError';
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.line = line;
  }
}

const NAME = '([A-Za-z][\\w-]*)';
const MESSAGE = new RegExp(`^${NAME}\\s*(-->|->)\\s*${NAME}\\s*:\\s*(.+)$`);
const NOTE = new RegExp(`^note\\s+${NAME}\\s*:\\s*(.+)$`);

export function parseScript(source: string): Script {
  const participants: string[] = [];
  const steps: ScriptStep[] = [];
  const see = (name: string): void => {
    if (!participants.includes(name)) participants.push(name);
  };
  source.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    const note = NOTE.exec(text);
    if (note) {
      const [, who = '', label = ''] = note;
      see(who);
      steps.push({ kind: 'note', from: who, to: who, label: label.trim(), line });
      return;
    }
    const message = MESSAGE.exec(text);
    if (!message) {
      throw new ScriptError(line, `expected "a -> b: text", "a --> b: text" or "note a: text", got "${text}"`);
    }
    const [, from = '', arrow, to = '', label = ''] = message;
    if (from === to) throw new ScriptError(line, `a message needs two different participants, got "${from}" twice`);
    see(from);
    see(to);
    steps.push({ kind: arrow === '-->' ? 'reply' : 'message', from, to, label: label.trim(), line });
  });
  if (steps.length === 0) throw new ScriptError(1, 'the diagram has no steps');
  return { participants, steps };
}
