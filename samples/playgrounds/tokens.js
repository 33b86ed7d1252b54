// Sign in the way the chat project does: ask for a token over HTTP, then
// join the chat with it. Then try a forged token and see what a browser
// reports when the server refuses the handshake with 401.
const response = await fetch('http://localhost:8080/api/token', {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ name: 'alice' }),
});
const { token, expiresAt } = await response.json();
console.log(`token for alice, valid until ${new Date(expiresAt).toLocaleTimeString()}`);

const good = new WebSocket(`ws://localhost:8080/chat?token=${encodeURIComponent(token)}`);
good.onmessage = (event) => {
  const message = JSON.parse(event.data);
  if (message.type === 'welcome') console.log(`signed in as ${message.you}`);
  good.close(1000);
};

const forged = new WebSocket(`ws://localhost:8080/chat?token=${encodeURIComponent(token.slice(0, -2) + 'xx')}`);
forged.onerror = () => console.log('forged token: error event (the 401 is not visible to this code)');
forged.onclose = (event) => console.log(`forged token: close ${event.code}, wasClean ${event.wasClean}`);
