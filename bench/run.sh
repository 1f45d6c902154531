#!/usr/bin/env bash
# Measures `clausebook build`: wall time (median of N runs) and peak memory (max RSS), on the
# sample site and on synthetic sites made by bench/gen_site.py. Writes bench/RESULTS.md.
# Usage: bench/run.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cargo build --release --quiet
bin=$PWD/target/release/clausebook
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() {
  printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# figures LINES WHAT → the figures of the reload benchmark's line for WHAT
figures() {
  grep "^$2:" <<<"$1" | sed 's/^[^:]*: [0-9]* //'
}

# measure ROOT RUNS → "build_median_s check_median_s peak_mib files"
# `check` does all of a build's work but writing, so the two times separate disk from compute.
measure() {
  local root=$1 n=$2 times=() checks=() peak=0 stats kb
  for _ in $(seq "$n"); do
    /usr/bin/time -o "$work/time" -f '%e %M' "$bin" build --no-cache --root "$root" --output "$work/out" >/dev/null 2>&1
    stats=$(tail -1 "$work/time")
    times+=("${stats% *}")
    kb=${stats#* }
    (( kb > peak )) && peak=$kb
    /usr/bin/time -o "$work/time" -f '%e' "$bin" check --no-cache --root "$root" >/dev/null 2>&1 || true
    checks+=("$(tail -1 "$work/time")")
  done
  echo "$(median "${times[@]}") $(median "${checks[@]}") $((peak / 1024)) $(find "$work/out" -type f | wc -l)"
}

site_facts() {
  local root=$1
  echo "$(find "$root/content" -path '*/snapshots/*' -type f | wc -l) snapshots ($(du -sm "$root/content" | cut -f1) MB), $(find "$root/content" -path '*/clauses/*.yaml' | wc -l) clauses"
}

gen() {
  python3 bench/gen_site.py "$@" >/dev/null
}

read -r s_time s_check s_mem s_files <<<"$(measure "$PWD" "$runs")"
s_facts=$(site_facts "$PWD")

gen "$work/synthetic" --platforms 50 --documents-per-platform 10 --versions 10 --clauses-per-platform 5 --paragraphs 40
read -r y_time y_check y_mem y_files <<<"$(measure "$work/synthetic" 3)"
y_facts=$(site_facts "$work/synthetic")

# One document with a long history of large versions: doubling the versions must about
# double the time (each version is compared with one earlier version only).
gen "$work/long60" --platforms 1 --documents-per-platform 1 --versions 60 --clauses-per-platform 3 --paragraphs 600
read -r l60_time l60_check l60_mem _ <<<"$(measure "$work/long60" 3)"
gen "$work/long120" --platforms 1 --documents-per-platform 1 --versions 120 --clauses-per-platform 3 --paragraphs 600
read -r l120_time l120_check l120_mem _ <<<"$(measure "$work/long120" 3)"
l_size=$(du -k "$(find "$work/long120/content" -path '*/snapshots/*' -type f | sort | tail -1)" | cut -f1)

# Edit-to-reload with `serve`: from writing a clause file to the server's reload message.
r_sample=$(cargo bench -q --bench reload -- "$PWD" 15 | tail -2)
gen "$work/big" --platforms 100 --documents-per-platform 5 --versions 10 --clauses-per-platform 50 --paragraphs 40
r_big=$(cargo bench -q --bench reload -- "$work/big" 8 | tail -2)
big_facts=$(site_facts "$work/big")

# The sections other benchmarks write (hostile content, change fidelity) are kept as they are.
kept=$(sed -n '/^## Hostile content/,$p' bench/RESULTS.md)
cat > bench/RESULTS.md <<MD
# Benchmark results

Written by \`bench/run.sh\` ($(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, release build). Times are
wall-clock medians of \`clausebook build --no-cache\` and of \`clausebook check --no-cache\` (all of a build's work
but writing the files: the difference is the disk), memory the largest resident set of a build.

| site | content | output files | build | check (no writing) | peak memory |
|---|---|---|---|---|---|
| sample (\`content/\`, real Open Terms Archive histories) | $s_facts | $s_files | ${s_time} s | ${s_check} s | ${s_mem} MiB |
| synthetic: 500 documents × 10 versions | $y_facts | $y_files | ${y_time} s | ${y_check} s | ${y_mem} MiB |
| one document, 60 versions of ~${l_size} KB | | | ${l60_time} s | ${l60_check} s | ${l60_mem} MiB |
| one document, 120 versions of ~${l_size} KB | | | ${l120_time} s | ${l120_check} s | ${l120_mem} MiB |

Doubling a long history's versions about doubles the time: versions are extracted and diffed
in parallel, and each is compared with one earlier version only, never with every other.

## Live preview: edit to reload

\`clausebook serve\` (\`benches/reload.rs\`): the time from writing a clause's YAML (its summary
edited), or a new snapshot of a document (its latest with a paragraph added), to the reload
message the server sends browsers, which includes the watcher's 50 ms quiet period and the
incremental rebuild (only pages whose context changed are rendered again; pages render in
parallel).

| site | content | clause edit to reload | new snapshot to reload |
|---|---|---|---|
| sample | $s_facts | $(figures "$r_sample" "clause edits") | $(figures "$r_sample" "new snapshots") |
| synthetic: 5,000 clauses, 5,000 versions | $big_facts | $(figures "$r_big" "clause edits") | $(figures "$r_big" "new snapshots") |

$kept
MD
cat bench/RESULTS.md
