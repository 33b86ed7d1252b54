// Your own client: a message under your server's limit, then one over it.
// The first should come back; the second should end the connection with 1009.
const socket = new WebSocket(LAB_URL);

socket.addEventListener('open', () => {
  socket.send('x'.repeat(100));
  socket.send('y'.repeat(2000));
});
socket.addEventListener('message', (event) => console.log('echoed', event.data.length, 'bytes'));
const giveUp = setTimeout(() => socket.close(1000), 3000);
socket.addEventListener('close', (event) => {
  clearTimeout(giveUp);
  console.log('closed:', event.code, event.reason);
});
