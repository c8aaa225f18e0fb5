// Compose subgraphs with The Guild's federation-composition (the cross-check oracle).
// stdin:  JSON [{"name": "...", "url": "...", "sdl": "..."}, ...]
// stdout: JSON {"supergraphSdl": "..."} or {"errors": [{"message": "...", "code": "..."}]}
import { parse } from "graphql";
import { composeServices, compositionHasErrors } from "@theguild/federation-composition";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const subgraphs = JSON.parse(Buffer.concat(chunks).toString("utf8"));

function parseSubgraph(s) {
  try {
    return { name: s.name, url: s.url, typeDefs: parse(s.sdl) };
  } catch (err) {
    throw Object.assign(new Error(`[${s.name}] ${err.message}`), { code: "INVALID_GRAPHQL" });
  }
}

let output;
try {
  const result = composeServices(subgraphs.map(parseSubgraph));
  if (compositionHasErrors(result)) {
    output = {
      errors: result.errors.map((e) => ({
        message: e.message,
        code: e.extensions?.code ?? null,
      })),
    };
  } else {
    output = { supergraphSdl: result.supergraphSdl };
  }
} catch (err) {
  output = { errors: [{ message: String(err?.message ?? err), code: err?.code ?? "EXCEPTION" }] };
}
process.stdout.write(JSON.stringify(output));
