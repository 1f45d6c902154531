#!/usr/bin/env bash
# Measures `clausebook build` of the sample site: wall time (median of N runs) and peak memory.
# Usage: bench/run.sh [runs]   — writes the figures to bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
cargo build --release --quiet
bin=target/release/clausebook
out=$(mktemp -d)/out
times=()
peak=0
for _ in $(seq "$runs"); do
  /usr/bin/time -o "$out.time" -f '%e %M' "$bin" build --output "$out" >/dev/null 2>&1
  stats=$(tail -1 "$out.time")
  times+=("${stats% *}")
  kb=${stats#* }
  (( kb > peak )) && peak=$kb
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
files=$(find "$out" -type f | wc -l)
snapshots=$(find content -path '*/snapshots/*' -type f | wc -l)
snapshot_mb=$(du -sm content/platforms | cut -f1)
clauses=$(find content -path '*/clauses/*.yaml' | wc -l)
rm -rf "$(dirname "$out")"
cat > bench/RESULTS.md <<MD
# Benchmark results

Written by \`bench/run.sh\` on $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; release build.

## Sample site (\`content/\`)

$clauses clauses, $snapshots snapshots ($snapshot_mb MB of content), $files output files.

| figure | value |
|---|---|
| build time, median of $runs runs | ${median} s |
| peak memory (max RSS over the runs) | $((peak / 1024)) MiB |
MD
cat bench/RESULTS.md
