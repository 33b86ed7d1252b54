// Your own client: it connects to your server at LAB_URL and stays quiet.
// A browser answers every ping with a pong by itself (page code never sees
// pings), so the live diagram shows your heartbeat and the browser's pongs.
const socket = new WebSocket(LAB_URL);

socket.addEventListener('open', () => console.log('connected; waiting 5 s'));
socket.addEventListener('close', (event) => console.log('closed:', event.code, event.reason));
setTimeout(() => {
  console.log('still connected after 5 s:', socket.readyState === WebSocket.OPEN);
  socket.close(1000);
}, 5000);
