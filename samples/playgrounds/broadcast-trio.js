// alice, bob and carol run this same code on /broadcast.
// Exercise: let each of them say one thing, and print everything that
// arrives, its own line included.
const socket = new WebSocket('ws://localhost:8080/broadcast');

socket.onopen = () => {
  // 1. /broadcast keeps no history, so wait a second for everyone to be
  //    connected, then send `${clientName} says hello` (setTimeout, then socket.send).
};
socket.onmessage = (event) => {
  // 2. Print what arrived: console.log(`received: ${event.data}`).
};

setTimeout(() => socket.close(1000, 'bye'), 2500);
