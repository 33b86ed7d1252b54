// Your own client: it runs in this page, against your server at LAB_URL.
// Its lines go to the Output, its frames to the live diagram. The check
// does not use it: it is yours to explore with.
const socket = new WebSocket(LAB_URL);
socket.binaryType = 'arraybuffer';

socket.addEventListener('open', () => {
  socket.send('hello');
  socket.send(new Uint8Array([1, 2, 3]));
});

let replies = 0;
socket.addEventListener('message', (event) => {
  const what = typeof event.data === 'string' ? event.data : `${event.data.byteLength} bytes (binary)`;
  console.log('echoed:', what);
  if (++replies === 2) socket.close(1000, 'done');
});

// A server that does not echo yet would keep this client waiting: give up after 3 s.
const giveUp = setTimeout(() => socket.close(1000, 'no echo'), 3000);
socket.addEventListener('close', (event) => {
  clearTimeout(giveUp);
  console.log('closed:', event.code);
});
