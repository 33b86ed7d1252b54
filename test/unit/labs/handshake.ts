/** The request headers of a lab client's opening handshake (RFC 6455's sample key), as the Lua VM tests send them. */
export const HANDSHAKE: [string, string][] = [
  ['Host', '127.0.0.1:8080'],
  ['Upgrade', 'websocket'],
  ['Connection', 'Upgrade'],
  ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
  ['Sec-WebSocket-Version', '13'],
];
