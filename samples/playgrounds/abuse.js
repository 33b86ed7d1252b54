// The naive server trusts its clients; the companion server does not. Send
// it what the pitfalls lesson lists and watch each answer: an error reply,
// not a crash, and a close code when the abuse goes on.
const socket = new WebSocket('ws://localhost:8080/chat?name=mallory');

socket.onopen = () => {
  socket.send('{ not json');                                  // → bad_json
  socket.send(JSON.stringify({ type: 'shout', text: 'hi' }));  // → unknown_type
  socket.send(JSON.stringify({ type: 'private', to: 'nobody', text: 'psst' })); // → unknown_user
  for (let i = 0; i < 100; i++) socket.send(`flood ${i}`);     // → rate_limited, then 1008
};
let limited = 0;
socket.onmessage = (event) => {
  const message = JSON.parse(event.data);
  if (message.type !== 'error') return;
  if (message.code === 'rate_limited') limited += 1; // one per dropped message: count them
  else console.warn(`${message.code}: ${message.message}`);
};
socket.onclose = (event) => {
  console.warn(`rate_limited: ${limited} ${limited === 1 ? 'message' : 'messages'} dropped`);
  console.log(`closed: ${event.code} ${event.reason}`);
};
