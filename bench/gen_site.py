#!/usr/bin/env python3
"""Generate a synthetic clausebook site for benchmarks.

    python3 bench/gen_site.py OUT_DIR --platforms P --documents-per-platform D \
        --versions V --clauses-per-platform C --paragraphs N [--seed S] [--force]

Writes OUT_DIR/content/ (a complete site in the format of SPEC.md sections 1-2) and
OUT_DIR/expected.json (what the generator did: the kind of every version and the
expected verification state of every clause; outside content/, so the build ignores it).

Each document's history imitates Open Terms Archive data: the first version is a
Markdown policy of N paragraphs; every later version applies one random change to the
previous one: substantive (sentences, list items or a section rewritten, inserted or
deleted), noise ("Updated: N days ago" counters, "Effective" date formats), flapping
(an error page, then the previous text restored) or formatting (link tracking ids,
soft hyphens, non-breaking spaces, re-wrapping, heading and bullet markup).
Clause excerpts are plain sentences of the latest version; one clause in twenty quotes
a sentence that only older versions contain (a "changed" clause).

Standard library only and deterministic: the output depends only on the arguments.
"""

import argparse
import datetime
import json
import os
import random
import re
import shutil
import sys

# ---------------------------------------------------------------------------
# Vocabulary

SUBJECTS = ["You", "Users", "Customers", "Developers", "Account holders", "Organizations",
            "End users", "Authorized users", "Subscribers", "Partners"]
MODALS = ["may not", "must not", "shall not", "agree not to", "are not permitted to",
          "must", "are required to", "agree to", "should", "are expected to"]
VERBS = ["use", "access", "distribute", "publish", "collect", "store", "transmit",
         "generate", "share", "disclose", "process", "modify", "circumvent", "promote",
         "facilitate", "develop", "deploy", "upload", "download", "sell", "license",
         "reverse engineer", "scrape", "monitor", "interfere with", "misrepresent",
         "impersonate", "harvest", "exploit", "disrupt", "retain", "review", "report",
         "submit", "transfer", "configure", "integrate", "advertise", "solicit", "encrypt"]
ADJECTIVES = ["personal", "sensitive", "unlawful", "harmful", "automated", "unauthorized",
              "confidential", "deceptive", "fraudulent", "abusive", "malicious", "explicit",
              "commercial", "biometric", "financial", "political", "violent", "misleading",
              "excessive", "third-party", "public", "private", "restricted", "proprietary",
              "synthetic", "regulated", "hazardous", "offensive", "unsolicited", "encrypted",
              "aggregated", "anonymous", "prohibited", "essential", "reasonable", "applicable",
              "technical", "administrative", "temporary", "permanent"]
NOUNS = ["content", "data", "information", "materials", "software", "accounts", "services",
         "systems", "networks", "credentials", "messages", "communications", "models",
         "outputs", "prompts", "interfaces", "applications", "devices", "records", "images",
         "recordings", "identifiers", "transactions", "campaigns", "advertisements",
         "safeguards", "protections", "controls", "filters", "mechanisms", "features",
         "resources", "infrastructure", "datasets", "documents", "websites", "platforms",
         "products", "requests", "reports", "notices", "permissions", "licenses",
         "obligations", "activities", "practices", "procedures", "policies", "agreements",
         "rights", "weapons", "substances", "elections", "minors", "individuals",
         "communities", "organizations", "authorities", "researchers", "vendors"]
PPS = ["in connection with the Services", "without prior written consent",
       "through the Services or the Site", "on behalf of any third party",
       "in violation of applicable law", "for any commercial purpose",
       "by any automated means", "in a manner that could harm others",
       "outside the scope of this Policy", "without a lawful basis",
       "through any interface we provide", "in any jurisdiction where it is prohibited",
       "at any time and for any reason", "to the extent permitted by law",
       "as described in our documentation", "under the terms of this Agreement",
       "for the purpose of training other models", "in a misleading or deceptive way",
       "without appropriate safeguards in place", "within a reasonable period of time",
       "where required by applicable regulations", "in accordance with our instructions",
       "across multiple accounts or devices", "after your account has been closed",
       "during the term of your subscription", "for research or evaluation purposes",
       "in any public forum or channel", "using credentials that are not your own",
       "with the intent to evade detection", "beyond what is reasonably necessary"]
CONNECTORS = ["including", "such as", "as well as", "and in particular", "or otherwise"]
ACTIONS = ["suspend or terminate your access", "remove the relevant content",
           "restrict certain features", "notify the competent authorities",
           "disable the affected accounts", "request additional information",
           "limit the use of the Services", "report the activity to law enforcement",
           "take any other appropriate action", "withhold or reverse payments"]
LINK_TEXTS = ["contact our trust and safety team", "read our privacy notice",
              "follow our abuse reporting process", "visit the help center",
              "consult the developer documentation", "submit an appeal",
              "review the usage guidelines", "see the list of supported regions"]
LINK_PATHS = ["contact", "privacy", "report-abuse", "help", "docs", "appeals",
              "guidelines", "regions"]
UPDATE_UNITS = ["days", "weeks"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]

SYLLABLES = ["nor", "vex", "qua", "lin", "tes", "ora", "mi", "zen", "cal", "dra", "pix",
             "tor", "ven", "sa", "rel", "kio", "bra", "ton", "lu", "mar", "fen", "dal",
             "cor", "ix", "ae", "tra"]
PLATFORM_SUFFIXES = ["Cloud", "AI", "Mail", "Chat", "Labs", "Studio", "Hub", "Connect",
                     "Stream", "Search"]
OWNER_SUFFIXES = ["Inc.", "Ltd", "GmbH", "LLC", "S.A.", "Corporation", "B.V."]
DOC_AREAS = ["Developers", "Business", "Consumers", "Enterprise", "Education", "API",
             "Marketplace", "Advertising", "Creators", "Partners"]

PROVISIONS = [
    # id, name, group, description
    ("illegal-activity", "Illegal activity", "Acceptable use",
     "Prohibitions on using a service for unlawful or fraudulent purposes."),
    ("unsolicited-bulk-messaging", "Unsolicited bulk messaging", "Acceptable use",
     "Rules against sending spam and other unsolicited mass communications."),
    ("deceptive-impersonation", "Deceptive impersonation", "Acceptable use",
     "Rules against impersonating people or organizations and misleading others."),
    ("weapons", "Weapons", "Harmful content",
     "Prohibitions on designing, producing or acquiring weapons."),
    ("child-safety", "Child safety", "Harmful content",
     "Protections for minors and prohibitions on child sexual exploitation."),
    ("election-integrity", "Election integrity", "Harmful content",
     "Rules on political content, campaigning and election interference."),
    ("security-violations", "Security violations", "Platform integrity",
     "Prohibitions on attacking the security or availability of systems."),
    ("circumventing-safeguards", "Circumventing safeguards", "Platform integrity",
     "Rules against bypassing filters, rate limits and other protective measures."),
    ("model-extraction", "Model extraction", "Platform integrity",
     "Rules against scraping, distilling or reverse engineering models."),
    ("enforcement-and-suspension", "Enforcement and suspension", "Enforcement",
     "What the provider may do when a rule is broken."),
    ("content-review-and-reporting", "Content review and reporting", "Enforcement",
     "How content is reviewed and how violations are reported."),
    ("policy-exceptions", "Policy exceptions", "Enforcement",
     "When and how the provider grants exceptions to its rules."),
]

REGULATIONS = [
    ("gdpr", "General Data Protection Regulation", "European Union",
     "https://eur-lex.europa.eu/eli/reg/2016/679/oj"),
    ("eu-digital-services-act", "Digital Services Act", "European Union",
     "https://eur-lex.europa.eu/eli/reg/2022/2065/oj"),
    ("can-spam", "CAN-SPAM Act", "United States",
     "https://www.ftc.gov/legal-library/browse/rules/can-spam-rule"),
]

ERROR_PAGE = ("# This page isn't available\n\n"
              "Sorry, the link you followed may be broken, or the page may have been "
              "removed.\n\n[Go back to the home page](https://bench.example.org/)\n")

BASE_TIME = datetime.datetime(2024, 1, 1, 0, 0, 0)
TWO_YEARS = 730 * 24 * 3600

PLAIN_RE = re.compile(r"[\[\]*_`#<>]")


# ---------------------------------------------------------------------------
# Text generation

def np_(rng):
    """A noun phrase."""
    r = rng.random()
    if r < 0.45:
        return f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
    if r < 0.7:
        return f"{rng.choice(NOUNS)} or {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
    if r < 0.9:
        return f"any {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} of {rng.choice(NOUNS)}"
    return f"the {rng.choice(NOUNS)} of {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"


def cap(s):
    return s[0].upper() + s[1:]


def sentence(rng):
    """An English-like policy sentence ending with a period (plain text)."""
    t = rng.randrange(6)
    subj = rng.choice(SUBJECTS)
    if t == 0:
        s = f"{subj} {rng.choice(MODALS)} {rng.choice(VERBS)} {np_(rng)} {rng.choice(PPS)}"
    elif t == 1:
        s = (f"{subj} {rng.choice(MODALS)} {rng.choice(VERBS)} {np_(rng)}, "
             f"{rng.choice(CONNECTORS)} {np_(rng)}, {rng.choice(PPS)}")
    elif t == 2:
        s = (f"If {subj.lower()} {rng.choice(VERBS)} {np_(rng)} {rng.choice(PPS)}, we may "
             f"{rng.choice(ACTIONS)}")
    elif t == 3:
        s = f"{cap(rng.choice(PPS))}, {subj.lower()} {rng.choice(MODALS)} {rng.choice(VERBS)} {np_(rng)}"
    elif t == 4:
        s = (f"We may {rng.choice(ACTIONS)} if we believe that {np_(rng)} has been used "
             f"{rng.choice(PPS)}")
    else:
        s = (f"This Policy applies to {np_(rng)} and to {np_(rng)} that {subj.lower()} "
             f"{rng.choice(VERBS)} {rng.choice(PPS)}")
    if rng.random() < 0.3:
        s += f", {rng.choice(CONNECTORS)} {np_(rng)} and {np_(rng)}"
    return s + "."


def bold_sentence(rng):
    """A sentence with Markdown emphasis (never used as an excerpt)."""
    return f"**{cap(rng.choice(ADJECTIVES))} {rng.choice(NOUNS)}.** " + sentence(rng)


def link_sentence(rng):
    """A sentence with a Markdown link; the URL is filled in at render time."""
    i = rng.randrange(len(LINK_TEXTS))
    return (f"To {rng.choice(VERBS)} {np_(rng)} {rng.choice(PPS)}, please "
            f"[{LINK_TEXTS[i]}](@LINK:{LINK_PATHS[i]}@).")


def list_item(rng):
    return f"to {rng.choice(VERBS)} {np_(rng)} {rng.choice(PPS)}"


def heading(rng):
    r = rng.random()
    if r < 0.5:
        return f"{cap(rng.choice(ADJECTIVES))} {cap(rng.choice(NOUNS))}"
    if r < 0.8:
        return f"{cap(rng.choice(NOUNS))} and {cap(rng.choice(NOUNS))}"
    return f"Use of {cap(rng.choice(NOUNS))}"


def paragraph(rng, lo=2, hi=4):
    sents = [sentence(rng) for _ in range(rng.randint(lo, hi))]
    r = rng.random()
    if r < 0.12:
        sents.insert(rng.randrange(len(sents) + 1), link_sentence(rng))
    elif r < 0.2:
        sents[0] = bold_sentence(rng)
    return {"kind": "p", "sents": sents}


def bullet_list(rng):
    items = [list_item(rng) for _ in range(rng.randint(3, 6))]
    return {"kind": "ul", "items": items}


def is_plain(s):
    return not PLAIN_RE.search(s) and "@LINK" not in s


# ---------------------------------------------------------------------------
# Document model

class Doc:
    """A policy as blocks plus presentation state; render() gives the Markdown text."""

    def __init__(self, rng, title, n_paragraphs):
        self.title = title
        self.updated = rng.randint(1, 60) if rng.random() < 0.8 else None
        self.updated_unit = rng.choice(UPDATE_UNITS)
        d = BASE_TIME + datetime.timedelta(days=rng.randrange(-400, 600))
        self.effective = (d.day, d.month, d.year)
        self.effective_us = rng.random() < 0.5  # "September 15, 2025" vs "15 September 2025"
        # presentation (formatting-only) state
        self.utm = "%06x" % rng.randrange(16 ** 6)
        self.wrap = rng.choice([0, 0, 80])
        self.setext = False
        self.bullet = "*"
        self.shy = {}      # word -> word with a soft hyphen
        self.nbsp = set()  # (w1, w2) pairs joined by a no-break space
        # content
        blocks = [{"kind": "p", "sents": [
            f"This Policy governs your use of the services offered by the provider and its "
            f"affiliates.", link_sentence(rng)] + [sentence(rng) for _ in range(2)]}]
        since_heading = 1
        next_heading = rng.randint(4, 6)
        for _ in range(n_paragraphs - 1):
            if since_heading >= next_heading:
                blocks.append({"kind": "h", "text": heading(rng)})
                since_heading = 0
                next_heading = rng.randint(4, 6)
            blocks.append(paragraph(rng))
            since_heading += 1
            if rng.random() < 0.15:
                blocks.append(bullet_list(rng))
        self.blocks = blocks

    def clone(self):
        c = Doc.__new__(Doc)
        c.__dict__.update(self.__dict__)
        c.blocks = [dict(b, sents=list(b["sents"])) if b["kind"] == "p" else
                    dict(b, items=list(b["items"])) if b["kind"] == "ul" else dict(b)
                    for b in self.blocks]
        c.shy = dict(self.shy)
        c.nbsp = set(self.nbsp)
        return c

    # -- rendering ---------------------------------------------------------

    def effective_text(self):
        d, m, y = self.effective
        if self.effective_us:
            return f"Effective {MONTHS[m - 1]} {d}, {y}"
        return f"Effective {d} {MONTHS[m - 1]} {y}"

    def _inline(self, s):
        for w1, w2 in sorted(self.nbsp):
            s = s.replace(f" {w1} {w2} ", f" {w1}\u00a0{w2} ")
        for w, shy in sorted(self.shy.items()):
            s = re.sub(r"\b%s\b" % re.escape(w), shy, s)
        return re.sub(r"@LINK:([a-z-]+)@",
                      lambda m: f"https://bench.example.org/{m.group(1)}?utm_source=terms&utm_id={self.utm}",
                      s)

    def _wrapped(self, text, first="", rest=""):
        if not self.wrap:
            return first + text
        # greedy wrap at spaces only (a no-break space never breaks); faster than textwrap
        words = text.split(" ")
        lines, cur, n = [], [first + words[0]], len(first) + len(words[0])
        for w in words[1:]:
            if n + 1 + len(w) > self.wrap:
                lines.append(" ".join(cur))
                cur, n = [rest + w], len(rest) + len(w)
            else:
                cur.append(w)
                n += 1 + len(w)
        lines.append(" ".join(cur))
        return "\n".join(lines)

    def _heading(self, text, level):
        if self.setext:
            return text + "\n" + ("=" if level == 1 else "-") * len(text)
        return "#" * level + " " + text

    def render(self):
        out = [self._heading(self.title, 1)]
        if self.updated is not None:
            out.append(f"Updated: {self.updated} {self.updated_unit} ago")
        out.append(self.effective_text())
        for b in self.blocks:
            if b["kind"] == "h":
                out.append(self._heading(self._inline(b["text"]), 2))
            elif b["kind"] == "p":
                out.append(self._wrapped(self._inline(" ".join(b["sents"]))))
            else:
                items = b["items"]
                lines = []
                for i, it in enumerate(items):
                    end = "." if i == len(items) - 1 else ";"
                    lines.append(self._wrapped(self._inline(it + end),
                                               self.bullet + "   ", "    "))
                out.append("\n".join(lines))
        return "\n\n".join(out) + "\n"

    # -- what a clause can quote -----------------------------------------------

    def plain_sentences(self):
        """Plain-text sentences and list items (without Markdown), in document order."""
        res = []
        for b in self.blocks:
            if b["kind"] == "p":
                res.extend(s for s in b["sents"] if is_plain(s))
            elif b["kind"] == "ul":
                n = len(b["items"])
                res.extend(it + ("." if i == n - 1 else ";")
                           for i, it in enumerate(b["items"]) if is_plain(it))
        return res

    def words(self):
        ws = set()
        for b in self.blocks:
            texts = b["sents"] if b["kind"] == "p" else b["items"] if b["kind"] == "ul" else [b["text"]]
            for t in texts:
                ws.update(re.findall(r"[A-Za-z]+", re.sub(r"@LINK:[a-z-]+@", "", t)))
        return ws

    # -- changes ---------------------------------------------------------------

    def substantive(self, rng):
        """Rewrite, insert or delete 1-3 sentences or list items, or add a section."""
        done = []
        for _ in range(rng.randint(1, 3)):
            op = rng.choices(["rewrite", "edit-words", "insert", "delete", "list", "section"],
                             [3, 3, 2, 2, 2, 1])[0]
            paras = [b for b in self.blocks if b["kind"] == "p"]
            lists = [b for b in self.blocks if b["kind"] == "ul"]
            if op == "list" and not lists:
                op = "insert"
            if op == "rewrite":
                b = rng.choice(paras)
                b["sents"][rng.randrange(len(b["sents"]))] = sentence(rng)
            elif op == "edit-words":
                # swap 1-3 nouns or adjectives for others of the same kind
                b = rng.choice(paras)
                i = rng.randrange(len(b["sents"]))
                words = b["sents"][i].split(" ")
                spots = [j for j, w in enumerate(words)
                         if w.rstrip(".,;") in NOUNS or w.rstrip(".,;") in ADJECTIVES]
                if not spots:
                    b["sents"][i] = sentence(rng)
                for j in rng.sample(spots, min(len(spots), rng.randint(1, 3))):
                    w = words[j].rstrip(".,;")
                    pool = NOUNS if w in NOUNS else ADJECTIVES
                    words[j] = rng.choice([x for x in pool if x != w]) + words[j][len(w):]
                if spots:
                    b["sents"][i] = " ".join(words)
            elif op == "insert":
                b = rng.choice(paras)
                b["sents"].insert(rng.randrange(len(b["sents"]) + 1), sentence(rng))
            elif op == "delete":
                b = rng.choice([p for p in paras if len(p["sents"]) > 1] or paras)
                if len(b["sents"]) > 1:
                    del b["sents"][rng.randrange(len(b["sents"]))]
                else:
                    b["sents"].append(sentence(rng))
            elif op == "list":
                b = rng.choice(lists)
                r = rng.random()
                if r < 0.4 or len(b["items"]) <= 2:
                    b["items"].insert(rng.randrange(len(b["items"]) + 1), list_item(rng))
                elif r < 0.7:
                    del b["items"][rng.randrange(len(b["items"]))]
                else:
                    b["items"][rng.randrange(len(b["items"]))] = list_item(rng)
            else:
                heads = [i for i, b in enumerate(self.blocks) if b["kind"] == "h"]
                at = rng.choice(heads) if heads and rng.random() < 0.7 else len(self.blocks)
                new = [{"kind": "h", "text": heading(rng)}]
                new += [paragraph(rng) for _ in range(rng.randint(1, 3))]
                if rng.random() < 0.3:
                    new.append(bullet_list(rng))
                self.blocks[at:at] = new
            done.append(op)
        return "substantive: " + ", ".join(done)

    def noise(self, rng):
        """Only a counter or a date format changes."""
        if self.updated is not None and rng.random() < 0.6:
            old = self.updated
            while self.updated == old:
                self.updated = rng.randint(1, 60)
            return "noise: updated counter"
        self.effective_us = not self.effective_us
        return "noise: effective date format"

    def formatting(self, rng):
        """Only what a reader does not see changes."""
        has_links = any(b["kind"] == "p" and any("@LINK" in s for s in b["sents"])
                        for b in self.blocks)
        ops = ["shy", "nbsp", "wrap", "headings"]
        if has_links:
            ops += ["utm", "utm"]
        if any(b["kind"] == "ul" for b in self.blocks):
            ops.append("bullets")
        op = rng.choice(ops)
        if op == "utm":
            old = self.utm
            while self.utm == old:
                self.utm = "%06x" % rng.randrange(16 ** 6)
        elif op == "shy":
            cands = sorted(w for w in self.words() if len(w) >= 8 and w not in self.shy)
            for w in rng.sample(cands, min(len(cands), rng.randint(1, 3))):
                k = len(w) // 2
                self.shy[w] = w[:k] + "\u00ad" + w[k:]
        elif op == "nbsp":
            for _ in range(rng.randint(1, 3)):
                p = rng.choice(self.plain_sentences()).rstrip(".;").split(" ")
                j = rng.randrange(1, len(p) - 2)
                self.nbsp.add((p[j], p[j + 1]))
        elif op == "wrap":
            self.wrap = rng.choice([w for w in (0, 72, 80, 100) if w != self.wrap])
        elif op == "headings":
            self.setext = not self.setext
        else:
            self.bullet = "-" if self.bullet == "*" else "*"
        return "formatting: " + op


# ---------------------------------------------------------------------------
# Normalisation used to check excerpts (mirrors SPEC section 3, roughly)

def norm(s):
    import unicodedata
    s = unicodedata.normalize("NFKC", s.replace("\u00ad", ""))
    s = s.replace("\u00a0", " ")
    s = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", s)
    s = re.sub(r"[*_`]", "", s)
    return re.sub(r"\s+", " ", s).strip()


# ---------------------------------------------------------------------------
# Site

def yq(s):
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(s, ensure_ascii=False)


_made = set()


def write(path, text):
    d = os.path.dirname(path)
    if d not in _made:
        os.makedirs(d, exist_ok=True)
        _made.add(d)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def timestamps(rng, n):
    secs = sorted(rng.sample(range(TWO_YEARS), n))
    return [(BASE_TIME + datetime.timedelta(seconds=s)).strftime("%Y-%m-%dT%H-%M-%SZ")
            for s in secs]


def history(rng, doc, n_versions):
    """[(text, kind, plain sentences)] for every version, oldest first."""
    versions = [(doc.render(), "first", doc.plain_sentences())]
    cur = doc
    i = 1
    while i < n_versions:
        # flapping needs room for the restoring version, and never ends a history
        kinds = ["substantive", "noise", "formatting"] + (["flapping"] if i <= n_versions - 2 else [])
        weights = [50, 20, 20] + ([10] if i <= n_versions - 2 else [])
        kind = rng.choices(kinds, weights)[0]
        if kind == "flapping":
            prev = versions[-1]
            versions.append((ERROR_PAGE, "noise: flapping to an error page", []))
            versions.append((prev[0], "noise: flapping back", prev[2]))
            i += 2
            continue
        for _ in range(20):
            nxt = cur.clone()
            what = getattr(nxt, kind)(rng)
            text = nxt.render()
            if text != versions[-1][0]:
                break
        else:
            raise SystemExit("could not derive a different version")
        cur = nxt
        versions.append((text, what, nxt.plain_sentences()))
        i += 1
    return versions


def platform_name(rng):
    stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
    return f"{stem.capitalize()} {rng.choice(PLATFORM_SUFFIXES)}", stem.capitalize()


def generate(args):
    root = os.path.join(args.out_dir, "content")
    if os.path.exists(root) and os.listdir(root):
        if not args.force:
            sys.exit(f"{root} exists and is not empty (use --force to replace it)")
        shutil.rmtree(root)
    expected = {"documents": {}, "clauses": {}}

    write(os.path.join(root, "site.yaml"),
          "title: Bench Atlas\n"
          "base_url: https://bench.example.org/\n"
          f"description: {yq('A synthetic clausebook site for benchmarks.')}\n"
          "attribution: >-\n"
          "  Synthetic policy versions generated by bench/gen_site.py in the style of\n"
          "  [Open Terms Archive](https://opentermsarchive.org/) datasets.\n")
    for pid, name, group, desc in PROVISIONS:
        write(os.path.join(root, "provisions", pid + ".yaml"),
              f"name: {yq(name)}\ngroup: {yq(group)}\ndescription: {yq(desc)}\n")
    for rid, name, jur, url in REGULATIONS:
        write(os.path.join(root, "regulations", rid + ".yaml"),
              f"name: {yq(name)}\njurisdiction: {yq(jur)}\nurl: {yq(url)}\n")
    write(os.path.join(root, "pages", "methodology.md"),
          "---\ntitle: Methodology\n---\n\n"
          "This site is generated by `bench/gen_site.py`. Every policy version is synthetic:\n"
          "later versions derive from earlier ones by substantive edits, noise (dates and\n"
          "counters), flapping to an error page, and formatting-only changes.\n")

    width = max(4, len(str(args.platforms)))
    dwidth = max(2, len(str(args.documents_per_platform)))
    clause_no = 0
    for p in range(1, args.platforms + 1):
        pid = f"p{p:0{width}d}"
        prng = random.Random(f"{args.seed}:{pid}")
        name, owner = platform_name(prng)
        owner = f"{owner} {prng.choice(OWNER_SUFFIXES)}"
        pdir = os.path.join(root, "platforms", pid)
        write(os.path.join(pdir, "platform.yaml"),
              f"name: {yq(name)}\nowner: {yq(owner)}\n"
              f"url: {yq(f'https://{pid}.bench.example.org/')}\n"
              f"description: {yq(f'A synthetic platform for benchmarks. ' + sentence(prng))}\n")
        docs = {}
        for d in range(1, args.documents_per_platform + 1):
            did = f"doc{d:0{dwidth}d}"
            drng = random.Random(f"{args.seed}:{pid}:{did}")
            dtype = "Acceptable Use Policy" if d % 2 == 1 else "Terms of Service"
            title = f"{name} {dtype}"
            if d > 2:
                title += f" ({DOC_AREAS[(d - 3) // 2 % len(DOC_AREAS)]}{'' if d <= 22 else ' ' + str(d)})"
            ddir = os.path.join(pdir, "documents", did)
            write(os.path.join(ddir, "document.yaml"),
                  f"title: {yq(title)}\ntype: {yq(dtype)}\n"
                  f"url: {yq(f'https://{pid}.bench.example.org/legal/{did}')}\n")
            doc = Doc(drng, title, args.paragraphs)
            versions = history(drng, doc, args.versions)
            stamps = timestamps(drng, args.versions)
            for ts, (text, _, _) in zip(stamps, versions):
                write(os.path.join(ddir, "snapshots", ts + ".md"), text)
            expected["documents"][f"{pid}/{did}"] = [
                {"timestamp": ts, "change": kind} for ts, (_, kind, _) in zip(stamps, versions)]
            docs[did] = (versions, stamps)

        crng = random.Random(f"{args.seed}:{pid}:clauses")
        used = set()
        for c in range(args.clauses_per_platform):
            prov = PROVISIONS[clause_no % len(PROVISIONS)]
            changed_wanted = clause_no % 20 == 3
            clause_no += 1
            did = sorted(docs)[c % len(docs)]
            versions, stamps = docs[did]
            latest = versions[-1][2]
            latest_norm = norm(versions[-1][0])
            state, excerpt = "verified", None
            if changed_wanted:
                gone = []
                for k, (_, _, sents) in enumerate(versions[:-1]):
                    gone += [(s, stamps[k]) for s in sents
                             if s not in latest and norm(s) not in latest_norm and (did, s) not in used]
                if gone:
                    excerpt, _ = crng.choice(gone)
                    state = "changed"
            if excerpt is None:
                cands = [s for s in latest if (did, s) not in used]
                excerpt = crng.choice(cands or latest)
            used.add((did, excerpt))
            cid = f"c{c + 1:02d}-{prov[0]}"
            ctitle = f"{prov[1]}: {crng.choice(ADJECTIVES)} {crng.choice(NOUNS)}"
            s = sentence(crng)
            summary = f"This clause establishes that {s[0].lower()}{s[1:]} {sentence(crng)}"
            body = (f"title: {yq(ctitle)}\ndocument: {did}\nprovision: {prov[0]}\n"
                    f"excerpt: {yq(excerpt)}\nsummary: {yq(summary)}\n")
            if crng.random() < 0.7:
                body += f"obligations: {yq(sentence(crng))}\n"
            if crng.random() < 0.4:
                regs = sorted(crng.sample([r[0] for r in REGULATIONS], crng.randint(1, 2)))
                body += f"regulations: [{', '.join(regs)}]\n"
            write(os.path.join(pdir, "clauses", cid + ".yaml"), body)
            expected["clauses"][f"{pid}/{cid}"] = {"document": did, "provision": prov[0],
                                                   "state": state}

    with open(os.path.join(args.out_dir, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description="Generate a synthetic clausebook site for benchmarks.")
    ap.add_argument("out_dir", metavar="OUT_DIR")
    ap.add_argument("--platforms", type=int, required=True, metavar="P")
    ap.add_argument("--documents-per-platform", type=int, required=True, metavar="D")
    ap.add_argument("--versions", type=int, required=True, metavar="V")
    ap.add_argument("--clauses-per-platform", type=int, required=True, metavar="C")
    ap.add_argument("--paragraphs", type=int, required=True, metavar="N")
    ap.add_argument("--seed", type=int, default=1, metavar="S")
    ap.add_argument("--force", action="store_true", help="replace an existing OUT_DIR/content")
    args = ap.parse_args()
    for k in ("platforms", "documents_per_platform", "versions", "paragraphs"):
        if getattr(args, k) < 1:
            ap.error(f"--{k.replace('_', '-')} must be at least 1")
    if args.clauses_per_platform < 0:
        ap.error("--clauses-per-platform must not be negative")
    generate(args)


if __name__ == "__main__":
    main()
