// Subscribe to the three simulated prices; the chart below draws every tick
// this code receives. After five seconds, drop one topic and watch its line stop.
const socket = new WebSocket('ws://localhost:8080/feed?topics=acme,globex,initech');
let ticks = 0;

socket.onmessage = (event) => {
  const tick = JSON.parse(event.data);
  if (tick.type !== 'tick') return console.log(JSON.stringify(tick));
  ticks += 1;
  if (ticks % 6 === 0) console.log(`${ticks} ticks; latest ${tick.topic} = ${tick.value}`);
};
setTimeout(() => {
  socket.send(JSON.stringify({ type: 'unsubscribe', topics: ['initech'] }));
  console.log('unsubscribed from initech');
}, 5000);
setTimeout(() => socket.close(1000, 'enough'), 12_000);
