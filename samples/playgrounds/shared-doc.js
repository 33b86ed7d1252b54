// alice and bob both run this. At the same moment, each adds a sentence to a
// shared plan and sends the whole document so that the other can catch up.
const socket = new WebSocket('ws://localhost:8080/broadcast');
let doc = 'Plan:';

socket.onopen = () => {
  setTimeout(() => {
    doc += ` ${clientName} brings snacks.`; // the local edit
    socket.send(JSON.stringify({ from: clientName, doc }));
  }, 500);
};

socket.onmessage = (event) => {
  const message = JSON.parse(event.data);
  // Take the other's copy: whoever arrives last wins.
  if (message.from !== clientName) doc = message.doc;
};

setTimeout(() => {
  console.log(`document: ${doc}`);
  socket.close(1000, 'done');
}, 1500);
