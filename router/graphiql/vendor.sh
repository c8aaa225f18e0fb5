#!/usr/bin/env bash
# Vendor GraphiQL and React (UMD builds) from the npm registry into this folder, so the router
# serves GraphiQL with no CDN and no internet. Big bundles are stored gzip-compressed (each
# tracked file stays under 2 MB); the router serves them with Content-Encoding: gzip.
# Usage: router/graphiql/vendor.sh   (needs npm; re-run to change versions)
set -euo pipefail
GRAPHIQL=3.8.3
REACT=18.3.1
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" >/dev/null
for f in *.tgz; do mkdir "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done
mkdir -p "$here/assets" "$here/licenses"
gzip -9 -n -c "graphiql-$GRAPHIQL/package/graphiql.min.js" > "$here/assets/graphiql.min.js.gz"
gzip -9 -n -c "graphiql-$GRAPHIQL/package/graphiql.min.css" > "$here/assets/graphiql.min.css.gz"
gzip -9 -n -c "react-$REACT/package/umd/react.production.min.js" > "$here/assets/react.production.min.js.gz"
gzip -9 -n -c "react-dom-$REACT/package/umd/react-dom.production.min.js" \
  > "$here/assets/react-dom.production.min.js.gz"
cp "graphiql-$GRAPHIQL/package/LICENSE" "$here/licenses/graphiql-LICENSE"
cp "react-$REACT/package/LICENSE" "$here/licenses/react-LICENSE"
cp "react-dom-$REACT/package/LICENSE" "$here/licenses/react-dom-LICENSE"
printf 'graphiql %s\nreact %s\nreact-dom %s\n' "$GRAPHIQL" "$REACT" "$REACT" > "$here/VERSIONS"
ls -l "$here/assets"
