/**
 * What every benchmark script in bench/ returns, so `npm run bench` can put
 * them in one table and one results file.
 */
export interface BenchResult {
  /** What was measured, e.g. "echo msgs/s, 100 clients". */
  name: string;
  value: number;
  /** Unit of `value` and `baseline`, e.g. "msg/s", "ms", "KiB". */
  unit: string;
  /** The same figure for the baseline run in the same process (e.g. a bare `ws` server). */
  baseline?: number;
  /** The target in words, e.g. "≥ 0.9× baseline", "< 50 ms". */
  target?: string;
  /** Whether the figure meets its target; absent when there is none. */
  ok?: boolean;
}

export interface BenchModule {
  run(): Promise<BenchResult[]>;
}

const fmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** Formats results as a plain-text table (also pasted into issue notes). */
export function table(suite: string, results: readonly BenchResult[]): string {
  const rows = results.map((r) => [
    suite,
    r.name,
    `${fmt.format(r.value)} ${r.unit}`,
    r.baseline === undefined ? '' : `${fmt.format(r.baseline)} ${r.unit}`,
    r.baseline === undefined || r.baseline === 0 ? '' : `${fmt.format(r.value / r.baseline)}×`,
    r.target ?? '',
    r.ok === undefined ? '' : r.ok ? 'ok' : 'MISSED',
  ]);
  const head = ['suite', 'measure', 'value', 'baseline', 'ratio', 'target', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Runs a bench module's `run` when the file is executed directly: `npx node bench/x.ts`. */
export async function runIfMain(meta: ImportMeta, suite: string, run: () => Promise<BenchResult[]>): Promise<void> {
  if (process.argv[1] !== meta.filename) return;
  const results = await run();
  process.stdout.write(`${table(suite, results)}\n`);
  process.exit(0);
}
