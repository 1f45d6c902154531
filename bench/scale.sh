#!/usr/bin/env bash
# How build time and memory grow with a site's size: clausebook against Hugo (and Zola when a
# `zola` is on PATH) on generated record sets S, M, L and XL (4× L), then clausebook alone on
# the whole Open Terms Archive contrib history. Rewrites the "## Scale" section of
# bench/RESULTS.md in place and keeps the other sections.
#
#   bench/scale.sh [-r RUNS] [S] [M] [L] [XL] [archive]     # default: all of them, 3 runs
#
# Each size is one record set written three ways by gen_sites.py (a clausebook, a Hugo and a
# Zola site). The tools run paired and interleaved: each round runs every tool once, back to
# back, under hyperfine (one warm-up run each in the first round), so a busy machine slows them
# alike; wall and CPU times are medians over the rounds, the peak memory the largest resident
# set of any run. The archive is every version of every document, exported once with
# bench/ota_site.py and built twice in a row (one run each: it is long).
#
# Environment:
#   GEN_SITES   the record-set generator (default /work/shared/bench/gen_sites.py)
#   OTA_MIRROR  a bare git mirror of OpenTermsArchive/contrib-versions
#               (default /work/.mirror/OpenTermsArchive+contrib-versions/repo)
#   TMPDIR      where the generated sites and the archive export are kept between runs
#               (clausebook-bench-SIZE and clausebook-bench-archive; default /tmp)
#   PAGEFIND    Pagefind's command-line binary (default: version 1.6.0, the one clausebook
#               embeds, installed from npm under TMPDIR/pagefind-cli-1.6.0 once)
# Hugo and hyperfine are installed from Debian's packages when missing.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
gen=${GEN_SITES:-/work/shared/bench/gen_sites.py}
mirror=${OTA_MIRROR:-/work/.mirror/OpenTermsArchive+contrib-versions/repo}
cache=${TMPDIR:-/tmp}
runs=3
while getopts r: opt; do
  case $opt in
    r) runs=$OPTARG ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))

die() {
  echo "scale.sh: $*" >&2
  exit 1
}

# The same record sets as the side-by-side comparison the issue's figures come from.
size_args() {
  case $1 in
    S) echo "--platforms 10 --documents 3 --versions 5 --clauses 10" ;;
    M) echo "--platforms 40 --documents 5 --versions 10 --clauses 25" ;;
    L) echo "--platforms 100 --documents 5 --versions 10 --clauses 50" ;;
    XL) echo "--platforms 400 --documents 5 --versions 10 --clauses 50" ;;
    *) return 1 ;;
  esac
}

[[ $runs =~ ^[1-9][0-9]*$ ]] || die "-r takes a number of runs (got '$runs')"
(($#)) || set -- S M L XL archive
invocation="bench/scale.sh -r $runs $*"
sizes=() with_archive=0
for t in "$@"; do
  if [[ $t == archive ]]; then
    with_archive=1
  else
    size_args "$t" >/dev/null || die "unknown size '$t' (S, M, L, XL or archive)"
    sizes+=("$t")
  fi
done
if ((with_archive)); then
  git --git-dir "$mirror" rev-parse -q --verify HEAD >/dev/null 2>&1 ||
    die "no git mirror of OpenTermsArchive/contrib-versions at $mirror: set OTA_MIRROR to one"
fi
if ((${#sizes[@]})); then
  [[ -f $gen ]] || die "gen_sites.py not found at $gen: set GEN_SITES to its path"
  for tool in hugo hyperfine; do
    command -v $tool >/dev/null || apt-get install -y $tool >/dev/null || die "cannot install $tool"
  done
fi
# pagefind_cli → the path of Pagefind's command-line binary
pagefind_cli() {
  local dir=$cache/pagefind-cli-1.6.0
  if [[ -n ${PAGEFIND:-} ]]; then
    echo "$PAGEFIND"
    return
  fi
  if [[ ! -d $dir/node_modules/@pagefind ]]; then
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error pagefind@1.6.0 >&2 || return 1
  fi
  find "$dir/node_modules/@pagefind" -type f -name 'pagefind*' -perm -u+x | sort | head -1
}

# clausebook twice: as sites are made (with the search index), and with `search: false`, which
# is the work Hugo and Zola do (neither builds a search index). Hugo a second time followed by
# Pagefind's command line: how a Hugo site gets the search index clausebook builds in.
tools=(clausebook clausebook-nosearch hugo)
pagefind=""
if ((${#sizes[@]})); then
  pagefind=$(pagefind_cli) || true
  if [[ -x $pagefind ]]; then tools+=(hugo-pagefind); else echo "pagefind: not installed" >&2; fi
fi
if command -v zola >/dev/null; then tools+=(zola); else echo "zola: not installed" >&2; fi

load=$(cut -d' ' -f1 /proc/loadavg)
cargo build --release --quiet
bin=$PWD/target/release/clausebook
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# median: the median of the numbers on standard input, one a line
median() {
  sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# counts ROOT → "platforms documents versions clauses snapshot_MB" of the site in ROOT/content
counts() {
  local p=$1/content/platforms platforms documents clauses snapshots
  platforms=$(find "$p" -mindepth 1 -maxdepth 1 -type d | wc -l)
  documents=$(find "$p" -name document.yaml | wc -l)
  clauses=$(find "$p" -path '*/clauses/*.yaml' | wc -l)
  snapshots=$(find "$p" -path '*/snapshots/*' -type f -printf '%s\n' |
    awk '{n++; s+=$1} END {printf "%d %.0f", n, s/1e6}')
  echo "$platforms $documents ${snapshots% *} $clauses ${snapshots#* }"
}

# describe "P D V C MB" → the content cell of a table row
describe() {
  local p d v c mb
  read -r p d v c mb <<<"$1"
  echo "$p platforms, $d documents, $v versions, $c clauses, $mb MB of snapshots"
}

# generate SIZE → the folder holding the record set, written once and kept
generate() {
  local dir=$cache/clausebook-bench-$1 args
  read -ra args <<<"$(size_args "$1")"
  if [[ ! -d $dir/clausebook ]]; then
    echo "$1: generating the record set" >&2
    rm -rf "$dir" "$dir.partial"
    python3 "$gen" "$dir.partial" "${args[@]}" >/dev/null
    mv "$dir.partial" "$dir"
  fi
  without_search "$dir/clausebook" "$dir/clausebook-nosearch"
  echo "$dir"
}

# without_search SITE COPY → COPY made (once) as SITE with `search: false` in its site.yaml
without_search() {
  if [[ ! -d $2 ]]; then
    rm -rf "$2.partial"
    cp -r "$1" "$2.partial"
    rm -rf "$2.partial/output" "$2.partial/.clausebook-cache"
    printf '\nsearch: false\n' >>"$2.partial/content/site.yaml"
    mv "$2.partial" "$2"
  fi
}

# command TOOL DIR → the build command of TOOL on the record set in DIR
command_of() {
  case $1 in
    # Without the cache: every run derives and renders everything, as a cold build does.
    clausebook) echo "$bin build --no-cache --root $2/clausebook --output $2/cb-out" ;;
    clausebook-nosearch) echo "$bin build --no-cache --root $2/clausebook-nosearch --output $2/cbn-out" ;;
    hugo) echo "hugo --quiet -s $2/hugo -d $2/hugo-out" ;;
    # Over the pages of the kinds clausebook indexes (Hugo's site has no document pages; its
    # version pages are left out, as clausebook leaves them out). The index is removed first:
    # Pagefind skips writing a file whose hashed name exists.
    hugo-pagefind) echo "bash -c 'rm -rf $2/hpf-out/pagefind && hugo --quiet -s $2/hugo -d $2/hpf-out && $pagefind --site $2/hpf-out --glob \"{clauses,platforms,provisions}/**/*.html\" >/dev/null'" ;;
    zola) echo "zola --root $2/zola build -o $2/zola-out --force" ;;
  esac
}

# paired DIR → a line "TOOL wall_s cpu_s peak_MiB files" per tool, from $runs interleaved
# rounds: the medians of wall time and of CPU time (user + sys), the largest resident set
paired() {
  local dir=$1 args=() tool k warmup
  rm -f "$dir"/rss-* "$work/times.csv"
  for tool in "${tools[@]}"; do
    args+=(-n "$tool" "/usr/bin/time -a -o $dir/rss-$tool -f %M $(command_of "$tool" "$dir")")
  done
  for k in $(seq "$runs"); do
    echo "$(basename "$dir"): round $k of $runs" >&2
    warmup=$((k == 1 ? 1 : 0))
    hyperfine -N --style none -w $warmup -r 1 --export-csv "$work/round.csv" "${args[@]}" >/dev/null
    tail -n +2 "$work/round.csv" >>"$work/times.csv"
  done
  for tool in "${tools[@]}"; do
    echo "$tool $(awk -F, -v t="$tool" '$1 == t {print $2}' "$work/times.csv" | median)" \
      "$(awk -F, -v t="$tool" '$1 == t {print $5 + $6}' "$work/times.csv" | median)" \
      "$(($(sort -n "$dir/rss-$tool" | tail -1) / 1024))" \
      "$(find "$dir/$(out_of "$tool")" -type f | wc -l)"
  done
}

# out_of TOOL → the folder its build writes, in the record set's folder
out_of() {
  case $1 in
    clausebook) echo cb-out ;;
    clausebook-nosearch) echo cbn-out ;;
    hugo-pagefind) echo hpf-out ;;
    *) echo "$1-out" ;;
  esac
}

# size_row SIZE → the table row of one record set
size_row() {
  local dir facts measured tool w c m f files ratio
  local -A wall cell out
  dir=$(generate "$1")
  facts=$(counts "$dir/clausebook")
  measured=$(paired "$dir")
  while read -r tool w c m f; do
    wall[$tool]=$w out[$tool]=$f
    cell[$tool]=$(printf '%.2f s (CPU %.2f s), %d MiB' "$w" "$c" "$m")
  done <<<"$measured"
  files="${out[clausebook]} / ${out[hugo]} / ${out[zola]:-–}"
  ratio() {
    [[ -n ${wall[$2]:-} ]] || { echo –; return; }
    awk -v a="${wall[$1]}" -v b="${wall[$2]}" 'BEGIN {printf "%.2f", a / b}'
  }
  echo "| $1 | $(describe "$facts") | $files | ${cell[clausebook]} | ${cell[clausebook-nosearch]}" \
    "| $(per_thousand "${wall[clausebook]}" "$facts") | ${cell[hugo]} | ${cell[hugo-pagefind]:-not installed}" \
    "| ${cell[zola]:-not installed} | $(ratio clausebook-nosearch hugo) | $(ratio clausebook hugo-pagefind)" \
    "| $(ratio clausebook hugo) |"
}

# per_thousand WALL "P D V C MB" → wall time per 1,000 versions
per_thousand() {
  awk -v w="$1" -v v="$(cut -d' ' -f3 <<<"$2")" 'BEGIN {printf "%.2f s", w * 1000 / v}'
}

# archive → the folder holding the export of the mirror's HEAD, made again only when the
# mirror or the exporter changed
archive() {
  local dir=$cache/clausebook-bench-archive source
  source="$(git --git-dir "$mirror" rev-parse HEAD) $(sha256sum bench/ota_site.py | cut -d' ' -f1)"
  if [[ $(cat "$dir/source" 2>/dev/null) != "$source" ]]; then
    echo "archive: exporting every version of every document (minutes)" >&2
    rm -rf "$dir" "$dir.partial"
    python3 bench/ota_site.py "$dir.partial" "$mirror" 2>"$work/export.log" ||
      die "export failed: $(tail -3 "$work/export.log")"
    echo "$source" >"$dir.partial/source"
    mv "$dir.partial" "$dir"
  fi
  echo "$dir"
}

# archive_build LABEL DIR FACTS [OUT FLAG…] → one table row: a build of the archive into OUT
# (default DIR/out) with the FLAGs, timed
archive_build() {
  local e u s m label=$1 dir=$2 facts=$3 out=${4:-$2/out}
  shift $(($# < 4 ? $# : 4))
  echo "archive: $label" >&2
  /usr/bin/time -o "$work/time" -f '%e %U %S %M' "$bin" build --root "$dir" --output "$out" "$@" \
    >/dev/null 2>"$work/build.log" || die "archive build failed: $(tail -3 "$work/build.log")"
  read -r e u s m <<<"$(tail -1 "$work/time")"
  echo "| $label | $(describe "$facts") | $(find "$out" -type f | wc -l) | $e s |" \
    "$(awk -v u="$u" -v s="$s" 'BEGIN {printf "%.1f s", u + s}') | $((m / 1024)) MiB | $(per_thousand "$e" "$facts") |"
}

# archive_rows → the table rows of the archive: each series (below) as sites are made, then
# with `search: false` added to its site.yaml
archive_rows() {
  local dir facts
  dir=$(archive)
  facts=$(counts "$dir")
  archive_series "" "$dir" "$facts" "$dir/out"
  cp "$dir/content/site.yaml" "$work/site.yaml"
  printf '\nsearch: false\n' >>"$dir/content/site.yaml"
  archive_series ", \`search: false\`" "$dir" "$facts" "$dir/out-nosearch"
  cp "$work/site.yaml" "$dir/content/site.yaml"
  rm -rf "$dir/out-nosearch" "$dir/.clausebook-cache"
}

# archive_series SUFFIX DIR FACTS OUT → three rows: a cold build (no cache, no output) into OUT,
# the one right after it, and one after a snapshot was added to one document (then taken out
# again); SUFFIX ends each row's label
archive_series() {
  local suffix=$1 dir=$2 facts=$3 out=$4 doc last added
  rm -rf "$out" "$dir/.clausebook-cache"
  archive_build "cold build$suffix" "$dir" "$facts" "$out"
  archive_build "second build, right after$suffix" "$dir" "$facts" "$out"
  doc=$(find "$dir/content/platforms" -mindepth 3 -maxdepth 3 -path '*/documents/*' | sort | sed -n 50p)
  last=$(find "$doc/snapshots" -type f | sort | tail -1)
  added="$doc/snapshots/2099-01-01T00-00-00Z.${last##*.}"
  { cat "$last"; printf '\n\nA paragraph added to time a build after one new snapshot.\n'; } >"$added"
  archive_build "after one snapshot was added$suffix" "$dir" "$facts" "$out"
  rm "$added"
  "$bin" build --root "$dir" --output "$out" >/dev/null 2>&1
}

# commands → the section's list of what was run
commands() {
  local t
  echo "- \`$invocation\`, which runs:"
  for t in "${sizes[@]}"; do
    echo "- $t: \`python3 gen_sites.py DIR $(size_args "$t")\` once"
  done
  if ((${#sizes[@]})); then
    echo "- in each round of each size, \`hyperfine -N --style none -w W -r 1 -n TOOL '/usr/bin/time -a -o DIR/rss-TOOL -f %M COMMAND' …\`" \
      "(W = 1 in the first round, 0 after), where COMMAND is"
    for t in "${tools[@]}"; do
      echo "  - \`$(command_of "$t" DIR | sed "s|$bin|clausebook|; s|$pagefind|pagefind|")\`"
    done
  fi
  if ((with_archive)); then
    echo "- archive: \`python3 bench/ota_site.py ARCHIVE OTA_MIRROR\` once; with no output and no" \
      "cache, twice \`/usr/bin/time -f '%e %U %S %M' clausebook build --root ARCHIVE --output ARCHIVE/out\`;" \
      "then the same once more after a copy of one document's latest snapshot, with a paragraph added," \
      "was added as a new snapshot; then all three again with \`search: false\` added to its" \
      "site.yaml, into \`ARCHIVE/out-nosearch\`"
  fi
}

# section SIZE_ROWS ARCHIVE_ROWS → the whole "## Scale" section
section() {
  local versions=""
  command -v hugo >/dev/null && versions+="; $(hugo version | cut -d' ' -f1-2)"
  [[ -x $pagefind ]] && versions+="; $("$pagefind" --version)"
  command -v zola >/dev/null && versions+="; $(zola --version)"
  echo "## Scale"
  echo
  echo "Written by \`bench/scale.sh\` on $(date -u +%Y-%m-%d) at $(git describe --always --dirty)" \
    "($(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, load average $load when it started;" \
    "release build$versions)."
  if [[ -n $1 ]]; then
    cat <<MD

Each record set is written three ways by the generator; Hugo and Zola build the same records as
plain pages, with no diffs, verification, histories or search index. clausebook runs twice:
as a site is made (with its Pagefind search index) and with \`search: false\` in \`site.yaml\`
(everything but the index: the work Hugo and Zola do). "Hugo + Pagefind" is Hugo's build
followed by Pagefind's command line over the pages of the kinds clausebook indexes (clauses,
platforms, provision types; Hugo's site has no document pages, and its version pages are left
out as clausebook leaves them out): how a Hugo site gets the search clausebook builds in, over
less text than clausebook's index holds. Wall times are medians of $runs paired, interleaved
rounds, with the median CPU time (user + sys) beside them: on a busy machine the CPU time moves
less than the wall time. Memory is the largest resident set of any run. "Per 1,000 versions" is
clausebook's wall time divided by the versions: flat while the cost grows linearly. The ratios
compare like with like: clausebook without search to Hugo, clausebook with search to Hugo +
Pagefind; the last column is clausebook with search to Hugo alone.

| size | content | output files (clausebook / Hugo / Zola) | clausebook: wall (CPU), peak | clausebook, \`search: false\` | per 1,000 versions | Hugo | Hugo + Pagefind | Zola | wall clausebook, \`search: false\` / Hugo | wall clausebook / (Hugo + Pagefind) | wall clausebook / Hugo |
|---|---|---|---|---|---|---|---|---|---|---|---|
$1
MD
  fi
  if [[ -n $2 ]]; then
    cat <<MD

The whole Open Terms Archive contrib history, every document and every version (mirror at
$(git --git-dir "$mirror" rev-parse --short HEAD)), built by clausebook alone, one run each:

| build | content | output files | wall | CPU (user + sys) | peak memory | per 1,000 versions |
|---|---|---|---|---|---|---|
$2
MD
  fi
  echo
  echo "Commands (DIR is \$TMPDIR/clausebook-bench-SIZE, ARCHIVE \$TMPDIR/clausebook-bench-archive):"
  echo
  commands
}

# The section replaces the old one (up to the next "## " heading) or is appended.
size_table="" archive_table=""
for t in "${sizes[@]}"; do
  row=$(size_row "$t")
  size_table+=${size_table:+$'\n'}$row
done
((with_archive)) && archive_table=$(archive_rows)
section "$size_table" "$archive_table" >"$work/section.md"
awk -v new="$work/section.md" '
  function put(  l) { while ((getline l < new) > 0) print l; done = 1 }
  /^## Scale$/ { put(); skip = 1; next }
  skip && /^## / { skip = 0; print "" }
  !skip { print }
  END { if (!done) { print ""; put() } }' bench/RESULTS.md >"$work/RESULTS.md"
cp "$work/RESULTS.md" bench/RESULTS.md
cat "$work/section.md"
