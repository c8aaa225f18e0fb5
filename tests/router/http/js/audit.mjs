// usage: node audit.mjs URL  -> prints one JSON line: {"ok": n, "warn": [...], "error": [...]}
import { auditServer } from 'graphql-http';

const results = await auditServer({ url: process.argv[2] });
const pick = (status) => results.filter((r) => r.status === status).map((r) => ({ id: r.id, name: r.name, reason: r.reason }));
console.log(JSON.stringify({ ok: pick('ok').length, warn: pick('warn'), notice: pick('notice').length, error: pick('error') }));
