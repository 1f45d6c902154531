#!/usr/bin/env bash
# serve-memory.sh SITE [SECONDS] → the memory `clausebook serve` holds on SITE (the archive, at
# whole-archive scale), sampled every 5 s: its largest resident set so far (VmHWM) and what it
# holds now (VmRSS), until SECONDS after the search index is made (default 30), then stopped.
# Uses the release build; the on-disk cache is whatever SITE has (remove it for a cold start).
set -euo pipefail
site=${1:?usage: serve-memory.sh SITE [SECONDS]}
after=${2:-30}
cd "$(dirname "$0")/.."
cargo build --release --quiet
log=$(mktemp)
target/release/clausebook serve --root "$site" --port 0 >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$log"' EXIT
start=$SECONDS indexed=""
while kill -0 $pid 2>/dev/null; do
  sleep 5
  echo "$((SECONDS - start)) s: $(grep -E 'VmHWM|VmRSS' /proc/$pid/status | tr -s ' \t' ' ' | paste -sd' ')"
  if [[ -z $indexed ]] && grep -q 'Search index made' "$log"; then indexed=$SECONDS; fi
  if [[ -n $indexed ]] && ((SECONDS - indexed >= after)); then break; fi
done
grep -E 'Built in|Search index made' "$log"
