// A live dashboard's client: the latest value of every topic, a summary
// printed at most once every two seconds however fast ticks arrive, and a
// reconnection that resumes from the last tick seen, so nothing is missed.
const TOPICS = ['server', 'fast'];
const latest = new Map(); // topic → { value, ts }
let lastSeq = null;
let attempt = 0;
let received = 0;

function connect() {
  const since = lastSeq === null ? '' : `&since=${lastSeq}`;
  const socket = new WebSocket(`ws://localhost:8080/feed?topics=${TOPICS.join(',')}${since}`);
  socket.onopen = () => {
    attempt = 0;
    console.log(lastSeq === null ? 'connected' : `resumed after seq ${lastSeq}`);
  };
  socket.onmessage = (event) => {
    const tick = JSON.parse(event.data);
    if (tick.type !== 'tick') return;
    if (lastSeq !== null && tick.seq <= lastSeq) console.warn(`duplicate or out of order: ${tick.seq}`);
    lastSeq = tick.seq;
    received += 1;
    latest.set(tick.topic, { value: tick.value, ts: tick.ts });
  };
  socket.onclose = (event) => {
    // Exponential backoff with full jitter: 0–0.5 s, 0–1 s, 0–2 s … capped at 10 s.
    const delay = Math.random() * Math.min(10_000, 500 * 2 ** attempt++);
    console.log(`closed (${event.code}); reconnecting in ${Math.round(delay)} ms`);
    setTimeout(connect, delay);
  };
  return socket;
}

const first = connect();
// Simulate a dropped connection after five seconds.
setTimeout(() => first.close(4000, 'simulated drop'), 5000);

setInterval(() => {
  const rows = [...latest].map(([topic, { value }]) => `${topic}=${JSON.stringify(value)}`);
  console.log(`${received} ticks · ${rows.join(' · ')}`);
}, 2000);
