// Your own client: two connections, like two browser tabs, to your server
// at LAB_URL. With a broadcast to all, each should hear what "left" says.
const left = new WebSocket(LAB_URL);
const right = new WebSocket(LAB_URL);

for (const [name, socket] of [['left', left], ['right', right]]) {
  socket.addEventListener('message', (event) => console.log(`${name} heard:`, event.data));
  socket.addEventListener('close', (event) => console.log(`${name} closed:`, event.code));
}

// Both open before anyone speaks.
await Promise.all([left, right].map((socket) => new Promise((resolve) => socket.addEventListener('open', resolve))));
left.send('hi all');

setTimeout(() => {
  left.close(1000);
  right.close(1000);
}, 2000);
