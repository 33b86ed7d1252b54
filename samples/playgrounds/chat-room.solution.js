// alice, bob and carol run this same code in the companion server's chat
// room. Each prints what the room tells it: who is here, who joins and
// leaves, and the others' lines. carol's line contains markup: it must
// arrive, and be shown, as plain text.
//
// Each joins under its own name, in the handshake: the URL's query string
// carries clientName ("alice", "bob" or "carol"), and the server puts it in
// the "from" of every line they say.
const lines = {
  alice: 'Hi both!',
  bob: 'Hello alice.',
  carol: '<b>bold?</b> No: just text.',
};
const socket = new WebSocket(`ws://localhost:8080/chat?name=${clientName}`);

// Speak once all three are in the room, leave once the other two have spoken.
const here = new Set();
let spoken = false;
let heard = 0;
const giveUp = setTimeout(() => socket.close(1000, 'bye'), 5000);
socket.onclose = () => clearTimeout(giveUp);

socket.onmessage = (event) => {
  const message = JSON.parse(event.data);
  switch (message.type) {
    case 'welcome':
      console.log(`I am ${message.you}; here: ${message.users.join(', ')}`);
      for (const name of message.users) here.add(name);
      break;
    case 'join':
      console.log(`→ ${message.name} joined`);
      here.add(message.name);
      break;
    case 'leave':
      console.log(`← ${message.name} left`);
      here.delete(message.name);
      break;
    case 'message':
      console.log(`${message.from}: ${message.text}`);
      heard += 1;
      if (heard === 2) socket.close(1000, 'bye');
      break;
    default:
      console.warn(JSON.stringify(message));
  }
  if (!spoken && here.size >= 3) {
    spoken = true;
    socket.send(lines[clientName]);
  }
};
