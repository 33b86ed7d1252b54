// Every connection lives in the companion server's one process, so one
// process knows them all. Open five sockets and ask the server what it sees.
const sockets = [];
for (let i = 0; i < 5; i++) {
  sockets.push(new WebSocket('ws://localhost:8080/broadcast'));
}
await Promise.all(sockets.map((s) => new Promise((resolve) => (s.onopen = resolve))));

const health = await (await fetch('http://localhost:8080/health')).json();
console.log('the server counts, per endpoint:', JSON.stringify(health.connections));

// One message to /broadcast reaches all five, because they share a process.
let delivered = 0;
let waiting;
const allFive = new Promise((resolve) => {
  for (const s of sockets) {
    s.onmessage = () => {
      delivered += 1;
      if (delivered === sockets.length) resolve();
    };
  }
});
sockets[0].send('to everyone in this process');
// All five copies, or as many as came within 2 s.
await Promise.race([allFive, new Promise((resolve) => (waiting = setTimeout(resolve, 2000)))]);
clearTimeout(waiting);
console.log(`delivered ${delivered} times`);
for (const s of sockets) s.close(1000);
