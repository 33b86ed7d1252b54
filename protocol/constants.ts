/**
 * Protocol numbers from RFC 6455 and the course's own limits. The server, the
 * browser runtime and the tests read them from here; nothing else spells them.
 */

/** Frame opcodes (RFC 6455 §5.2). 0x3–0x7 and 0xB–0xF are reserved. */
export const OPCODE = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

export type OpcodeName = keyof typeof OPCODE;

const opcodeNames = new Map<number, OpcodeName>(
  (Object.entries(OPCODE) as [OpcodeName, number][]).map(([name, code]) => [code, name]),
);

/** The name of an opcode, or `reserved` for the values RFC 6455 leaves unassigned. */
export function opcodeName(opcode: number): OpcodeName | 'reserved' {
  return opcodeNames.get(opcode) ?? 'reserved';
}

/** Control frames (close, ping, pong) have the high bit of the opcode set. */
export function isControlOpcode(opcode: number): boolean {
  return (opcode & 0x8) !== 0;
}

/** Close status codes (RFC 6455 §7.4.1) the course and the server use. */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  unsupportedData: 1003,
  /** Reported locally when a close frame carried no code; never sent. */
  noStatus: 1005,
  /** Reported locally when the connection dropped without a close frame; never sent. */
  abnormal: 1006,
  invalidPayload: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
  mandatoryExtension: 1010,
  internalError: 1011,
  tryAgainLater: 1013,
} as const;

export type CloseName = keyof typeof CLOSE;

/** One-line meanings, for diagrams, logs and the reference page. */
export const CLOSE_MEANING: Record<number, string> = {
  [CLOSE.normal]: 'normal closure',
  [CLOSE.goingAway]: 'going away (server shutting down or page navigating away)',
  [CLOSE.protocolError]: 'protocol error',
  [CLOSE.unsupportedData]: 'unsupported data (a type the endpoint cannot accept)',
  [CLOSE.noStatus]: 'no status code was present',
  [CLOSE.abnormal]: 'abnormal closure: the connection dropped without a close frame',
  [CLOSE.invalidPayload]: 'invalid payload data (e.g. text that is not UTF-8)',
  [CLOSE.policyViolation]: 'policy violation',
  [CLOSE.messageTooBig]: 'message too big',
  [CLOSE.mandatoryExtension]: 'a required extension was not negotiated',
  [CLOSE.internalError]: 'internal server error',
  [CLOSE.tryAgainLater]: 'try again later (overloaded)',
};

/** The GUID appended to Sec-WebSocket-Key before hashing (RFC 6455 §1.3). */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Frame-size facts of RFC 6455 §5.2. */
export const FRAME = {
  /** Control frames carry at most 125 bytes of payload. */
  maxControlPayload: 125,
  /** Payload lengths up to this fit in the 7-bit field. */
  max7BitLength: 125,
  /** 126 in the 7-bit field means "a 16-bit length follows". */
  length16Marker: 126,
  /** 127 in the 7-bit field means "a 64-bit length follows". */
  length64Marker: 127,
  maskingKeyLength: 4,
} as const;

/** The companion server's defaults. Each can be changed by a CLI flag where one exists. */
export const LIMITS = {
  /** Largest message the server accepts before closing with 1009. */
  maxPayload: 64 * 1024,
  maxConnections: 10_000,
  /**
   * TCP connections allowed beyond `maxConnections` (page loads, /health, handshakes in
   * progress), so a refused WebSocket still gets its 503; past the sum the kernel's
   * connection is closed at once.
   */
  extraHttpConnections: 256,
  /** Unsent bytes on one socket before it counts as a slow consumer. */
  slowConsumerBytes: 1024 * 1024,
  heartbeatMs: 30_000,
  chatHistory: 50,
  chatNameMaxLength: 24,
  chatTextMaxLength: 2_000,
  feedReplay: 1_000,
  /** Payload bytes of a frame the inspector shows. */
  inspectPreviewBytes: 256,
  /** Seconds a slow consumer may stay over `slowConsumerBytes` before it is closed with 1013. */
  slowConsumerGraceSeconds: 5,
  /** Chat and broadcast: messages per second one connection may send, sustained. */
  rateLimitPerSecond: 20,
  /** Chat and broadcast: messages one connection may send in a burst. */
  rateLimitBurst: 40,
  /**
   * Refused (rate-limited) messages tolerated in a burst; past this the sender is closed
   * with 1008. They are forgiven at `rateLimitPerSecond / 4` per second.
   */
  rateLimitAbuse: 40,
  /** Lifetime of a token from POST /api/token. */
  tokenTtlSeconds: 3_600,
  /** Largest POST /api/token body. */
  tokenBodyBytes: 1_024,
  /** /inspect: events kept per tag for a late subscriber, and for how long. */
  inspectReplayEvents: 1_000,
  inspectReplaySeconds: 60,
  /** /inspect: events per second one subscriber receives before the rest are counted, not sent. */
  inspectEventsPerSecond: 200,
  inspectEventsBurst: 400,
  /** /inspect subscribers at once, in all, and from one peer address; one more is refused with 503 / 429. */
  inspectSubscribers: 64,
  inspectSubscribersPerAddress: 16,
  /** /chat: joins per second one peer address may make, sustained, and in a burst; more get 429. */
  chatJoinsPerSecond: 5,
  chatJoinsBurst: 20,
  /**
   * Milliseconds a tagged connection's wire tap waits for an /inspect that covers its tag
   * (the page opens it as the run starts); nobody by then, the tap comes off.
   */
  inspectTapWaitMs: 5_000,
  /** Longest playground tag accepted in `?fd-tag=`. */
  inspectTagMaxLength: 128,
  /** Seconds the feed keeps ticking after its last client left, so `?since=` can resume. */
  feedLingerSeconds: 60,
  /** Graceful shutdown: time given to clients to answer the 1001 close before they are cut. */
  shutdownGraceMs: 2_000,
} as const;
