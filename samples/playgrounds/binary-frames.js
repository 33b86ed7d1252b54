// A tiny binary format: 1 byte type, 2 bytes payload length (big-endian),
// then the payload. Encode a cursor position, send it to the echo server,
// and decode what comes back.
const CURSOR = 1;

function encodeCursor(x, y, name) {
  const nameBytes = new TextEncoder().encode(name);
  const payloadLength = 4 + nameBytes.length; // x and y take 2 bytes each
  const bytes = new Uint8Array(3 + payloadLength);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, CURSOR);
  view.setUint16(1, payloadLength); // DataView is big-endian unless told otherwise
  view.setUint16(3, x);
  view.setUint16(5, y);
  bytes.set(nameBytes, 7);
  return bytes;
}

function decode(buffer) {
  const view = new DataView(buffer);
  if (view.byteLength < 3) throw new Error(`${view.byteLength} bytes: too short for a header`);
  const type = view.getUint8(0);
  const length = view.getUint16(1);
  if (view.byteLength !== 3 + length) throw new Error(`length says ${length}, payload has ${view.byteLength - 3}`);
  if (type !== CURSOR) return { type };
  return {
    type,
    x: view.getUint16(3),
    y: view.getUint16(5),
    name: new TextDecoder().decode(new Uint8Array(buffer, 7, length - 4)),
  };
}

const hex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');

const socket = new WebSocket('ws://localhost:8080/echo');
socket.binaryType = 'arraybuffer'; // the default, 'blob', takes an await to read

socket.onopen = () => {
  const message = encodeCursor(640, 360, 'ada');
  console.log(`sending ${message.length} bytes: ${hex(message)}`);
  socket.send(message);
};

socket.onmessage = (event) => {
  if (typeof event.data === 'string') {
    console.log('a text message, not ours:', event.data);
    return;
  }
  console.log(`received ${event.data.byteLength} bytes: ${hex(new Uint8Array(event.data))}`);
  console.log('decoded:', JSON.stringify(decode(event.data)));
  socket.close(1000, 'decoded');
};

socket.onclose = (event) => console.log(`closed ${event.code}, clean: ${event.wasClean}`);
