import { setImmediate } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import WebSocket from 'ws';
import { INSPECT_TAG_PARAM } from '../../protocol/endpoints.ts';
import type { Check, CheckCase, Step } from '../../labs/schema.ts';
import type { CaseResult, CheckFailure, CheckProgress, Verdict } from '../../protocol/labs.ts';
import type { LabLogLine } from './engine.ts';

/**
 * Plays a lab's check against a running lab server: each case with fresh
 * clients, steps in order, and stops a case at its first failure, which says
 * which client, which step, what was expected and what arrived instead.
 * Once a case's result is settled, its clients still open close with 1000
 * and wait for the server's answer (CLOSE_WAIT_MS at most), so a correct
 * server's connections end clean on the diagram and in its log; only a
 * `leave` step vanishes without a close frame.
 */

export type { CaseResult, CheckFailure, Verdict };

type Arrival =
  | { type: 'text' | 'binary' | 'ping' | 'pong'; data: Buffer }
  | { type: 'close'; code: number; reason: string }
  | { type: 'refused'; status: number }
  | { type: 'open' }
  | { type: 'error'; message: string };

/**
 * How long a client still open when its case ends waits for the server's answer to its close frame
 * (ws ends the TCP connection once the server's close frame is in, and 'close' follows) before it is
 * cut. A server that answers takes milliseconds (a handler's round trip through the proxy); one
 * that never answers (a starter without the close branch) costs this once per case, its clients
 * waiting side by side.
 */
export const CLOSE_WAIT_MS = 500;

/**
 * Turns of the event loop a client takes at a deadline before it says nothing arrived. After the
 * companion's loop was held up (another lab starting, a busy machine), the deadline's timer runs
 * before the loop reads its sockets: a ping the lab server sent in time waited in the kernel while
 * the check failed it ("expected ping within 3000 ms; arrived: nothing", a TypeScript heartbeat
 * solution, 1 of its 10 runs in a full `npm test`). Each turn lets the poll phase read what is there; two
 * cover the proxy's hop (lab server -> companion -> client).
 */
const IO_TURNS_AT_DEADLINE = 2;

class ScriptedClient {
  readonly arrivals: Arrival[] = [];
  private wakeup: (() => void) | null = null;
  readonly socket: WebSocket;
  /** It did a `leave` step: it vanished on purpose, and stays vanished when the case ends. */
  left = false;
  /** Resolves when the connection has closed (ws's 'close': the TCP connection is gone). */
  private readonly closed: Promise<void>;

  constructor(url: string, headers: Record<string, string>, autoPong: boolean) {
    this.socket = new WebSocket(url, { headers, autoPong, handshakeTimeout: 10_000 });
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    const push = (arrival: Arrival): void => {
      this.arrivals.push(arrival);
      this.wakeup?.();
    };
    this.socket.on('open', () => push({ type: 'open' }));
    this.socket.on('message', (data: Buffer, binary: boolean) => push({ type: binary ? 'binary' : 'text', data }));
    this.socket.on('ping', (data: Buffer) => push({ type: 'ping', data }));
    this.socket.on('pong', (data: Buffer) => push({ type: 'pong', data }));
    this.socket.on('close', (code: number, reason: Buffer) => push({ type: 'close', code, reason: reason.toString('utf8') }));
    this.socket.on('unexpected-response', (_req, res) => {
      push({ type: 'refused', status: res.statusCode ?? 0 });
      res.resume();
      this.socket.terminate();
    });
    this.socket.on('error', (error: Error) => push({ type: 'error', message: error.message }));
  }

  /**
   * Ends the connection when its case is over: a close frame (1000), then the server's answer or
   * `waitMs`, whichever comes first, then a cut if it is still not closed. A client that left stays
   * cut; one still in its handshake has nothing to close and is cut too.
   */
  async end(waitMs: number): Promise<void> {
    const socket = this.socket;
    if (socket.readyState === WebSocket.CLOSED) return;
    if (this.left || socket.readyState === WebSocket.CONNECTING) {
      socket.terminate();
      return;
    }
    // OPEN: say goodbye. CLOSING: a close step, or the server's close, already went; wait for it the same way.
    if (socket.readyState === WebSocket.OPEN) socket.close(1000);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
    // No answer in time: cut it. Closed by now, terminate() does nothing.
    socket.terminate();
  }

  /**
   * Takes the first arrival `accept` wants, skipping what `skip` allows; waits up to `ms`. At the
   * deadline it reads what is already on its way before it gives up (IO_TURNS_AT_DEADLINE).
   */
  async take(ms: number, accept: (a: Arrival) => boolean, skip: (a: Arrival) => boolean): Promise<{ hit: Arrival | null; seen: Arrival | null }> {
    const deadline = Date.now() + ms;
    let lastLook = false;
    for (;;) {
      while (this.arrivals.length > 0) {
        const next = this.arrivals[0] as Arrival;
        if (accept(next)) {
          this.arrivals.shift();
          return { hit: next, seen: next };
        }
        if (!skip(next)) return { hit: null, seen: next };
        this.arrivals.shift();
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        if (lastLook) return { hit: null, seen: null };
        lastLook = true;
        for (let turn = 0; turn < IO_TURNS_AT_DEADLINE; turn++) await setImmediate();
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wakeup = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeup = null;
    }
  }
}

const PREVIEW = 80;

export function describeArrival(a: Arrival | null): string {
  if (a === null) return 'nothing';
  switch (a.type) {
    case 'text':
      return `text ${JSON.stringify(preview(a.data.toString('utf8')))}${a.data.length > PREVIEW ? ` (${a.data.length} bytes)` : ''}`;
    case 'binary':
      return `binary ${a.data.subarray(0, 32).toString('hex')}${a.data.length > 32 ? '…' : ''} (${a.data.length} bytes)`;
    case 'ping':
    case 'pong':
      return `${a.type} ${JSON.stringify(a.data.toString('utf8'))}`;
    case 'close':
      return `close ${a.code}${a.reason ? ` ${JSON.stringify(a.reason)}` : ''}`;
    case 'refused':
      return `HTTP ${a.status} instead of the WebSocket handshake`;
    case 'open':
      return 'the handshake (101)';
    case 'error':
      return `an error: ${a.message}`;
  }
}

function preview(text: string): string {
  return text.length > PREVIEW ? `${text.slice(0, PREVIEW)}…` : text;
}

/** Every field of `expected` is in `actual` with an equal value; arrays compare element by element. */
export function jsonContains(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => jsonContains(actual[i], e));
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    return Object.entries(expected).every(([k, v]) => jsonContains((actual as Record<string, unknown>)[k], v));
  }
  return isDeepStrictEqual(actual, expected);
}

type ExpectStep = Extract<Step, { do: 'expect' }>;

function describeExpected(step: ExpectStep): string {
  const parts: string[] = [step.type];
  if (step.text !== undefined) parts.push(JSON.stringify(preview(step.text)));
  if (step.hex !== undefined) parts.push(step.hex);
  if (step.json !== undefined) parts.push(`JSON with ${JSON.stringify(step.json)}`);
  if (step.length !== undefined) parts.push(`of ${step.length} bytes`);
  return `${parts.join(' ')} within ${step.within} ms${passing(step.skip)}`;
}

/** What a step with `skip` adds to what it expects. */
const passing = (skip: readonly string[]): string => (skip.length > 0 ? ` (${skip.join(' and ')} frames may come first)` : '');

function matches(step: ExpectStep, a: Arrival): boolean {
  if (a.type !== step.type) return false;
  const data = (a as { data: Buffer }).data;
  if (step.text !== undefined && data.toString('utf8') !== step.text) return false;
  if (step.hex !== undefined && data.toString('hex') !== step.hex) return false;
  if (step.length !== undefined && data.length !== step.length) return false;
  if (step.json !== undefined) {
    try {
      if (!jsonContains(JSON.parse(data.toString('utf8')), step.json)) return false;
    } catch {
      return false;
    }
  }
  return true;
}

const isControl = (a: Arrival): boolean => a.type === 'ping' || a.type === 'pong' || a.type === 'open';

/** What an expect or expectClose step reads past: control frames, and the data frames its `skip` names. */
const passedOver = (skip: readonly string[], a: Arrival): boolean => isControl(a) || skip.includes(a.type);

export function describeStep(step: Step): string {
  switch (step.do) {
    case 'connect':
      return `connect${step.path ? ` to …${step.path}` : ''}${Object.keys(step.headers).length ? ` with ${Object.entries(step.headers).map(([k, v]) => `${k}: ${v}`).join(', ')}` : ''}`;
    case 'send':
      return step.text !== undefined
        ? `send text ${JSON.stringify(preview(step.text))}${step.repeat > 1 ? ` × ${step.repeat}` : ''}`
        : `send binary ${step.hex}`;
    case 'ping':
      return `send ping ${JSON.stringify(step.data)}`;
    case 'expect':
      return `expect ${describeExpected(step)}`;
    case 'expectClose':
      return `expect a close${step.code ? ` ${step.code}` : ''}`;
    case 'silence':
      return `expect nothing for ${step.for} ms`;
    case 'close':
      return `close with ${step.code}`;
    case 'leave':
      return 'vanish without a close frame';
    case 'wait':
      return `wait ${step.ms} ms`;
    case 'expectLog':
      return `expect a server log line with ${JSON.stringify(step.text)}`;
  }
}

/** What a client received and a step took, in order: the differential test compares these across engines. */
export type TranscriptEntry = { case: string; client: string; arrival: string };

/**
 * One case: its steps, then its clients' goodbye. The result is settled before any client closes:
 * what arrives while they close (a close reply, a cut) is never read by a step, nor recorded.
 */
async function runCase(
  c: CheckCase,
  url: string,
  log: () => readonly LabLogLine[],
  record: ((entry: TranscriptEntry) => void) | null,
  tag: string | null,
  extraHeaders: Readonly<Record<string, string>>,
  closeWaitMs: number,
): Promise<CaseResult> {
  const clients = new Map<string, ScriptedClient>();
  try {
    return await playCase(c, clients, url, log, record, tag, extraHeaders);
  } finally {
    // Every client at once: the case costs one wait, not one per client.
    await Promise.all([...clients.values()].map((client) => client.end(closeWaitMs)));
  }
}

async function playCase(
  c: CheckCase,
  clients: Map<string, ScriptedClient>,
  url: string,
  log: () => readonly LabLogLine[],
  record: ((entry: TranscriptEntry) => void) | null,
  tag: string | null,
  extraHeaders: Readonly<Record<string, string>>,
): Promise<CaseResult> {
  // The last line before the case: the case's lines are those after it. Not a count: a bounded log
  // drops its oldest lines, and a count taken before would then skip new ones. A marker dropped too
  // means every line kept is newer.
  const before = log().at(-1);
  const caseLines = (): readonly LabLogLine[] => {
    const lines = log();
    return before === undefined ? lines : lines.slice(lines.lastIndexOf(before) + 1);
  };
  const fail = (index: number, step: Step, expected: string, arrived: string): CaseResult => ({
    name: c.name,
    hidden: c.hidden,
    passed: false,
    failure: { client: 'client' in step ? step.client : null, step: index + 1, action: describeStep(step), expected, arrived },
  });
  for (const [index, step] of c.steps.entries()) {
    if (step.do === 'wait') {
      await new Promise((resolve) => setTimeout(resolve, step.ms));
      continue;
    }
    if (step.do === 'expectLog') {
      const deadline = Date.now() + step.within;
      let found = false;
      while (!found && Date.now() < deadline) {
        found = caseLines().some((line) => line.text.includes(step.text));
        if (!found) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      if (!found) {
        const last = caseLines().at(-1);
        return fail(index, step, `a log line containing ${JSON.stringify(step.text)} within ${step.within} ms`, last ? `last line: ${JSON.stringify(last.text)}` : 'no log lines');
      }
      continue;
    }
    if (step.do === 'connect') {
      const client = new ScriptedClient(tagged(url + step.path, tag, step.client), { ...step.headers, ...extraHeaders }, step.autoPong);
      clients.set(step.client, client);
      const want = step.status;
      const { hit, seen } = await client.take(
        step.within,
        (a) => (want === 101 ? a.type === 'open' : a.type === 'refused' && a.status === want),
        () => false,
      );
      if (!hit) {
        return fail(index, step, want === 101 ? 'the handshake (101)' : `HTTP ${want}`, describeArrival(seen));
      }
      continue;
    }
    const client = clients.get(step.client);
    if (!client) throw new Error(`check step ${index + 1} uses ${step.client} before it connects`);
    switch (step.do) {
      case 'send': {
        if (client.socket.readyState !== WebSocket.OPEN) return fail(index, step, 'an open connection', 'the connection is closed');
        if (step.text !== undefined) client.socket.send(step.text.repeat(step.repeat));
        else client.socket.send(Buffer.from(step.hex ?? '', 'hex'), { binary: true });
        break;
      }
      case 'ping':
        if (client.socket.readyState !== WebSocket.OPEN) return fail(index, step, 'an open connection', 'the connection is closed');
        client.socket.ping(step.data);
        break;
      case 'expect': {
        const { hit, seen } = await client.take(step.within, (a) => matches(step, a), (a) => a.type !== step.type && passedOver(step.skip, a));
        if (!hit) return fail(index, step, describeExpected(step), describeArrival(seen));
        record?.({ case: c.name, client: step.client, arrival: canonical(hit) });
        break;
      }
      case 'expectClose': {
        const { hit, seen } = await client.take(
          step.within,
          (a) => a.type === 'close' && (step.code === undefined || a.code === step.code),
          (a) => passedOver(step.skip, a),
        );
        if (!hit) return fail(index, step, `a close${step.code ? ` with code ${step.code}` : ''} within ${step.within} ms${passing(step.skip)}`, describeArrival(seen));
        record?.({ case: c.name, client: step.client, arrival: canonical(hit) });
        break;
      }
      case 'silence': {
        const { seen } = await client.take(step.for, () => false, (a) => a.type === 'open' || a.type === 'pong');
        if (seen) return fail(index, step, `nothing for ${step.for} ms`, describeArrival(seen));
        break;
      }
      case 'close':
        client.socket.close(step.code, step.reason);
        break;
      case 'leave':
        client.left = true;
        client.socket.terminate();
        break;
    }
  }
  return { name: c.name, hidden: c.hidden, passed: true, failure: null };
}

/** An arrival in full, JSON text with sorted keys (object key order is unspecified in cjson). */
function canonical(a: Arrival): string {
  if (a.type === 'text') {
    const text = a.data.toString('utf8');
    try {
      return `text ${JSON.stringify(sortKeys(JSON.parse(text)))}`;
    } catch {
      return `text ${JSON.stringify(text)}`;
    }
  }
  if (a.type === 'binary' || a.type === 'ping' || a.type === 'pong') return `${a.type} ${a.data.toString('hex')}`;
  return describeArrival(a);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}

export async function runCheck(
  check: Check,
  deps: {
    url: string;
    log: () => readonly LabLogLine[];
    record?: (entry: TranscriptEntry) => void;
    tag?: string | null;
    /** Sent by every client on top of the step's own (classroom mode: the key that lets the check into the learner's lab). */
    headers?: Readonly<Record<string, string>>;
    /** Told as each case starts and ends, so a page can show the check going (CheckProgress). */
    progress?: (event: Extract<CheckProgress, { t: 'case' | 'result' }>) => void;
    /** How long a client still open at a case's end waits for the server's answer; CLOSE_WAIT_MS unless a test sets it. */
    closeWaitMs?: number;
  },
): Promise<Verdict> {
  const cases: CaseResult[] = [];
  for (const [i, c] of check.cases.entries()) {
    deps.progress?.({ t: 'case', index: i + 1, of: check.cases.length, name: c.name });
    const result = await runCase(c, deps.url, deps.log, deps.record ?? null, deps.tag ?? null, deps.headers ?? {}, deps.closeWaitMs ?? CLOSE_WAIT_MS);
    cases.push(result);
    deps.progress?.({ t: 'result', index: i + 1, result });
  }
  return { passed: cases.every((c) => c.passed), cases };
}

/** The inspector tag rides in the query; the lab API takes it out before the learner's handler sees the request. */
function tagged(url: string, tag: string | null, client: string): string {
  if (tag === null) return url;
  const u = new URL(url);
  u.searchParams.append(INSPECT_TAG_PARAM, `${tag}.${client}`);
  return u.toString();
}
