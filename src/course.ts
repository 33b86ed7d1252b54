/**
 * The course outline: parts and lessons in order. The sidebar, the home page
 * and the progress tracker read it, so a lesson is listed in one place.
 * A lesson whose page does not exist yet is shown as "coming soon".
 */
export interface OutlineLesson {
  /** URL path without slashes, e.g. `lessons/why-websockets`; also the content id. */
  slug: string;
  title: string;
  /** One line: what the learner can do after the lesson. */
  summary: string;
}

export interface OutlinePart {
  title: string;
  lessons: OutlineLesson[];
}

export const outline: OutlinePart[] = [
  {
    title: 'Part 1 — Foundations',
    lessons: [
      {
        slug: 'lessons/why-websockets',
        title: 'Why WebSockets',
        summary: 'Compare polling, long polling, Server-Sent Events and WebSockets, and know when each fits.',
      },
      {
        slug: 'lessons/handshake-and-frames',
        title: 'Handshake and frames',
        summary: 'Read the HTTP upgrade, compute Sec-WebSocket-Accept, and decode a frame byte by byte.',
      },
      {
        slug: 'lessons/first-client',
        title: 'Your first client',
        summary: 'Use the browser WebSocket API: open, send, receive and close.',
      },
      {
        slug: 'lessons/echo-server',
        title: 'Your first server: echo',
        summary: 'Write the receive loop in TypeScript and in Lua for OpenResty.',
      },
      {
        slug: 'lessons/binary-messages',
        title: 'Binary messages',
        summary: 'Send and decode bytes: binaryType, ArrayBuffer and DataView, a small binary format.',
      },
    ],
  },
  {
    title: 'Part 2 — Real-time patterns',
    lessons: [
      { slug: 'lessons/broadcasting', title: 'Broadcasting', summary: 'Send one message to every connected client, safely.' },
      { slug: 'lessons/event-driven', title: 'Event-driven communication', summary: 'Dispatch typed JSON messages to named handlers.' },
      { slug: 'lessons/chat', title: 'A chat room', summary: 'Relay messages with names, presence and escaping.' },
      { slug: 'lessons/live-feeds', title: 'Live data feeds', summary: 'Push data on a timer and cope with slow consumers.' },
      { slug: 'lessons/sequence-diagrams', title: 'Seeing the conversation', summary: 'Read a session as a sequence diagram, live.' },
    ],
  },
  {
    title: 'Part 3 — Production',
    lessons: [
      { slug: 'lessons/connection-health', title: 'Connection health', summary: 'Heartbeats, dead peers, reconnecting with backoff, resuming.' },
      { slug: 'lessons/security', title: 'Security', summary: 'TLS, Origin checks, authentication, limits and escaping.' },
      {
        slug: 'lessons/extensions-and-subprotocols',
        title: 'Extensions and subprotocols',
        summary: 'permessage-deflate and its costs, choosing and versioning a subprotocol.',
      },
      { slug: 'lessons/scaling-out', title: 'Scaling out', summary: 'Workers, cosockets, pub/sub and proxying through nginx.' },
      {
        slug: 'lessons/production',
        title: 'Running it in production',
        summary: 'Proxy timeouts, connection limits, deploys without drops, HTTP/2 and HTTP/3, the alternatives.',
      },
      { slug: 'lessons/pitfalls', title: 'Pitfalls of the naive versions', summary: 'What breaks in production, and the fix.' },
    ],
  },
  {
    title: 'Part 4 — Projects',
    lessons: [
      { slug: 'projects/chat', title: 'Chat with accounts and history', summary: 'Accounts, private messages and history.' },
      { slug: 'projects/dashboard', title: 'A real-time dashboard', summary: 'Live charts fed by the server.' },
      { slug: 'projects/collaborative-editor', title: 'A collaborative editor', summary: 'Two editors kept in sync: why whole documents lose work, OT\'s tie rules, and a CRDT (Yjs).' },
    ],
  },
];
