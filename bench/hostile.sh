#!/usr/bin/env bash
# Measures what hostile content costs: `clausebook check` (release) on the tests' valid fixture
# with one hostile file added, wall time and peak memory each. Every case must end quickly with a
# content error naming the file (or a clean result), never a hang, abort or huge allocation.
# Prints a Markdown table for bench/RESULTS.md.
# Usage: bench/hostile.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/clausebook
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# case NAME SETUP: copies the fixture, runs SETUP in it, times `check`.
n=0
case_() {
  n=$((n + 1))
  local name=$1 setup=$2 site="$work/site$n"
  mkdir -p "$site"
  cp -r tests/fixtures/valid/. "$site"
  (cd "$site" && python3 -c "$setup")
  local code=0
  /usr/bin/time -o "$work/time" -f '%e %M' timeout 60 "$bin" check --root "$site" \
    >/dev/null 2>"$work/err" || code=$?
  local stats
  stats=$(tail -1 "$work/time")
  # The first error's message, after the file and line its report gives on the next line
  # (` --> FILE:LINE:COLUMN`) when it names one.
  local first
  first=$(awk -v site="$site/" '
    function rel(s,  i) { while ((i = index(s, site))) s = substr(s, 1, i - 1) substr(s, i + length(site)); return s }
    msg == "" && /^error: / { msg = substr($0, 8); next }
    msg != "" { if ($1 == "-->") msg = $2 ": " msg; exit }
    END { print rel(msg) }' "$work/err" | cut -c1-110)
  echo "| $name | ${stats% *} s | $(( ${stats#* } / 1024 )) MiB | $code | \`${first:-none}\` |"
}

echo "| hostile input | check wall | peak memory | exit | first error |"
echo "|---|---|---|---|---|"
case_ "YAML: 900 KB string replayed through 1,000 aliases (934 KB file)" '
open("content/platforms/alpha/clauses/bomb.yaml","w").write(
  "title: b\ndocument: aup\nprovision: spam\nexcerpt: &big " + "x"*900000 + "\nsummary: s\ntags: [" + ",".join(["*big"]*1000) + "]\n")'
case_ "YAML: provision nested 80,000 brackets deep" '
open("content/provisions/deep.yaml","w").write("name: " + "["*80000 + "]"*80000 + "\n")'
case_ "YAML: billion laughs (9 levels of 10 aliases)" '
y = "title: t\ndocument: aup\nprovision: spam\nexcerpt: e\nsummary: s\ntags: &a [x,x,x,x,x,x,x,x,x,x]\n"
names = "abcdefghi"
for prev, name in zip(names, names[1:]):
    y += f"{name}: &{name} [" + ",".join([f"*{prev}"]*10) + "]\n"
open("content/platforms/alpha/clauses/laughs.yaml","w").write(y)'
case_ "Markdown: 50,000 nested > in a page" '
open("content/pages/quotes.md","w").write("---\ntitle: Q\n---\n" + ">"*50000 + " deep\n")'
case_ "Markdown: 5,000 nested list items in a snapshot (25 MB)" '
open("content/platforms/alpha/documents/aup/snapshots/2025-01-01.md","w").write("".join("  "*i + "- x\n" for i in range(5000)))'
case_ "HTML: 30,000 nested <div> in a snapshot" '
open("content/platforms/gamma/documents/policy/snapshots/2025-06-01.html","w").write("<div>"*30000 + "text" + "</div>"*30000)'
case_ "HTML: 100,000 nested <div> in a snapshot" '
open("content/platforms/gamma/documents/policy/snapshots/2025-06-01.html","w").write("<div>"*100000 + "text" + "</div>"*100000)'
case_ "snapshot of 65 MiB (over the 64 MiB limit)" '
open("content/platforms/alpha/documents/aup/snapshots/2025-01-01.txt","w").write("word "*(13*1024*1024 + 10))'
case_ "snapshot linked to /dev/zero" '
import os; os.symlink("/dev/zero", "content/platforms/alpha/documents/aup/snapshots/2025-01-01.txt")'
case_ "snapshot that is a FIFO" '
import os; os.mkfifo("content/platforms/alpha/documents/aup/snapshots/2025-01-01.md")'
