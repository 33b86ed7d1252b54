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

export const checks = {
  'greet-echo-close': greetEchoClose,
  'message-too-big': messageTooBig,
} satisfies Record<string, Check>;

export type CheckName = keyof typeof checks;

export function isCheckName(name: string): name is CheckName {
  return Object.hasOwn(checks, name);
}
