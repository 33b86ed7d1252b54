// Three people in the companion server's chat room. Each prints what the
// room tells it: who is here, who joins and leaves, and the others' lines.
// carol's line contains markup: it must arrive, and be shown, as plain text.
const lines = {
  alice: 'Hi both!',
  bob: 'Hello alice.',
  carol: '<b>bold?</b> No: just text.',
};
const socket = new WebSocket(`ws://localhost:8080/chat?name=${clientName}`);

socket.onmessage = (event) => {
  const message = JSON.parse(event.data);
  switch (message.type) {
    case 'welcome':
      console.log(`I am ${message.you}; here: ${message.users.join(', ')}`);
      break;
    case 'join':
      console.log(`→ ${message.name} joined`);
      break;
    case 'leave':
      console.log(`← ${message.name} left`);
      break;
    case 'message':
      console.log(`${message.from}: ${message.text}`);
      break;
    default:
      console.warn(JSON.stringify(message));
  }
};
socket.onopen = () => setTimeout(() => socket.send(lines[clientName]), 600);
setTimeout(() => socket.close(1000, 'bye'), 1500);
