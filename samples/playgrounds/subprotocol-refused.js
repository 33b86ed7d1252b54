// This echo knows two subprotocols (?speaks=chat.v1,chat.v2), like a server that
// has shipped versions 1 and 2 of its protocol. Offer only a name it does not
// know: the server answers 101 with no Sec-WebSocket-Protocol, and the browser
// fails the connection (an error event, then close 1006), because offering a
// subprotocol asks the server to commit to one (RFC 6455 §4.1).
// Then offer the newest name first and an older one after it, as a client that
// must reach servers of several ages does.
const url = 'ws://localhost:8080/echo?speaks=chat.v1,chat.v2';

function offer(names) {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, names);
    socket.onopen = () => {
      console.log(`offered ${names.join(', ')}: open, protocol ${JSON.stringify(socket.protocol)}`);
      socket.close(1000, 'done');
    };
    socket.onerror = () => console.log(`offered ${names.join(', ')}: error event, the server chose none of them`);
    socket.onclose = (event) => {
      console.log(`  closed ${event.code}, clean: ${event.wasClean}`);
      resolve();
    };
  });
}

offer(['chat.v3']).then(() => offer(['chat.v3', 'chat.v2']));
