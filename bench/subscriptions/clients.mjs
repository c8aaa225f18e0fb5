// N graphql-transport-ws clients (the `ws` package, no compression) subscribing to the same
// operation through the router. Prints `READY <maxSeq>` once every client got an event, then
// reads `GO <firstSeq> <events>` on stdin and prints one JSON summary of delivery latencies.
// usage: node clients.mjs URL N INTERVAL_MS
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

const require = createRequire(new URL('../../tests/router/subscriptions/js/package.json', import.meta.url));
const WebSocket = require('ws');

const [url, n, intervalMs] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const query = `subscription { clock(intervalMs: ${intervalMs}) { seq sentAt } }`;
const now = () => (performance.timeOrigin + performance.now()) / 1000;
let ready = 0, maxSeq = 0, window = null;
const latencies = [];
const perSeq = new Map();
const sockets = [];

function open() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false });
    let first = true;
    ws.on('open', () => ws.send('{"type":"connection_init","payload":{}}'));
    ws.on('error', reject);
    ws.on('message', (data) => {
      const at = now();
      const m = JSON.parse(data);
      if (m.type === 'connection_ack') {
        ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
        resolve(ws);
      } else if (m.type === 'ping') {
        ws.send('{"type":"pong"}');
      } else if (m.type === 'next') {
        const tick = m.payload.data.clock;
        if (first) { first = false; ready++; maxSeq = Math.max(maxSeq, tick.seq); if (ready === n) console.log(`READY ${maxSeq}`); }
        if (window && tick.seq >= window[0] && tick.seq < window[0] + window[1]) {
          latencies.push((at - tick.sentAt) * 1000);
          const s = perSeq.get(tick.seq) || { first: at, last: at, count: 0 };
          s.first = Math.min(s.first, at); s.last = Math.max(s.last, at); s.count++;
          perSeq.set(tick.seq, s);
          if (latencies.length === n * window[1]) finish();
        }
      }
    });
  });
}

function pct(sorted, p) { return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]; }

function finish() {
  const sorted = [...latencies].sort((a, b) => a - b);
  const spreads = [...perSeq.values()].map((s) => (s.last - s.first) * 1000).sort((a, b) => a - b);
  console.log(JSON.stringify({
    subscribers: n, events: window[1], deliveries: latencies.length, expected: n * window[1],
    p50_ms: pct(sorted, 0.5), p90_ms: pct(sorted, 0.9), p99_ms: pct(sorted, 0.99), max_ms: sorted[sorted.length - 1],
    spread_p50_ms: pct(spreads, 0.5), spread_max_ms: spreads[spreads.length - 1],
  }));
  for (const ws of sockets) ws.terminate();
  process.exit(0);
}

for (let i = 0; i < n; i += 100) {  // connect in batches of 100
  const batch = [];
  for (let j = i; j < Math.min(n, i + 100); j++) batch.push(open());
  sockets.push(...(await Promise.all(batch)));
}
createInterface({ input: process.stdin }).on('line', (line) => {
  const [word, start, events] = line.split(' ');
  if (word === 'GO') {
    window = [Number(start), Number(events)];
    setTimeout(finish, 60000);  // report whatever arrived
  }
});
