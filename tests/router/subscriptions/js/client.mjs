// The graphql-ws reference client through the router: node client.mjs URL QUERY COUNT [TOKEN]
// Prints one JSON line per result, then a summary line; exits non-zero on any error.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, query, count, token] = process.argv.slice(2);
const timer = setTimeout(() => { console.error('timed out'); process.exit(2); }, 20000);
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  lazy: false,
  retryAttempts: 0,
  connectionParams: token ? { authorization: `Bearer ${token}` } : {},
});
let received = 0;
try {
  for await (const result of client.iterate({ query })) {
    console.log(JSON.stringify(result));
    if (result.errors) process.exitCode = 1;
    if (++received === Number(count)) break;
  }
} catch (error) {
  console.error('subscription failed', error?.code ?? error, error?.reason ?? '');
  process.exitCode = 1;
}
await client.dispose();
clearTimeout(timer);
console.log(JSON.stringify({ received }));
