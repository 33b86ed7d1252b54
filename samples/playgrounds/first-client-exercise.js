// Exercise: greet the echo server in your own words, print what comes back,
// then close the connection yourself with the normal close code.
const ws = new WebSocket('ws://localhost:8080');

ws.addEventListener('open', () => {
  // 1. Send a greeting of your own.
});

ws.addEventListener('message', (event) => {
  // 2. Print the echo with console.log.
  // 3. Close the connection with code 1000 and a short reason.
});

ws.addEventListener('close', (event) => {
  console.log('Closed:', event.code, event.reason, 'wasClean =', event.wasClean);
});
