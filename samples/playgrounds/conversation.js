// A short conversation with the echo server. Every frame below appears in
// the live diagram: change the messages, their sizes or the close code, run
// again, and compare.
const socket = new WebSocket('ws://localhost:8080/echo');

socket.onopen = () => {
  socket.send('Hello, server!');
  socket.send('a'.repeat(200)); // over 125 bytes: the 16-bit length form
  socket.send(new Uint8Array([0xde, 0xad, 0xbe, 0xef])); // a binary frame
};

let echoes = 0;
socket.onmessage = (event) => {
  echoes += 1;
  console.log(`echo ${echoes}:`, typeof event.data === 'string' ? event.data.slice(0, 40) : 'binary');
  if (echoes === 3) socket.close(1000, 'thanks');
};
socket.onclose = (event) => console.log(`closed ${event.code} ${event.reason}, clean: ${event.wasClean}`);
