// Your own client: a browser always sends its page's Origin, and page code
// cannot change it. Does your server at LAB_URL let this page in?
console.log("this page's origin:", location.origin);
const socket = new WebSocket(LAB_URL);

socket.addEventListener('open', () => socket.send('hello'));
socket.addEventListener('message', (event) => {
  console.log('let in; echoed:', event.data);
  socket.close(1000);
});
// A refused handshake (403) is only an error and a close 1006 to page code: the status is not shown to it.
socket.addEventListener('error', () => console.log('refused (or unreachable): see the diagram for the handshake'));
socket.addEventListener('close', (event) => console.log('closed:', event.code));
