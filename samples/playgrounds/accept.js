// Sec-WebSocket-Accept by hand: base64(SHA-1(key + the fixed GUID)).
// RFC 6455's own example: this key must give s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

async function accept(key) {
  const bytes = new TextEncoder().encode(key + GUID);
  const digest = await crypto.subtle.digest('SHA-1', bytes);
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

accept('dGhlIHNhbXBsZSBub25jZQ==').then((value) => console.log('accept:', value));

// Now a real handshake: open the live diagram below and compare the key
// your browser sent with the accept value the server answered.
const socket = new WebSocket('ws://localhost:8080/echo');
socket.onopen = () => socket.send('Hello, server!');
socket.onmessage = (event) => {
  console.log('echo:', event.data);
  socket.close(1000, 'done');
};
socket.onclose = (event) => console.log('closed with', event.code, event.reason);
