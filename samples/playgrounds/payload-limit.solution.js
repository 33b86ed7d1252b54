// The echo server accepts messages up to 64 KiB. Send one that is larger,
// and print the close code the server answers with.
const socket = new WebSocket('ws://localhost:8080/echo');

socket.onopen = () => {
  const message = 'x'.repeat(64 * 1024 + 1); // one byte over the limit
  socket.send(message);
};
socket.onmessage = (event) => {
  console.log(`echo of ${event.data.length} characters`);
  socket.close(1000, 'done');
};
socket.onclose = (event) => {
  console.log('close code', event.code, event.reason); // 1009: message too big
};
