// alice, bob and carol sign in with tokens, read the room's history, and
// talk: alice to the room, bob privately to carol, carol privately to
// someone who is not there. Each Output shows what that person sees.
const response = await fetch('http://localhost:8080/api/token', {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ name: clientName }),
});
if (!response.ok) throw new Error(`no token: HTTP ${response.status}`);
const { token } = await response.json();

const shown = new Set(); // message ids already on screen
const show = (m) => {
  if (shown.has(m.id)) return; // history and live messages can overlap after a reconnect
  shown.add(m.id);
  console.log(`#${m.id} ${m.from}: ${m.text}`);
};

const socket = new WebSocket(`ws://localhost:8080/chat?token=${encodeURIComponent(token)}`);
const here = new Set(); // who is in the room: the welcome's list, then each join and leave
let spoken = false;
const giveUp = setTimeout(() => socket.close(1000, 'bye'), 5000);
socket.onclose = () => clearTimeout(giveUp);

socket.onmessage = (event) => {
  const m = JSON.parse(event.data);
  if (m.type === 'welcome') {
    console.log(`signed in as ${m.you}; here: ${m.users.join(', ')}; ${m.history.length} earlier messages`);
    m.history.forEach(show);
    m.users.forEach((name) => here.add(name));
  } else if (m.type === 'message') show(m);
  else if (m.type === 'private') console.log(`(private) ${m.from}: ${m.text}`);
  else if (m.type === 'join' || m.type === 'leave') {
    console.log(`${m.name} ${m.type === 'join' ? 'joined' : 'left'}`);
    if (m.type === 'join') here.add(m.name);
    else here.delete(m.name);
  } else if (m.type === 'error') console.warn(`error ${m.code}: ${m.message}`);
  // Each client's code starts when its sandbox is ready, some sooner than others: speak once all
  // three are in the room (a private message to someone not yet there is an error), leave a second later.
  if (!spoken && ['alice', 'bob', 'carol'].every((name) => here.has(name))) {
    spoken = true;
    speak();
    setTimeout(() => socket.close(1000, 'bye'), 1000);
  }
};

function speak() {
  if (clientName === 'alice') socket.send(JSON.stringify({ type: 'message', text: 'Hello, room!' }));
  if (clientName === 'bob') socket.send(JSON.stringify({ type: 'private', to: 'carol', text: 'Just between us.' }));
  if (clientName === 'carol') socket.send(JSON.stringify({ type: 'private', to: 'dave', text: 'Are you there?' }));
}
