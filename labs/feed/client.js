// Your own client: it listens to your feed at LAB_URL for three ticks,
// then leaves (your server's log should say its feed stopped).
const socket = new WebSocket(LAB_URL);

let ticks = 0;
socket.addEventListener('message', (event) => {
  console.log('tick:', event.data);
  if (++ticks === 3) socket.close(1000);
});
const giveUp = setTimeout(() => socket.close(1000), 6000);
socket.addEventListener('close', (event) => {
  clearTimeout(giveUp);
  console.log('closed:', event.code);
});
