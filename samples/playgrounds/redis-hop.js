// alice and bob run this same code on /broadcast. Each says one line once
// both are connected and prints everything that arrives. With the companion
// started with --redis, each line goes through Redis before it comes back.
const socket = new WebSocket('ws://localhost:8080/broadcast');

socket.onopen = () => {
  setTimeout(() => socket.send(`${clientName} says hello`), 500);
};
socket.onmessage = (event) => console.log(`received: ${event.data}`);

setTimeout(() => socket.close(1000, 'bye'), 1500);
