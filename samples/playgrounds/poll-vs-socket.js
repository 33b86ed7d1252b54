// The same job done twice for five seconds: keep up with the server's
// figures. Polling asks over and over; the socket asks once and listens.
const SECONDS = 5;
const polled = { requests: 0, bodyBytes: 0 };
const pushed = { handshakes: 0, messages: 0, bytes: 0 };

async function poll() {
  const end = Date.now() + SECONDS * 1000;
  while (Date.now() < end) {
    const response = await fetch('http://localhost:8080/health');
    polled.requests += 1;
    polled.bodyBytes += (await response.text()).length;
    await new Promise((resolve) => setTimeout(resolve, 250)); // four times a second
  }
}

function listen() {
  return new Promise((resolve) => {
    const socket = new WebSocket('ws://localhost:8080/feed?topics=server');
    socket.onopen = () => (pushed.handshakes += 1);
    socket.onmessage = (event) => {
      pushed.messages += 1;
      pushed.bytes += event.data.length;
    };
    setTimeout(() => {
      socket.close(1000, 'done');
      resolve();
    }, SECONDS * 1000);
  });
}

Promise.all([poll(), listen()]).then(() => {
  console.log(`polling: ${polled.requests} HTTP requests, ${polled.bodyBytes} bytes of bodies`);
  console.log('         (each request and response also carried a full set of headers)');
  console.log(`socket:  ${pushed.handshakes} handshake, ${pushed.messages} messages, ${pushed.bytes} bytes`);
});
