// Exercise: greet the echo server in your own words, print what comes back,
// then close the connection yourself with the normal close code.
const ws = new WebSocket('ws://localhost:8080');

ws.addEventListener('open', () => {
  ws.send('Hi, I am Ada and this is my first WebSocket client.');
});

ws.addEventListener('message', (event) => {
  console.log('The server sent back:', event.data);
  ws.close(1000, 'Thanks, bye');
});

ws.addEventListener('close', (event) => {
  console.log('Closed:', event.code, event.reason, 'wasClean =', event.wasClean);
});
