// alice and bob both run this. Each sends its edit, not its document, and
// applies every edit (its own included) in the order the server relays them.
const socket = new WebSocket('ws://localhost:8080/broadcast');
let doc = 'Plan:';
let heard = 0; // edits relayed to this client, its own included
// Every edit in the order the server relayed it: the same order for everyone.
const log = [];

// Edit a second after the socket opens, so that the other client has joined by
// then: /broadcast keeps no history, and an edit sent before it joined never reaches it.
socket.onopen = () => {
  setTimeout(() => {
    // Say what changed, and how many relayed edits this copy had seen.
    const edit = { pos: doc.length, text: ` ${clientName} brings snacks.` };
    socket.send(JSON.stringify({ from: clientName, base: log.length, edit }));
  }, 1000);
};

socket.onmessage = (event) => {
  const { base, edit } = JSON.parse(event.data);
  // Edits relayed after `base` were made without knowing this one: move past them.
  let pos = edit.pos;
  for (const earlier of log.slice(base)) {
    if (earlier.pos <= pos) pos += earlier.text.length;
  }
  log.push({ pos, text: edit.text });
  doc = doc.slice(0, pos) + edit.text + doc.slice(pos);
  heard += 1;
  if (heard === 2) finish();
};

// The document is final once both edits have come back: the other's, and this
// client's own (/broadcast relays every message to its sender too). A client
// whose socket opened late can miss an edit sent before it joined, so waiting
// ends after 5 s whatever has arrived.
const giveUp = setTimeout(finish, 5000);
function finish() {
  clearTimeout(giveUp);
  socket.onmessage = null;
  console.log(`document: ${doc}`);
  socket.close(1000, 'done');
}
