// Your own client: three events for your server at LAB_URL, the last of a
// type nobody handles. Each should get an answer.
const socket = new WebSocket(LAB_URL);

socket.addEventListener('open', () => {
  socket.send(JSON.stringify({ type: 'greet', name: 'ada' }));
  socket.send(JSON.stringify({ type: 'add', a: 2, b: 3 }));
  socket.send(JSON.stringify({ type: 'dance' }));
});

let answers = 0;
socket.addEventListener('message', (event) => {
  console.log('answer:', event.data);
  if (++answers === 3) socket.close(1000);
});
const giveUp = setTimeout(() => socket.close(1000), 3000);
socket.addEventListener('close', (event) => {
  clearTimeout(giveUp);
  console.log('closed:', event.code);
});
