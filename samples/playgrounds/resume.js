// Follow every topic of the feed, lose the connection on purpose after three
// seconds, and reconnect. Every tick has a sequence number, one more than the
// last the feed produced: with all topics followed, the numbers must run on
// without a gap. This version loses the ticks sent while it was away.
// Make it resume: reconnect with ?since=<the last seq you saw>.
const URL_BASE = 'ws://localhost:8080/feed?topics=acme,globex,initech,server,fast';
let lastSeq = null;
let gaps = 0;

function connect(url) {
  const socket = new WebSocket(url);
  socket.onmessage = (event) => {
    const tick = JSON.parse(event.data);
    if (tick.type !== 'tick') return;
    if (lastSeq !== null && tick.seq !== lastSeq + 1) {
      gaps += 1;
      console.warn(`gap: ${lastSeq} → ${tick.seq}`);
    }
    lastSeq = tick.seq;
  };
  return socket;
}

const first = connect(URL_BASE);
setTimeout(() => {
  first.close(1000, 'simulated drop');
  console.log(`dropped after seq ${lastSeq}`);
  // Reconnect a second later. Change this URL.
  setTimeout(() => {
    const second = connect(URL_BASE);
    setTimeout(() => {
      second.close(1000, 'done');
      console.log(gaps === 0 ? 'no tick lost' : `${gaps} gap(s)`);
    }, 2000);
  }, 1000);
}, 3000);
