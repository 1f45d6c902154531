#!/usr/bin/env bash
# Byte-identical output check for refactors (issue 9): builds the sample site and every fixture
# site that builds with the binary of a base revision and with the working tree's, and compares
# the two output trees file by file.
#
#   bench/same-output.sh [BASE_REV]      # default: HEAD
#
# The base is built in a temporary git worktree with its own target directory
# (target/same-output-base, kept between runs so a rebuild is incremental). Prints one line per
# site (files, bytes, identical or not) and exits 1 if any output differs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
base=${1:-HEAD}
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

git worktree add --detach "$work/base" "$base" >/dev/null 2>&1
CARGO_TARGET_DIR="$root/target/same-output-base" cargo build --release --quiet --manifest-path "$work/base/Cargo.toml"
cargo build --release --quiet
old="$root/target/same-output-base/release/clausebook"
new="$root/target/release/clausebook"

# The sample site, the valid and fidelity fixtures, and each hostile fixture laid over the
# valid one (as tests/it/hostile.rs lays them).
sites=("$root" "$root/tests/fixtures/valid" "$root/tests/fixtures/fidelity")
for d in "$root"/tests/fixtures/hostile/*/; do
  case=$(basename "$d")
  mkdir -p "$work/hostile"
  cp -r "$root/tests/fixtures/valid" "$work/hostile/$case"
  cp -r "$d/." "$work/hostile/$case/"
  sites+=("$work/hostile/$case")
done

status=0
for site in "${sites[@]}"; do
  name=${site#"$root"}
  name=${name#"$work"/}
  name=${name#/}
  name=${name:-sample}
  if ! "$old" build --no-cache --root "$site" --output "$work/old" >/dev/null 2>"$work/old.err"; then
    echo "$name: the base does not build it (skipped): $(head -1 "$work/old.err")"
    continue
  fi
  "$new" build --no-cache --root "$site" --output "$work/new" >/dev/null 2>&1 || true
  files=$(find "$work/old" -type f | wc -l)
  bytes=$(du -sb "$work/old" | cut -f1)
  if diff -r "$work/old" "$work/new" >"$work/diff" 2>&1; then
    echo "$name: $files files, $bytes bytes, identical"
  else
    echo "$name: DIFFERENT ($(grep -c '' "$work/diff") lines of diff -r), e.g.:"
    head -5 "$work/diff"
    status=1
  fi
  rm -rf "$work/old" "$work/new"
done
exit $status
