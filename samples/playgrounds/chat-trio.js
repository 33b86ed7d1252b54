// Three clients run this same code side by side. clientName is "alice",
// "bob" or "carol": the chat endpoint takes it from the URL.
const ws = new WebSocket(`ws://localhost:8080/chat?name=${clientName}`);

ws.onopen = () => {
  // Give the others a moment to join before speaking.
  setTimeout(() => ws.send(`Hi, ${clientName} here!`), 500);
};

ws.onmessage = (event) => {
  const message = JSON.parse(event.data);
  if (message.type === 'message') {
    console.log(`${message.from}: ${message.text}`);
  } else {
    console.log(`(${message.type})`);
  }
};

// Leave after two seconds, so the run ends by itself.
setTimeout(() => ws.close(1000, 'Bye'), 2000);
