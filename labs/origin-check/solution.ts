// Origin check: a browser page sends its Origin with the handshake. Refuse one
// that is present and not on the allowlist with 403, before the upgrade;
// scripts without an Origin, and the allowed pages, get their echo.
import { WebSocketServer } from 'ws';

const ALLOWED_ORIGINS = new Set(['http://localhost:8080', 'https://chat.example.com']);

const wss = new WebSocketServer({
  port: Number(process.env.PORT),
  maxPayload: 4096,
  // The callback form lets you choose the status; returning false would answer 401.
  verifyClient: ({ origin }: { origin: string | undefined }, done: (ok: boolean, status?: number) => void) => {
    // The whole origin, compared exactly: "http://localhost:8080.evil.test" starts like an allowed one.
    if (origin !== undefined && !ALLOWED_ORIGINS.has(origin)) {
      console.warn('refused a handshake from', origin);
      return done(false, 403);
    }
    done(true);
  },
});

wss.on('connection', (socket) => {
  socket.on('error', (error) => console.error('socket error:', error.message));
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
});
