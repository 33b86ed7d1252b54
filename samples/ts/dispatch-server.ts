// Typed JSON envelopes: every message is { type, ... }, and a table maps
// each type to its handler. Bad JSON and unknown types get an error reply.
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';

const envelope = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ping'), id: z.number() }),
  z.object({ type: z.literal('add'), a: z.number(), b: z.number() }),
  z.object({ type: z.literal('shout'), text: z.string().max(200) }),
]);
type Envelope = z.infer<typeof envelope>;
type Handlers = { [T in Envelope['type']]: (socket: WebSocket, msg: Extract<Envelope, { type: T }>) => void };

const reply = (socket: WebSocket, message: object): void => socket.send(JSON.stringify(message));

const handlers: Handlers = {
  ping: (socket, msg) => reply(socket, { type: 'pong', id: msg.id }),
  add: (socket, msg) => reply(socket, { type: 'sum', value: msg.a + msg.b }),
  shout: (socket, msg) => reply(socket, { type: 'shouted', text: msg.text.toUpperCase() }),
};

const port = Number(process.env.PORT ?? 8080);
const wss = new WebSocketServer({ port });

wss.on('connection', (socket) => {
  socket.on('message', (data) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString());
    } catch {
      return reply(socket, { type: 'error', code: 'bad_json', message: 'message is not valid JSON' });
    }
    const result = envelope.safeParse(parsed);
    if (!result.success) {
      const type = (parsed as { type?: unknown } | null)?.type;
      const known = typeof type === 'string' && type in handlers;
      return reply(socket, {
        type: 'error',
        code: known ? 'bad_message' : 'unknown_type',
        message: known ? `invalid "${type}" message` : `no handler for type ${JSON.stringify(type)}`,
      });
    }
    const msg = result.data;
    (handlers[msg.type] as (s: WebSocket, m: Envelope) => void)(socket, msg);
  });
});

wss.on('listening', () => console.log(`dispatch server on ws://localhost:${port}`));
