// Two versions of one protocol, and compression, negotiated at the handshake.
// chat.v1 speaks plain text; chat.v2 speaks JSON envelopes.
import { WebSocketServer } from 'ws';

const port = Number(process.env.PORT ?? 8080);
// Newest first: a client that offers both gets chat.v2.
const SUPPORTED = ['chat.v2', 'chat.v1'];

const wss = new WebSocketServer({
  port,
  maxPayload: 64 * 1024,
  // Called only when the client offered subprotocols. Return one of those
  // offered, or false for none, which makes a browser fail the connection.
  handleProtocols: (offered) => SUPPORTED.find((name) => offered.has(name)) ?? false,
  // Off by default in a ws server. Each connection that uses it keeps zlib
  // state: these settings trade ratio for memory and CPU.
  perMessageDeflate: {
    // Forget the history after each message: a secret in one message cannot
    // be guessed through the size of the next. It also makes threshold apply.
    serverNoContextTakeover: true,
    threshold: 1024, // below this many bytes, send uncompressed
    zlibDeflateOptions: { level: 3, memLevel: 7 },
    concurrencyLimit: 10, // zlib jobs at once, for the whole process
  },
});

wss.on('connection', (socket) => {
  if (socket.protocol === '') {
    // No offer at all: the close reason reaches the client, a refused
    // handshake's status would not.
    socket.close(1008, 'offer chat.v2 or chat.v1');
    return;
  }
  socket.on('message', (data, isBinary) => {
    if (isBinary) {
      socket.close(1003, 'text only');
      return;
    }
    const text = data.toString();
    if (socket.protocol === 'chat.v1') socket.send(`echo: ${text}`);
    else socket.send(JSON.stringify({ type: 'echo', text }));
  });
  socket.on('error', (error) => console.error(`error: ${error.message}`));
});

wss.on('listening', () => console.log(`versioned server on ws://localhost:${port}`));
