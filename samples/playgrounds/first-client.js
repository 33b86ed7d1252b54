// Connect to the course's echo server.
const ws = new WebSocket('ws://localhost:8080');

ws.onopen = () => {
  console.log('Connected. readyState =', ws.readyState);
  ws.send('Hello, server!');
};

ws.onmessage = (event) => {
  console.log('Echo:', event.data);
  ws.close(1000, 'Done');
};

ws.onclose = (event) => {
  console.log('Closed:', event.code, event.reason, 'wasClean =', event.wasClean);
};

ws.onerror = () => {
  console.error('The connection failed. Is the companion server running?');
};
