// alice, bob and carol run this same code on /broadcast. Each says one
// thing and prints everything that arrives, its own line included.
const socket = new WebSocket('ws://localhost:8080/broadcast');

socket.onopen = () => {
  // /broadcast keeps no history: a client that connects after a line was sent
  // never sees it. The three start a moment apart (more on a busy machine), so
  // wait a second for everyone to be connected, then speak once.
  setTimeout(() => socket.send(`${clientName} says hello`), 1000);
};
socket.onmessage = (event) => console.log(`received: ${event.data}`);

setTimeout(() => socket.close(1000, 'bye'), 2500);
