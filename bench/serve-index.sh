#!/usr/bin/env bash
# serve-index.sh SITE [RUNS] → how long `clausebook serve` takes to make SITE's search index at
# start, and again after an edit to one clause's summary, RUNS times (default 3): the server's
# own "Search index made in …" lines, which say how many of the index's shards were made again.
# Uses the release build; the edit is undone before the script ends.
set -euo pipefail
site=${1:?usage: serve-index.sh SITE [RUNS]}
runs=${2:-3}
cd "$(dirname "$0")/.."
cargo build --release --quiet
clause=$(find "$site/content/platforms" -path '*/clauses/*.yaml' | sort | sed -n 1p)
[[ -n $clause ]] || { echo "serve-index.sh: no clause under $site/content/platforms" >&2; exit 1; }
grep -q '^summary: ' "$clause" || { echo "serve-index.sh: $clause has no summary line" >&2; exit 1; }
log=$(mktemp) saved=$(mktemp)
cp "$clause" "$saved"
pid=""
trap 'cp "$saved" "$clause"; [[ -n $pid ]] && kill $pid 2>/dev/null; rm -f "$log" "$saved"' EXIT
# indexed N → waits until the server has printed N "Search index made" lines
indexed() {
  while (($(grep -c 'Search index made' "$log") < $1)); do
    kill -0 $pid 2>/dev/null || { echo "serve-index.sh: the server stopped: $(tail -3 "$log")" >&2; exit 1; }
    sleep 0.2
  done
}
for run in $(seq "$runs"); do
  target/release/clausebook serve --root "$site" --port 0 >"$log" 2>&1 &
  pid=$!
  indexed 1
  sed -i '0,/^summary: /s//summary: Edited. /' "$clause"
  indexed 2
  echo "run $run: $(grep -E 'Search index made' "$log" | paste -sd';' | sed 's/;/; then, after an edit: /')"
  kill $pid
  wait $pid 2>/dev/null || true
  pid=""
  cp "$saved" "$clause"
done
