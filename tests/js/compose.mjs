// Compose subgraphs with The Guild's federation-composition (the cross-check oracle).
// stdin:  JSON [{"name": "...", "url": "...", "sdl": "..."}, ...]
// stdout: JSON {"supergraphSdl": "..."} or {"errors": [{"message": "...", "code": "..."}]}
// With --serve: one JSON request per stdin line, one JSON answer per stdout line.
import { createInterface } from "node:readline";
import { parse } from "graphql";
import { composeServices, compositionHasErrors } from "@theguild/federation-composition";

function parseSubgraph(s) {
  try {
    return { name: s.name, url: s.url, typeDefs: parse(s.sdl) };
  } catch (err) {
    throw Object.assign(new Error(`[${s.name}] ${err.message}`), { code: "INVALID_GRAPHQL" });
  }
}

function compose(subgraphs) {
  try {
    const result = composeServices(subgraphs.map(parseSubgraph));
    if (compositionHasErrors(result)) {
      return {
        errors: result.errors.map((e) => ({
          message: e.message,
          code: e.extensions?.code ?? null,
        })),
      };
    }
    return { supergraphSdl: result.supergraphSdl };
  } catch (err) {
    return { errors: [{ message: String(err?.message ?? err), code: err?.code ?? "EXCEPTION" }] };
  }
}

if (process.argv.includes("--serve")) {
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim()) process.stdout.write(JSON.stringify(compose(JSON.parse(line))) + "\n");
  }
} else {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  process.stdout.write(JSON.stringify(compose(JSON.parse(Buffer.concat(chunks).toString("utf8")))));
}
