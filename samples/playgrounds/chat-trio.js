// Three clients run this same code side by side. clientName is "alice",
// "bob" or "carol": the chat endpoint takes it from the URL.
const ws = new WebSocket(`ws://localhost:8080/chat?name=${clientName}`);

// A line reaches only those already in the room, and each client's code starts
// when its sandbox is ready, some sooner than others. So speak once all three
// are in, and leave once the other two have spoken (or after 5 s, whatever
// happened, so the run ends by itself).
const here = new Set();
let spoken = false;
let heard = 0;
const giveUp = setTimeout(() => ws.close(1000, 'Bye'), 5000);
ws.onclose = () => clearTimeout(giveUp);

ws.onmessage = (event) => {
  const message = JSON.parse(event.data);
  if (message.type === 'message') {
    console.log(`${message.from}: ${message.text}`);
    heard += 1;
    if (heard === 2) ws.close(1000, 'Bye');
  } else {
    console.log(`(${message.type})`);
    if (message.type === 'welcome') message.users.forEach((name) => here.add(name));
    if (message.type === 'join') here.add(message.name);
  }
  if (!spoken && ['alice', 'bob', 'carol'].every((name) => here.has(name))) {
    spoken = true;
    ws.send(`Hi, ${clientName} here!`);
  }
};
