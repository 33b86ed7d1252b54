import type { CheckName } from '../../runtime/checks.ts';

/**
 * What Playground.astro hands its custom element, as JSON in the page.
 * A "file" is one editor: "shared" when every client runs the same code,
 * otherwise one per client, keyed by the client's name.
 */
export interface PlaygroundFile {
  key: string;
  /** Visible caption and accessible name of the editor, e.g. "Code" or "Code for alice". */
  label: string;
  starter: string;
  solution: string | null;
}

export interface PlaygroundConfig {
  title: string;
  lang: 'js' | 'ts';
  clients: string[];
  files: PlaygroundFile[];
  check: CheckName | null;
}

/** The file whose code a client runs. */
export function fileFor(config: PlaygroundConfig, client: string): PlaygroundFile {
  const file = config.files.find((f) => f.key === client) ?? config.files.find((f) => f.key === 'shared');
  if (!file) throw new Error(`No code for client "${client}".`);
  return file;
}

/** Accessible name of a client's output log: "Output" alone, "Output alice" with several clients. */
export function outputName(config: Pick<PlaygroundConfig, 'clients'>, client: string): string {
  return config.clients.length > 1 ? `Output ${client}` : 'Output';
}
