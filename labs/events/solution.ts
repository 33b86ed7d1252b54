// Event-driven dispatch: each JSON message { type, … } goes to the handler
// registered for its type; a type nobody handles is answered with an error.
import { EventEmitter } from 'node:events';
import { WebSocketServer, type WebSocket } from 'ws';

interface Event {
  type: string;
  [key: string]: unknown;
}

type Reply = (message: object) => void;

const events = new EventEmitter<Record<string, [Event, Reply]>>();

events.on('greet', (event, reply) => reply({ type: 'greeting', text: `hello, ${String(event['name'])}` }));
events.on('add', (event, reply) => reply({ type: 'sum', value: Number(event['a']) + Number(event['b']) }));

const wss = new WebSocketServer({ port: Number(process.env.PORT), maxPayload: 65535 });

wss.on('connection', (socket: WebSocket) => {
  socket.on('error', (error) => console.error('socket error:', error.message));
  const reply: Reply = (message) => socket.send(JSON.stringify(message));

  socket.on('message', (data) => {
    let event: Event;
    try {
      event = JSON.parse(data.toString()) as Event;
      if (typeof event?.type !== 'string') throw new Error('no type');
    } catch {
      reply({ type: 'error', message: 'expected JSON like {"type":"greet","name":"ada"}' });
      return;
    }
    // emit() returns false when no listener took the event.
    if (!events.emit(event.type, event, reply)) reply({ type: 'error', message: `unknown event type: ${event.type}` });
  });
});
