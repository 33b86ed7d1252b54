import { CLOSE } from '../../protocol/constants.ts';
import type { ClientEvent } from './recorder/events.ts';

/**
 * Exercise checks: pure functions over a run's recorded events (socket
 * activity and console output). A playground names its check; after each
 * event the panel shows passed, or what is still missing, in words the
 * learner can act on.
 */
export interface CheckResult {
  passed: boolean;
  /** What the run has not shown yet, one short sentence each. Empty when passed. */
  missing: string[];
}

export type Check = (events: readonly ClientEvent[]) => CheckResult;

type Of<K extends ClientEvent['kind']> = Extract<ClientEvent, { kind: K }>;
const ofKind = <K extends ClientEvent['kind']>(events: readonly ClientEvent[], kind: K): Of<K>[] =>
  events.filter((event): event is Of<K> => event.kind === kind);

function result(requirements: [boolean, string][]): CheckResult {
  const missing = requirements.filter(([met]) => !met).map(([, text]) => text);
  return { passed: missing.length === 0, missing };
}

/**
 * Lesson 3: open a connection, send a text greeting, receive the same text
 * back, print it, then close the connection yourself with 1000.
 */
const greetEchoClose: Check = (events) => {
  const opened = ofKind(events, 'open').length > 0;
  const sent = ofKind(events, 'send').filter((e) => e.dataType === 'text');
  const messages = ofKind(events, 'message');
  const echo = messages.find((m) => m.dataType === 'text' && sent.some((s) => s.preview === m.preview && s.t <= m.t));
  const printed = echo !== undefined && ofKind(events, 'console').some((c) => c.t >= echo.t && c.text.includes(echo.preview));
  const closed = ofKind(events, 'close').find((c) => echo !== undefined && c.t >= echo.t && c.sock === echo.sock);
  return result([
    [opened, 'Open a connection to ws://localhost:8080.'],
    [sent.length > 0, 'Send a text message once the connection is open.'],
    [echo !== undefined, 'Receive your own message back from the echo server.'],
    [printed, 'Print the echoed text with console.log.'],
    [closed?.code === CLOSE.normal && closed.wasClean, `Close the connection yourself with code ${CLOSE.normal} after the echo arrives.`],
  ]);
};

/** Lesson 4: send more than the server accepts and report the close code it sends. */
const messageTooBig: Check = (events) => {
  const close = ofKind(events, 'close').find((c) => c.code === CLOSE.messageTooBig);
  const reported = close !== undefined && ofKind(events, 'console').some((c) => c.t >= close.t && c.text.includes(String(CLOSE.messageTooBig)));
  return result([
    [ofKind(events, 'send').length > 0, 'Send a message.'],
    [close !== undefined, `Get the connection closed with code ${CLOSE.messageTooBig} (message too big).`],
    [reported, 'Print the close code you received.'],
  ]);
};


const clientsOf = (events: readonly ClientEvent[]): string[] => [...new Set(events.map((e) => e.client))].sort();

/**
 * Broadcasting: with several clients, each sent a message, each received
 * every client's message, its own included, and printed what it received.
 */
const broadcastAll: Check = (events) => {
  const clients = clientsOf(ofKind(events, 'create'));
  const sent = ofKind(events, 'send').filter((e) => e.dataType === 'text');
  const printed = ofKind(events, 'console');
  const requirements: [boolean, string][] = [[clients.length >= 2, 'Run the code in at least two clients.']];
  for (const client of clients) {
    requirements.push([sent.some((s) => s.client === client), `Let ${client} send a message once it is connected.`]);
    const got = ofKind(events, 'message').filter((m) => m.client === client);
    const missed = sent.filter((s) => !got.some((m) => m.preview === s.preview)).map((s) => s.client);
    requirements.push([sent.length > 0 && missed.length === 0, `${client} should receive every message, its own too${missed.length > 0 ? ` (missing: ${missed.join(', ')})` : ''}.`]);
    const unprinted = got.filter((m) => !printed.some((c) => c.client === client && c.t >= m.t && c.text.includes(m.preview)));
    requirements.push([got.length > 0 && unprinted.length === 0, `${client} should print every message it receives with console.log.`]);
  }
  return result(requirements);
};

/** Parses a text message preview as a JSON object, or null. */
function json(preview: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(preview);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * The chat room: each client joined under its own name, said something,
 * every other client received it as a "message" from that sender, and nobody
 * got its own line back.
 *
 * The room names a client that joins without `?name=` a guest, so its lines
 * come "from" guest-N: when lines from names that are not the clients' arrive
 * and some client was not heard, the first thing missing is the name in the
 * handshake, said in those words.
 */
const chatRelay: Check = (events) => {
  const clients = clientsOf(ofKind(events, 'create'));
  const lines = ofKind(events, 'message')
    .map((m) => ({ to: m.client, body: json(m.preview) }))
    .filter((r) => r.body?.['type'] === 'message');
  const reachedFrom = (sender: string): Set<string> => new Set(lines.filter((r) => r.body?.['from'] === sender).map((r) => r.to));
  const unheard = clients.filter((sender) => !clients.every((c) => c === sender || reachedFrom(sender).has(c)));
  const strangers = [...new Set(lines.map((r) => String(r.body?.['from'])))].filter((from) => !clients.includes(from)).sort();
  const requirements: [boolean, string][] = [[clients.length >= 3, 'Run three clients in the room.']];
  if (strangers.length > 0 && unheard.length > 0) {
    requirements.push([
      false,
      `Join under your own name: the room heard ${strangers.join(', ')}, not ${clients.join(', ')}. Put the name in the URL: ws://localhost:8080/chat?name=\${clientName}.`,
    ]);
  }
  for (const sender of clients) {
    requirements.push([!unheard.includes(sender), `Everyone else should receive a line from ${sender}.`]);
    requirements.push([!reachedFrom(sender).has(sender), `${sender} should not get its own line back.`]);
  }
  return result(requirements);
};

/**
 * Resuming a feed: the client connected twice, the second time with
 * ?since=, and the sequence numbers it received ran on without a gap or a
 * repeat across the reconnection.
 */
const feedResume: Check = (events) => {
  const creates = ofKind(events, 'create');
  const seqs = ofKind(events, 'message')
    .map((m) => json(m.preview))
    .filter((b): b is Record<string, unknown> => b?.['type'] === 'tick' && typeof b['seq'] === 'number')
    .map((b) => b['seq'] as number);
  const contiguous = seqs.length > 1 && seqs.every((seq, i) => i === 0 || seq === (seqs[i - 1] as number) + 1);
  return result([
    [creates.length >= 2, 'Reconnect after the drop.'],
    [creates.slice(1).some((c) => /[?&]since=\d+/.test(c.url)), 'Reconnect with ?since=<the last seq you saw>.'],
    [contiguous, 'Receive every tick exactly once: the sequence numbers must run on without a gap.'],
  ]);
};

/**
 * The collaborative editor: every client printed its final `document: …`,
 * all of them print the same text, it holds every client's edit (each
 * client's edit names it), and no client sent another client's text (an edit
 * names only its author; a message holding someone else's sentence is a copy
 * of the document).
 *
 * The last demand is what makes the verdict independent of timing. Sending
 * whole documents can only end right when the copies did not cross (the later
 * sender had already taken the earlier one's copy, and sent it on with its own
 * sentence): that run fails the last demand. When they cross, each client
 * keeps the other's copy and the two differ. So the starter fails every run,
 * whichever client's worker starts first, and a run passes only by sending
 * edits and merging them.
 */
const sharedDocConverges: Check = (events) => {
  const clients = clientsOf(ofKind(events, 'create'));
  const finals = new Map<string, string>();
  for (const line of ofKind(events, 'console')) {
    const match = /^document: (.*)$/s.exec(line.text);
    if (match) finals.set(line.client, match[1] as string);
  }
  const texts = [...finals.values()];
  const agreed = texts.length === clients.length && new Set(texts).size === 1 ? (texts[0] as string) : null;
  const sent = ofKind(events, 'send');
  const requirements: [boolean, string][] = [[clients.length >= 2, 'Run the code in at least two clients.']];
  for (const client of clients) requirements.push([finals.has(client), `Let ${client} print its final "document: …" line.`]);
  requirements.push([agreed !== null, 'Every client should end with the same document.']);
  for (const client of clients) {
    requirements.push([agreed !== null && agreed.includes(client), `The shared document should keep ${client}'s edit.`]);
  }
  for (const client of clients) {
    const carried = clients.filter((other) => other !== client && sent.some((s) => s.client === client && s.preview.includes(other)));
    requirements.push([
      carried.length === 0,
      `Send only ${client}'s own edit: a message from ${client} held ${carried.join(' and ')}'s text, so it was a copy of the whole document.`,
    ]);
  }
  return result(requirements);
};

/** What the check panel says after a run: a headline, and what is still missing as a list. */
export interface Feedback {
  state: 'passed' | 'error' | 'missing';
  headline: string;
  items: string[];
}

/**
 * When the learner's code threw, that comes first and alone: every other
 * requirement is likely unmet only because the code stopped, so listing them
 * would send the learner after the wrong thing.
 */
export function feedbackFor(events: readonly ClientEvent[], outcome: CheckResult): Feedback {
  if (outcome.passed) return { state: 'passed', headline: 'Check passed: well done!', items: [] };
  const thrown = ofKind(events, 'uncaught')[0];
  if (thrown) {
    const where = thrown.line === null ? 'Fix the error first' : `Fix line ${thrown.line} first`;
    return { state: 'error', headline: `Not yet: your code stopped with an error. ${where}: ${thrown.message}`, items: [] };
  }
  return { state: 'missing', headline: 'Not yet. Still missing:', items: outcome.missing };
}

export const checks = {
  'greet-echo-close': greetEchoClose,
  'message-too-big': messageTooBig,
  'broadcast-all': broadcastAll,
  'chat-relay': chatRelay,
  'feed-resume': feedResume,
  'shared-doc-converges': sharedDocConverges,
} satisfies Record<string, Check>;

export type CheckName = keyof typeof checks;

export function isCheckName(name: string): name is CheckName {
  return Object.hasOwn(checks, name);
}
