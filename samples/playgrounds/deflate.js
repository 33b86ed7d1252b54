// With ?deflate the echo agrees to permessage-deflate (RFC 7692) when the browser
// offers it, which every browser does. Open the diagram's rows: each compressed
// frame has RSV1 set and shows the message's size and the smaller size sent.
// The browser compresses everything it sends; a ws server (like this one) only
// messages of at least 1024 bytes, its default threshold, since compressing a
// few bytes costs CPU and saves nothing.
const socket = new WebSocket('ws://localhost:8080/echo?deflate');
const prices = Array.from({ length: 30 }, (_, seq) => ({ topic: 'acme', seq, price: 101.25 }));

socket.onopen = () => {
  console.log('extensions agreed:', socket.extensions);
  socket.send('hello');
  socket.send(JSON.stringify(prices));
};
let echoes = 0;
socket.onmessage = (event) => {
  echoes += 1;
  console.log(`echo ${echoes}: ${event.data.length} characters`);
  if (echoes === 2) socket.close(1000, 'done');
};
socket.onclose = (event) => console.log(`closed ${event.code}, clean: ${event.wasClean}`);
