// Five clients lose their connection at the same moment, as they would in a
// deploy. Each waits a random time below a ceiling before reconnecting ("full
// jitter"), so they come back spread out instead of all in the same instant.
const CLIENTS = 5;
const CEILING_MS = 2000; // the first retry lands anywhere in 0-2 s
const start = Date.now();
const at = () => `${String(Date.now() - start).padStart(5)} ms`;

let open = 0;
const sockets = [];

function connect(name, attempt) {
  const socket = new WebSocket('ws://localhost:8080/echo');
  socket.onopen = () => {
    console.log(`${at()}  ${name} connected (attempt ${attempt})`);
    if (attempt === 0) {
      sockets.push(socket);
      open += 1;
      // Everyone is in: now the "deploy" drops them all at once.
      if (open === CLIENTS) for (const s of sockets) s.close(1000, 'pretend 1012: service restart');
    } else {
      socket.close(1000, 'done');
    }
  };
  socket.onclose = (event) => {
    if (attempt > 0) return;
    const delay = Math.floor(Math.random() * CEILING_MS);
    console.log(`${at()}  ${name} dropped (${event.reason}); retrying in ${delay} ms`);
    setTimeout(() => connect(name, attempt + 1), delay);
  };
}

for (let i = 1; i <= CLIENTS; i += 1) connect(`client ${i}`, 0);
