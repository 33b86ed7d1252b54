// A live dashboard's client: the latest value of every topic, a summary
// printed at most once every two seconds however fast ticks arrive, and a
// reconnection that resumes from the last tick seen, so nothing is missed.
const TOPICS = ['acme', 'globex', 'initech', 'server'];
const latest = new Map(); // topic → { value, ts }
let lastSeq = null;
let attempt = 0;
let received = 0;
let stopped = false;
let socket;

function connect() {
  const since = lastSeq === null ? '' : `&since=${lastSeq}`;
  socket = new WebSocket(`ws://localhost:8080/feed?topics=${TOPICS.join(',')}${since}`);
  socket.onopen = () => {
    console.log(lastSeq === null ? 'connected' : `resumed after seq ${lastSeq}`);
  };
  socket.onmessage = (event) => {
    const tick = JSON.parse(event.data);
    if (tick.type === 'resumed' && !tick.complete) console.warn('some ticks were lost while away: values may be stale');
    if (tick.type !== 'tick') return;
    // Only data proves the server works: a server that accepts and then fails
    // at once must not reset the backoff.
    attempt = 0;
    if (lastSeq !== null && tick.seq <= lastSeq) console.warn(`duplicate or out of order: ${tick.seq}`);
    lastSeq = tick.seq;
    received += 1;
    latest.set(tick.topic, { value: tick.value, ts: tick.ts });
  };
  socket.onclose = (event) => {
    if (stopped) return;
    // Exponential backoff with full jitter: 0–0.5 s, 0–1 s, 0–2 s … capped at 10 s.
    const delay = Math.random() * Math.min(10_000, 500 * 2 ** attempt++);
    console.log(`closed (${event.code}); reconnecting in ${Math.round(delay)} ms`);
    setTimeout(connect, delay);
  };
}

connect();
// Simulate a dropped connection after four seconds.
setTimeout(() => socket.close(4000, 'simulated drop'), 4000);

// "1 connection", "2 connections": a count reads right only with its noun in the right number.
const counted = (n, noun) => `${n} ${noun}${n === 1 ? '' : 's'}`;

const summary = setInterval(() => {
  const prices = TOPICS.filter((t) => typeof latest.get(t)?.value === 'number').map((t) => `${t} ${latest.get(t).value}`);
  const server = latest.get('server')?.value;
  const load = server ? ` · server: ${counted(server.connections, 'connection')}, ${(server.rssBytes / 2 ** 20).toFixed(0)} MiB` : '';
  console.log(`${counted(received, 'tick')} · ${prices.join(' · ')}${load}`);
}, 2000);

// Stop after twenty seconds so the run ends by itself.
setTimeout(() => {
  stopped = true;
  clearInterval(summary);
  socket.close(1000, 'done');
}, 20_000);
