// The chat endpoint dispatches JSON commands by their "type". Watch how it
// answers a good command, an unknown type, and something that is not JSON.
const socket = new WebSocket('ws://localhost:8080/chat?name=tester');

socket.onopen = () => {
  socket.send(JSON.stringify({ type: 'message', text: 'a well-formed command' }));
  socket.send(JSON.stringify({ type: 'dance' }));
  socket.send('{ this is not json');
  setTimeout(() => socket.close(1000), 500);
};
socket.onmessage = (event) => {
  const message = JSON.parse(event.data);
  if (message.type === 'error') console.warn(`error ${message.code}: ${message.message}`);
  else console.log(message.type, JSON.stringify(message));
};
