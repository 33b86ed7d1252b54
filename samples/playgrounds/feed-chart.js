// Subscribe to two topics; the chart below draws every tick this code gets.
// Try subscribing to "fast" (ten ticks a second) while it runs.
const socket = new WebSocket('ws://localhost:8080/feed?topics=server');
let ticks = 0;

socket.onopen = () => {
  console.log('subscribed to server');
  setTimeout(() => {
    socket.send(JSON.stringify({ type: 'subscribe', topics: ['fast'] }));
    console.log('subscribed to fast as well');
  }, 3000);
};
socket.onmessage = (event) => {
  const tick = JSON.parse(event.data);
  if (tick.type === 'tick' && ++ticks % 10 === 0) console.log(`${ticks} ticks so far, last: ${tick.topic} = ${JSON.stringify(tick.value)}`);
};
setTimeout(() => socket.close(1000, 'enough'), 10_000);
