// alice, bob and carol run this same code on /broadcast. Each says one
// thing and prints everything that arrives, its own line included.
const socket = new WebSocket('ws://localhost:8080/broadcast');

socket.onopen = () => {
  // Wait until everyone is connected, then speak once.
  setTimeout(() => socket.send(`${clientName} says hello`), 500);
};
socket.onmessage = (event) => console.log(`received: ${event.data}`);

setTimeout(() => socket.close(1000, 'bye'), 1500);
