// alice and bob run this same code on /broadcast. Each waits half a second
// after it connects (time for the other to connect too), says one line and
// prints everything that arrives; it says goodbye once it has heard both
// lines, or after 3 seconds. With the companion started with --redis, each
// line goes through Redis before it comes back.
const socket = new WebSocket('ws://localhost:8080/broadcast');
let heard = 0;

socket.onopen = () => {
  setTimeout(() => socket.send(`${clientName} says hello`), 500);
};
socket.onmessage = (event) => {
  console.log(`received: ${event.data}`);
  heard += 1;
  if (heard === 2) socket.close(1000, 'bye');
};

setTimeout(() => socket.close(1000, 'bye'), 3000);
