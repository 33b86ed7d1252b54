import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ENDPOINTS, INSPECT_TAG_PARAM } from '../../protocol/endpoints.ts';

/**
 * STAND-IN, DELETE WHEN THE REAL SERVER LANDS (issue 3). This branch's
 * server/app.ts has no WebSocket endpoints yet, so the playground e2e tests
 * attach this small imitation of echo and chat to the harness's HTTP server.
 * It steps aside by itself when the server already handles upgrades.
 * Behaviour copied from the contract: / and /echo echo byte for byte;
 * /chat?name=x sends a welcome, tells the others about joins and leaves, and
 * relays each text to everyone but its sender as {"type":"message",...}.
 */
export function attachStandInEndpoints(http: Server): () => void {
  if (http.listenerCount('upgrade') > 0) return () => {};
  const wss = new WebSocketServer({ noServer: true });
  const chat = new Map<WebSocket, string>();
  const others = (self: WebSocket): WebSocket[] => [...chat.keys()].filter((peer) => peer !== self);
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    url.searchParams.delete(INSPECT_TAG_PARAM);
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (url.pathname === ENDPOINTS.root || url.pathname === ENDPOINTS.echo) {
        ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      } else if (url.pathname === ENDPOINTS.chat) {
        const name = url.searchParams.get('name') ?? 'anonymous';
        ws.send(JSON.stringify({ type: 'welcome', name, users: [...chat.values()] }));
        for (const peer of others(ws)) peer.send(JSON.stringify({ type: 'join', name }));
        chat.set(ws, name);
        ws.on('message', (data) => {
          const message = JSON.stringify({ type: 'message', from: name, text: data.toString() });
          for (const peer of others(ws)) peer.send(message);
        });
        ws.on('close', () => {
          chat.delete(ws);
          for (const peer of others(ws)) peer.send(JSON.stringify({ type: 'leave', name }));
        });
      } else {
        ws.close(1008, 'no such endpoint in the stand-in');
      }
    });
  };
  http.on('upgrade', onUpgrade);
  return () => {
    http.off('upgrade', onUpgrade);
    for (const client of wss.clients) client.terminate();
    wss.close();
  };
}
