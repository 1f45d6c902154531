#!/usr/bin/env python3
"""Change-fidelity benchmark (issue 8): clausebook's version classes and word counts
against an independent naive count, on a fixed list of real Open Terms Archive documents.

    python3 bench/fidelity.py [BINARY] [--work DIR] [--report FILE] [--jobs N] [--reuse]

BINARY defaults to target/release/clausebook. The script exports the documents listed in
DOCS below with bench/ota_site.py into DIR/content (default /tmp/clausebook-fidelity; its
content/ is replaced), runs `BINARY build --root DIR`, reads DIR/output/api/documents.json,
and counts every version again itself from the snapshot files, never calling clausebook.
The Markdown report goes to stdout and to FILE (default DIR/fidelity.md). `--reuse` skips
the export and the build and reports on DIR as a previous run left it.

Data: the bare git mirrors of OTA's versions repositories, taken from the environment:
    OTA_GENAI_EU_VERSIONS  default /work/.mirror/OpenTermsArchive+genai-eu-versions/repo
    OTA_CONTRIB_VERSIONS   default /work/.mirror/OpenTermsArchive+contrib-versions/repo
Get them with `git clone --mirror https://github.com/OpenTermsArchive/genai-eu-versions`
(and .../contrib-versions), or with the `fetch` of OpenTermsArchive/genai-eu-versions and
OpenTermsArchive/contrib-versions where that tool exists. Open Terms Archive data, ODC-BY 1.0.

The naive count, per version (standard library only):
- visible text: link targets dropped (`[text](target "title")` keeps `text`, the target
  scanned to its balanced `)` so targets with spaces, escapes or parentheses go too), bare
  `<url>`/`<mail@host>` autolinks and HTML tags dropped, reference definitions dropped,
  entities decoded, invisible characters (soft hyphen, zero-width, BOM) removed, block
  markers at line start (`>`, `#`, list bullets and numbers) dropped, table separator rows
  and setext underlines dropped, backslash escapes resolved; inline markers (`*`, `_`,
  `|`, `~`, backticks) fall away with the tokenisation;
- words: runs of Unicode letters and digits, case kept (a changed capital is a change a
  reader sees); punctuation is no word, so a changed quote glyph or a `-` turned `_` in an
  e-mail address counts for nothing;
- dates masked to one placeholder word: month-name dates in both orders (English and French
  month names; "15 September 2025", "September 15, 2025", "September 2025", but no day
  without a year: "Section 4 may" is no date), ISO and numeric dates, times of day, and
  the counters "N days ago" (any unit; "Updated: 3 days ago" keeps "Updated"), "yesterday"
  and "today";
- class: `first`; the same masked words as the previous version: `formatting` (`noise` if
  only masked dates differ); the same masked words as any earlier version: `noise` (a
  revert); otherwise `substantive`;
- words changed: added + removed between the masked word sequences of a version and the
  previous one: lines are aligned first (SequenceMatcher, or patience anchors on lines
  unique to both sides when a region is too large for it), then the words of the
  unaligned lines of each gap are aligned the same way.
"""
import argparse, bisect, hashlib, html, json, os, re, shutil, subprocess, sys, time
from collections import Counter
from difflib import SequenceMatcher
from multiprocessing import Pool

# (mirror, "Service/Terms type"): every genai-eu document with at least 3 versions, and
# contrib documents of many services, from a few versions to the longest histories
# (AdSense AUP: 2,000 versions, 138 of them recorded in the same second as another).
DOCS = [
    ("genai-eu", "ChatGPT/Commercial Terms"),
    ("genai-eu", "ChatGPT/Business Privacy Policy"),
    ("genai-eu", "Llama API/Privacy Policy"),
    ("genai-eu", "Claude.ai/Privacy Policy"),
    ("genai-eu", "Llama API/Terms of Service"),
    ("genai-eu", "Llama API/Acceptable Use Policy"),
    ("genai-eu", "ChatGPT/Acceptable Use Policy"),
    ("genai-eu", "Google Generative AI Services/Privacy Policy"),
    ("genai-eu", "Qwen Chat/Trackers Policy"),
    ("genai-eu", "Le Chat/Terms of Service"),
    ("genai-eu", "Claude.ai/Data Processor Agreement"),
    ("genai-eu", "Grok/Trackers Policy"),
    ("genai-eu", "Llama API/Data Processor Agreement"),
    ("genai-eu", "Microsoft Copilot/Privacy Policy"),
    ("genai-eu", "Claude.ai/Acceptable Use Policy"),
    ("genai-eu", "Grok/Privacy Policy"),
    ("genai-eu", "ChatGPT/Trackers Policy"),
    ("genai-eu", "ChatGPT/Terms of Service"),
    ("genai-eu", "Perplexity/Privacy Policy"),
    ("genai-eu", "ChatGPT/Privacy Policy"),
    ("genai-eu", "Qwen Chat/Privacy Policy"),
    ("genai-eu", "Le Chat/Privacy Policy"),
    ("genai-eu", "Le Chat/Commercial Terms"),
    ("genai-eu", "Grok/Terms of Service"),
    ("genai-eu", "Grok/Commercial Terms"),
    ("genai-eu", "Grok/Acceptable Use Policy"),
    ("genai-eu", "Perplexity/Terms of Service"),
    ("genai-eu", "Microsoft Copilot/Terms of Service"),
    ("genai-eu", "Google Generative AI Services/Terms of Service"),
    ("genai-eu", "Qwen Chat/Terms of Service"),
    ("genai-eu", "Perplexity/Developer Terms"),
    ("genai-eu", "Le Chat/Data Processor Agreement"),
    ("genai-eu", "Grok/Brand Guidelines"),
    ("genai-eu", "ChatGPT/Vulnerability Disclosure Policy"),
    ("genai-eu", "ChatGPT/Developer Terms"),
    ("genai-eu", "Vibe/Terms of Service"),
    ("genai-eu", "Perplexity/Data Processor Agreement"),
    ("genai-eu", "Microsoft Copilot/Acceptable Use Policy"),
    ("genai-eu", "Meta AI/Terms of Service"),
    ("genai-eu", "Le Chat/Trackers Policy"),
    ("genai-eu", "Le Chat/Acceptable Use Policy"),
    ("genai-eu", "DeepSeek/Trackers Policy"),
    ("genai-eu", "DeepSeek/Privacy Policy"),
    ("genai-eu", "DeepSeek/Developer Terms"),
    ("genai-eu", "Claude.ai/Law Enforcement Guidelines"),
    ("genai-eu", "Claude.ai/Developer Terms"),
    ("genai-eu", "ChatGPT/In-App Purchases Policy"),
    ("genai-eu", "ChatGPT/Data Processor Agreement"),
    ("contrib", "Xanga/Privacy Policy"),
    ("contrib", "AdSense/Acceptable Use Policy"),
    ("contrib", "Alibaba.com/Privacy Policy"),
    ("contrib", "Cdiscount/Commercial Terms"),
    ("contrib", "Allstate/Privacy Policy"),
    ("contrib", "Booking.com/Terms of Service"),
    ("contrib", "Twitter/Community Guidelines"),
    ("contrib", "Instagram/Terms of Service"),
    ("contrib", "Wikipedia/Terms of Service"),
    ("contrib", "Google Merchant Center/Acceptable Use Policy"),
    ("contrib", "Zoom/Terms of Service"),
    ("contrib", "Google Play/Review Guidelines"),
    ("contrib", "TikTok/Community Guidelines"),
    ("contrib", "Facebook/Terms of Service"),
    ("contrib", "Facebook/Privacy Policy"),
    ("contrib", "Binance/Terms of Service"),
    ("contrib", "DuckDuckGo/Privacy Policy"),
    ("contrib", "Telegram/Terms of Service"),
    ("contrib", "Yahoo/Privacy Policy"),
    ("contrib", "Verizon/Privacy Policy"),
    ("contrib", "Xfinity/Privacy Policy"),
    ("contrib", "WordPress.com/Terms of Service"),
    ("contrib", "Taboola/Acceptable Use Policy"),
    ("contrib", "YouTube/Terms of Service"),
    ("contrib", "Roblox/Terms of Service"),
    ("contrib", "GitHub/Privacy Policy"),
    ("contrib", "App Store/Review Guidelines"),
    ("contrib", "Cloudflare/Terms of Service"),
    ("contrib", "Spotify/Privacy Policy"),
    ("contrib", "Mailjet/Terms of Service"),
    ("contrib", "Amazon Web Services/Acceptable Use Policy"),
    ("contrib", "Mailjet/Acceptable Use Policy"),
]

MIRRORS = {
    "genai-eu": ("OTA_GENAI_EU_VERSIONS", "/work/.mirror/OpenTermsArchive+genai-eu-versions/repo",
                 "genai-eu-versions"),
    "contrib": ("OTA_CONTRIB_VERSIONS", "/work/.mirror/OpenTermsArchive+contrib-versions/repo",
                "contrib-versions"),
}

# A version counts towards the inflation figure when clausebook reports at least this
# many words changed, and as grossly inflated at INFLATED_WORDS words and INFLATED_RATIO
# times the naive change.
MIN_WORDS = 50
INFLATED_WORDS, INFLATED_RATIO = 500, 5
# Documents whose substantive counts differ by more than this are listed version by version.
DIFF_THRESHOLD = 0.10
MAX_LISTED = 10


def slug(s):
    """The slug bench/ota_site.py gives a service or terms type."""
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-") or "x"


def doc_key(doc):
    """(platform, document) ids of "Service/Terms type" in the exported site and its API."""
    service, terms = doc.split("/", 1)
    return slug(service), slug(terms)


# ---- visible text -------------------------------------------------------------------------

INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
SEPARATOR_ROW = re.compile(r"[ \t]*\|?(?:[ \t]*:?-+:?[ \t]*\|)+(?:[ \t]*:?-+:?[ \t]*)?[ \t]*"
                           r"|[ \t]*\|?[ \t]*:?-+:?[ \t]*\|?[ \t]*")
SETEXT = re.compile(r"[ \t]{0,3}(?:=+|-+)[ \t]*")
REF_DEFINITION = re.compile(r"[ \t]{0,3}\[[^\]]+\]:[ \t]*\S+.*")
BLOCK_MARKERS = re.compile(r"(?:[ \t]*(?:>|#{1,6}(?=[ \t]|$)|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]|$)))+")
AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[\w.!#$%&'*+/=?^`{|}~-]+@[\w.-]+)>")
HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*"
                      r"(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?)*"
                      r"\s*/?>|<!--.*?-->")
ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
WORD = re.compile(r"[^\W_]+")


def drop_link_targets(line):
    """`[text](target)` → `[text]`: the target runs to its balanced `)` on the same line,
    escapes skipped, so targets CommonMark would reject (spaces, parentheses) go as well."""
    out, start = [], 0
    i = line.find("](")
    while i >= 0:
        j, depth = i + 2, 1
        while j < len(line) and depth:
            c = line[j]
            if c == "\\":
                j += 1
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            j += 1
        if depth:
            break
        out.append(line[start:i + 1])
        start = j
        i = line.find("](", j)
    out.append(line[start:])
    return "".join(out)


def visible_line(line):
    """The text a reader sees of one Markdown line, markers and link targets gone (None when
    the whole line is markup)."""
    line = line.translate(INVISIBLE)
    if SEPARATOR_ROW.fullmatch(line) or SETEXT.fullmatch(line) or REF_DEFINITION.fullmatch(line):
        return None
    line = BLOCK_MARKERS.sub("", line, count=1) if BLOCK_MARKERS.match(line) else line
    line = drop_link_targets(line)
    line = HTML_TAG.sub(" ", AUTOLINK.sub(" ", line))
    return html.unescape(ESCAPE.sub(r"\1", line))


# ---- dates --------------------------------------------------------------------------------

MONTH = (r"(?:jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june?|july?"
         r"|aug(?:ust|\.)?|sep(?:t(?:ember)?)?\.?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?"
         r"|janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre"
         r"|d[ée]cembre)")
DAY = r"\d{1,2}(?:st|nd|rd|th|er)?"
# Word boundaries between letters/digits and anything else: `\b` would not see the one
# between "2020" and the "_" of `_Last updated: April 30, 2020_`.
S, E = r"(?<![^\W_])", r"(?![^\W_])"
DATE = re.compile("|".join([
    rf"{S}{DAY}(?:\s+of)?\s+{MONTH},?\s+\d{{4}}{E}",                       # 15 September 2025
    rf"{S}{MONTH}\s+{DAY},?\s+\d{{4}}{E}",                                  # September 15, 2025
    rf"{S}{MONTH},?\s+\d{{4}}{E}",                                          # September 2025
    rf"{S}\d{{4}}-\d{{1,2}}-\d{{1,2}}(?:[T ]\d{{1,2}}:\d{{2}}(?::\d{{2}})?(?:\.\d+)?(?:Z|[+-]\d{{2}}:?\d{{2}})?)?{E}",
    rf"{S}(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{4}}/\d{{1,2}}/\d{{1,2}}){E}",  # 15/09/2025
    rf"{S}\d{{1,2}}:\d{{2}}(?::\d{{2}})?(?:\s*[ap]\.?m\.?{E})?{E}",               # 10:30 pm
    rf"{S}(?:\d+|an?|one)\s+(?:second|minute|hour|day|week|month|year)s?\s+ago{E}",
    rf"{S}(?:yesterday|today){E}",
]), re.IGNORECASE)
DATE_WORD = "DATE"


def line_words(line):
    """(masked, raw): the words of one Markdown line with dates masked and as written."""
    text = visible_line(line)
    if text is None:
        return (), ()
    return tuple(WORD.findall(DATE.sub(f" {DATE_WORD} ", text))), tuple(WORD.findall(text))


def version_words(markdown, cache):
    """(masked, raw): per line with words, the tuple of its words. Lines are processed once
    per document (`cache`): most of them recur in version after version."""
    masked, raw = [], []
    for line in markdown.split("\n"):
        if line not in cache:
            cache[line] = line_words(line.rstrip("\r"))
        m, r = cache[line]
        if m:
            masked.append(m)
        if r:
            raw.append(r)
    return masked, raw


# ---- diff ---------------------------------------------------------------------------------

# Regions up to this many element pairs go to SequenceMatcher; larger ones are cut at
# anchors first, so a 60,000-word document costs about its length, not its square.
SM_LIMIT = 400_000


def unique_anchors(a, a0, a1, b, b0, b1):
    """Patience anchors: elements once in a[a0:a1] and once in b[b0:b1], the longest run of
    them in the same order on both sides."""
    ca, cb = Counter(a[a0:a1]), Counter(b[b0:b1])
    pos_b = {b[j]: j for j in range(b0, b1) if cb[b[j]] == 1 and ca[b[j]] == 1}
    pairs = [(i, pos_b[a[i]]) for i in range(a0, a1) if a[i] in pos_b]
    # Longest increasing subsequence of the b positions (patience sorting).
    tails, tail_idx, back = [], [], [None] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        t = bisect.bisect_left(tails, j)
        back[k] = tail_idx[t - 1] if t else None
        if t == len(tails):
            tails.append(j)
            tail_idx.append(k)
        else:
            tails[t], tail_idx[t] = j, k
    out, k = [], tail_idx[-1] if tail_idx else None
    while k is not None:
        out.append(pairs[k])
        k = back[k]
    return out[::-1]


def align(a, b):
    """Matched (i, j) pairs of an order-preserving alignment of the sequences a and b, and
    whether some region had to be left unaligned (no anchor, too large to search)."""
    pairs, gave_up = [], False
    stack = [(0, len(a), 0, len(b))]
    while stack:
        a0, a1, b0, b1 = stack.pop()
        while a0 < a1 and b0 < b1 and a[a0] == b[b0]:
            pairs.append((a0, b0))
            a0, b0 = a0 + 1, b0 + 1
        while a0 < a1 and b0 < b1 and a[a1 - 1] == b[b1 - 1]:
            a1, b1 = a1 - 1, b1 - 1
            pairs.append((a1, b1))
        if a0 == a1 or b0 == b1:
            continue
        anchors = []
        if (a1 - a0) * (b1 - b0) > SM_LIMIT:
            anchors = unique_anchors(a, a0, a1, b, b0, b1)
            if not anchors and (a1 - a0) * (b1 - b0) > 100 * SM_LIMIT:
                gave_up = True
                continue
        if not anchors:
            sm = SequenceMatcher(None, a[a0:a1], b[b0:b1], autojunk=False)
            for i, j, n in sm.get_matching_blocks():
                pairs.extend((a0 + i + k, b0 + j + k) for k in range(n))
            continue
        pi, pj = a0, b0
        for i, j in anchors:
            pairs.append((i, j))
            stack.append((pi, i, pj, j))
            pi, pj = i + 1, j + 1
        stack.append((pi, a1, pj, b1))
    pairs.sort()
    return pairs, gave_up


def words_changed(old, new):
    """(added, removed, gave_up) between two versions given as lists of per-line word tuples:
    lines aligned first, then the words of each gap between aligned lines."""
    ids = {}
    la = [ids.setdefault(l, len(ids)) for l in old]
    lb = [ids.setdefault(l, len(ids)) for l in new]
    pairs, gave_up = align(la, lb)
    added = removed = 0
    pi = pj = 0
    for i, j in pairs + [(len(old), len(new))]:
        if i > pi or j > pj:
            wa = [w for line in old[pi:i] for w in line]
            wb = [w for line in new[pj:j] for w in line]
            matched, g = align(wa, wb)
            gave_up |= g
            added += len(wb) - len(matched)
            removed += len(wa) - len(matched)
        pi, pj = i + 1, j + 1
    return added, removed, gave_up


# ---- naive classification -----------------------------------------------------------------

def version_key(name):
    """Timestamp order, with same-second versions (`-2`, `-3`...) after the unsuffixed one."""
    m = re.fullmatch(r"(.*Z)(?:-(\d+))?", name)
    return (m.group(1), int(m.group(2) or 1)) if m else (name, 0)


def naive_document(snapshot_dir):
    """Per version: (timestamp, class, added, removed, gave_up), oldest first."""
    names = sorted((f[:-3] for f in os.listdir(snapshot_dir) if f.endswith(".md")), key=version_key)
    by_content, seen_masked, earlier, diff_cache, line_cache, rows = {}, {}, set(), {}, {}, []
    prev = None
    for name in names:
        with open(os.path.join(snapshot_dir, name + ".md"), "rb") as f:
            body = f.read()
        digest = hashlib.sha256(body).digest()
        if digest not in by_content:
            masked, raw = version_words(body.decode("utf-8", "replace"), line_cache)
            # One id per distinct masked word sequence (line breaks aside), so reverts and
            # repeated diffs are found by id.
            flat = tuple(w for line in masked for w in line)
            mid = seen_masked.setdefault(flat, len(seen_masked))
            by_content[digest] = (masked, tuple(w for line in raw for w in line), mid)
        masked, raw, mid = by_content[digest]
        if prev is None:
            cls, added, removed, gave_up = "first", 0, 0, False
        else:
            p_masked, p_raw, p_mid = prev
            if mid == p_mid:
                cls, added, removed, gave_up = ("formatting" if raw == p_raw else "noise"), 0, 0, False
            else:
                cls = "noise" if mid in earlier else "substantive"
                if (p_mid, mid) not in diff_cache:
                    diff_cache[(p_mid, mid)] = words_changed(p_masked, masked)
                added, removed, gave_up = diff_cache[(p_mid, mid)]
        earlier.add(mid)
        rows.append((name, cls, added, removed, gave_up))
        prev = (masked, raw, mid)
    return rows


def naive_job(args):
    key, snapshot_dir = args
    return key, naive_document(snapshot_dir)


# ---- report -------------------------------------------------------------------------------

def pct(cb, nv):
    return (cb - nv) / max(nv, 1)


def fmt_pct(x):
    return f"{x * 100:+.0f}%"


def report(docs, build_seconds, naive_seconds, binary):
    """The Markdown report, from per-document (name, mirror, clausebook rows, naive rows)."""
    out = []
    w = out.append
    build = f"build {build_seconds:.1f} s" if build_seconds is not None else "build reused"
    w(f"Binary: `{binary}`; {build}, naive count {naive_seconds:.1f} s.\n")
    w("| document | versions | clausebook first / formatting / noise / substantive "
      "| clausebook substantive | naive substantive | difference | worst inflation |")
    w("|---|---:|---|---:|---:|---:|---|")
    totals = Counter()
    equal = 0
    inflated = []
    differing = []
    for name, mirror, cb, nv in docs:
        classes = Counter(v["class"] for v in cb)
        nsub = sum(1 for r in nv if r[1] == "substantive")
        csub = classes["substantive"]
        naive_by_ts = {r[0]: r for r in nv}
        worst = None
        for v in cb:
            n = naive_by_ts.get(v["timestamp"])
            reported = v["words_added"] + v["words_removed"]
            if n is None or reported < MIN_WORDS:
                continue
            real = n[2] + n[3]
            ratio = reported / max(1, real)
            if worst is None or ratio > worst[0]:
                worst = (ratio, v["timestamp"], reported, real)
            if reported >= INFLATED_WORDS and ratio >= INFLATED_RATIO:
                inflated.append((ratio, name, v, n))
        totals.update(classes)
        totals["versions"] += len(cb)
        totals["naive"] += nsub
        equal += csub == nsub
        d = pct(csub, nsub)
        worst_s = (f"{worst[0]:.1f}× ({worst[2]} vs {worst[3]}, {worst[1]})" if worst else "—")
        w(f"| {name} ({mirror}) | {len(cb)} | {classes['first']} / {classes['formatting']} / "
          f"{classes['noise']} / {csub} | {csub} | {nsub} | {fmt_pct(d)} | {worst_s} |")
        if abs(csub - nsub) > DIFF_THRESHOLD * max(nsub, 1):
            differing.append((name, cb, nv))
    w(f"| **total ({len(docs)} documents)** | **{totals['versions']}** | {totals['first']} / "
      f"{totals['formatting']} / {totals['noise']} / {totals['substantive']} | "
      f"**{totals['substantive']}** | **{totals['naive']}** | "
      f"{fmt_pct(pct(totals['substantive'], totals['naive']))} | |")
    w("")
    w(f"- Documents with equal substantive counts: **{equal} of {len(docs)}**.")
    w(f"- Versions where clausebook reports ≥ {INFLATED_WORDS} words changed and ≥ "
      f"{INFLATED_RATIO}× the naive change: **{len(inflated)}**.")
    gave_up = sum(r[4] for _, _, _, nv in docs for r in nv)
    if gave_up:
        w(f"- Versions whose naive diff met a region too large to align without a common anchor "
          f"(counted as all changed; a page replaced by an unrelated one): {gave_up}.")
    w(f"- Documents whose substantive counts differ by more than {DIFF_THRESHOLD:.0%}: "
      f"**{len(differing)}**.")
    if inflated:
        w("\n### Largest inflations\n")
        w("| document | version | clausebook class, words | naive class, words | ratio |")
        w("|---|---|---|---|---:|")
        for ratio, name, v, n in sorted(inflated, key=lambda x: -x[0])[:20]:
            w(f"| {name} | {v['timestamp']} | {v['class']} +{v['words_added']} −{v['words_removed']} "
              f"| {n[1]} +{n[2]} −{n[3]} | {ratio:.0f}× |")
    if differing:
        w(f"\n### Documents whose substantive counts differ by more than {DIFF_THRESHOLD:.0%}\n")
        w("Versions where one side says substantive and the other does not (first "
          f"{MAX_LISTED} per document).\n")
    for name, cb, nv in differing:
        naive_by_ts = {r[0]: r for r in nv}
        rows = []
        for v in cb:
            n = naive_by_ts.get(v["timestamp"])
            if n is not None and (v["class"] == "substantive") != (n[1] == "substantive"):
                rows.append((v, n))
        csub = sum(v["class"] == "substantive" for v in cb)
        nsub = sum(r[1] == "substantive" for r in nv)
        w(f"**{name}**: clausebook {csub}, naive {nsub}; disagreeing versions: {len(rows)}.\n")
        w("| version | clausebook | naive |")
        w("|---|---|---|")
        for v, n in rows[:MAX_LISTED]:
            w(f"| {v['timestamp']} | {v['class']} +{v['words_added']} −{v['words_removed']} "
              f"| {n[1]} +{n[2]} −{n[3]} |")
        w("")
    return "\n".join(out) + "\n"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("binary", nargs="?", help="clausebook binary (default target/release/clausebook)",
                    default=os.path.join(here, "..", "target", "release", "clausebook"))
    ap.add_argument("--work", default="/tmp/clausebook-fidelity", help="site folder (its content/ is replaced)")
    ap.add_argument("--report", help="report file (default WORK/fidelity.md)")
    ap.add_argument("--jobs", type=int, default=2, help="processes for the naive count")
    ap.add_argument("--reuse", action="store_true", help="report on DIR's previous export and build")
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)
    report_path = a.report or os.path.join(a.work, "fidelity.md")

    repos = {}
    for mirror, (var, default, name) in MIRRORS.items():
        repos[mirror] = os.environ.get(var, default)
        if not os.path.isdir(repos[mirror]):
            sys.exit(f"{repos[mirror]}: no such mirror; set {var}, or get it with "
                     f"`git clone --mirror https://github.com/OpenTermsArchive/{name}`")
    build_seconds = None
    if not a.reuse:
        shutil.rmtree(os.path.join(a.work, "content"), ignore_errors=True)
        for mirror, repo in repos.items():
            chosen = [d for m, d in DOCS if m == mirror]
            subprocess.run([sys.executable, os.path.join(here, "ota_site.py"), a.work, repo,
                            "--docs", *chosen], check=True, stderr=subprocess.DEVNULL)
        start = time.monotonic()
        subprocess.run([binary, "build", "--root", a.work], check=True, stdout=subprocess.DEVNULL)
        build_seconds = time.monotonic() - start
    with open(os.path.join(a.work, "output", "api", "documents.json")) as f:
        api = {(d["platform"], d["id"]): d["versions"] for d in json.load(f)}

    start = time.monotonic()
    jobs = [(doc_key(doc), os.path.join(a.work, "content", "platforms", doc_key(doc)[0],
                                        "documents", doc_key(doc)[1], "snapshots"))
            for _, doc in DOCS]
    with Pool(a.jobs) as pool:
        naive = dict(pool.imap_unordered(naive_job, jobs))
    naive_seconds = time.monotonic() - start

    docs = []
    for mirror, doc in DOCS:
        cb, nv = api.get(doc_key(doc), []), naive[doc_key(doc)]
        if [v["timestamp"] for v in cb] != [r[0] for r in nv]:
            print(f"warning: {doc}: clausebook lists {len(cb)} versions, the snapshots "
                  f"folder {len(nv)}, or in another order", file=sys.stderr)
        docs.append((doc, mirror, cb, nv))
    text = report(docs, build_seconds, naive_seconds, binary)
    sys.stdout.write(text)
    with open(report_path, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
