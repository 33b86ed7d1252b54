// Offer two subprotocols, newest first, then print what the server chose and
// which extensions it agreed to. The diagram's first arrow shows both headers.
const offered = ['chat.v2', 'chat.v1'];
const socket = new WebSocket('ws://localhost:8080/echo', offered);

socket.onopen = () => {
  console.log('offered:', offered.join(', '));
  console.log('protocol chosen:', JSON.stringify(socket.protocol));
  console.log('extensions agreed:', JSON.stringify(socket.extensions));
  socket.close(1000, 'seen enough');
};
socket.onerror = () => console.log('The handshake failed: open the first arrow of the diagram to see why.');
socket.onclose = (event) => console.log(`closed ${event.code}, clean: ${event.wasClean}`);
