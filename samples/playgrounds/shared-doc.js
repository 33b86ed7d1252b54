// alice and bob both run this. At the same moment, each adds a sentence to a
// shared plan and sends the whole document so that the other can catch up.
const socket = new WebSocket('ws://localhost:8080/broadcast');
let doc = 'Plan:';
let heard = 0; // copies relayed to this client, its own included

// Edit a second after the socket opens, so that the other client has joined by
// then: /broadcast keeps no history, and an edit sent before it joined never reaches it.
socket.onopen = () => {
  setTimeout(() => {
    doc += ` ${clientName} brings snacks.`; // the local edit
    socket.send(JSON.stringify({ from: clientName, doc }));
  }, 1000);
};

socket.onmessage = (event) => {
  const message = JSON.parse(event.data);
  // Take the other's copy: whoever arrives last wins.
  if (message.from !== clientName) doc = message.doc;
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
