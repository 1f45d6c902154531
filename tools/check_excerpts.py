#!/usr/bin/env python3
"""Check the sample content of a clausebook site.

For every clause under content/platforms/<platform>/clauses/<clause>.yaml this script
verifies that the excerpt is a verbatim quote of the *latest* snapshot (the snapshot
with the greatest timestamp) of the document it cites, after normalising both texts:

  * Unicode NFKC;
  * soft hyphens (U+00AD) removed, NBSP turned into a space;
  * curly quotes turned into straight quotes;
  * Markdown emphasis markers (* and _) removed;
  * runs of whitespace collapsed into one space.

It also checks that every id (file or folder name) matches ^[a-z0-9][a-z0-9-]*$, that
clause records use only the keys of the specification, and that each clause's document,
provision and regulations exist.

Usage:  python3 tools/check_excerpts.py [SITE_ROOT]    (default: the parent of tools/)
Exit status: 0 when everything passes, 1 when any check fails, 2 on usage errors.
Standard library only; PyYAML is used when it is installed, otherwise a minimal parser
for the simple YAML these records are written in.
"""

import html
import json
import os
import re
import sys
import unicodedata

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
TIMESTAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}-\d{2}-\d{2}Z)?$")
SNAPSHOT_EXTS = (".md", ".txt", ".html")

CLAUSE_KEYS = {"title", "document", "provision", "excerpt", "summary", "obligations",
               "regulations", "tags", "draft", "aliases"}
CLAUSE_REQUIRED = {"title", "document", "provision", "excerpt", "summary"}

QUOTES = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
}
QUOTE_TABLE = str.maketrans(QUOTES)
WS_RE = re.compile(r"\s+")


def normalise(text):
    """The normalisation applied to both the excerpt and the snapshot text."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u00ad", "").replace("\u00a0", " ")
    text = text.translate(QUOTE_TABLE)
    text = text.replace("*", "").replace("_", "")
    return WS_RE.sub(" ", text).strip()


def html_to_text(source):
    """Crude visible-text extraction for .html snapshots (scripts and styles dropped)."""
    source = re.sub(r"(?is)<(script|style|noscript)\b.*?</\1\s*>", " ", source)
    source = re.sub(r"(?s)<!--.*?-->", " ", source)
    source = re.sub(r"(?s)<[^>]+>", " ", source)
    return html.unescape(source)


# --------------------------------------------------------------------------- YAML

def _unquote(value):
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        try:
            return json.loads(value)  # JSON escapes are a subset of YAML's
        except ValueError:
            return value[1:-1]
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    return value


def _scalar(value):
    value = value.strip()
    if value.startswith("[") and value.endswith("]"):
        inner = value[1:-1].strip()
        return [_unquote(v) for v in inner.split(",")] if inner else []
    if value in ("true", "false"):
        return value == "true"
    if re.fullmatch(r"-?\d+", value):
        return int(value)
    return _unquote(value)


def _block_scalar(indicator, lines):
    """Folded (>) or literal (|) block content; `lines` are already de-indented."""
    if indicator.startswith("|"):
        text = "\n".join(lines)
    else:
        paragraphs, current = [], []
        for line in lines:
            if line.strip():
                current.append(line.strip())
            else:
                paragraphs.append(" ".join(current))
                current = []
        paragraphs.append(" ".join(current))
        text = "\n".join(paragraphs)
    return text.rstrip("\n") if indicator.endswith("-") else text.rstrip("\n") + "\n"


def mini_yaml(text):
    """A minimal parser for flat records: `key: value`, block scalars, flow lists,
    block lists and one level of nested `key: value` maps."""
    lines = [l for l in text.splitlines() if not l.lstrip().startswith("#")]
    data, i = {}, 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        match = re.match(r"^([A-Za-z0-9_-]+):(?:\s+(.*))?$", line)
        if not match or line[0].isspace():
            raise ValueError(f"line {i + 1}: cannot parse {line!r}")
        key, value = match.group(1), (match.group(2) or "").strip()
        i += 1
        body = []
        while i < len(lines) and (not lines[i].strip() or lines[i][0].isspace()):
            body.append(lines[i])
            i += 1
        while body and not body[-1].strip():
            body.pop()
        if value[:1] in (">", "|"):
            indent = min(len(l) - len(l.lstrip()) for l in body if l.strip()) if body else 0
            data[key] = _block_scalar(value, [l[indent:] for l in body])
        elif value:
            data[key] = _scalar(value)
        elif body and body[0].strip().startswith("- "):
            data[key] = [_unquote(l.strip()[2:]) for l in body if l.strip()]
        elif body:
            indent = min(len(l) - len(l.lstrip()) for l in body if l.strip())
            data[key] = mini_yaml("\n".join(l[indent:] for l in body))
        else:
            data[key] = None
    return data


try:
    import yaml as _pyyaml  # type: ignore

    def load_yaml(text):
        return _pyyaml.safe_load(text) or {}
except ImportError:  # pragma: no cover - exercised only without PyYAML
    def load_yaml(text):
        return mini_yaml(text)


# --------------------------------------------------------------------------- checks

class Checker:
    def __init__(self, root):
        self.root = root
        self.content = os.path.join(root, "content")
        self.failures = []
        self.passed = 0

    def fail(self, path, message):
        self.failures.append((os.path.relpath(path, self.root), message))

    def check_id(self, path, name):
        if not ID_RE.match(name):
            self.fail(path, f"id {name!r} does not match ^[a-z0-9][a-z0-9-]*$")

    def ids_in(self, folder, suffix):
        """Ids of the files with `suffix` in `folder` (checking each name)."""
        ids = set()
        if not os.path.isdir(folder):
            return ids
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            if name.startswith(".") or not name.endswith(suffix) or not os.path.isfile(path):
                continue
            ident = name[: -len(suffix)]
            self.check_id(path, ident)
            ids.add(ident)
        return ids

    def load(self, path):
        try:
            with open(path, encoding="utf-8") as handle:
                data = load_yaml(handle.read())
        except Exception as error:  # noqa: BLE001 - report any parse failure
            self.fail(path, f"cannot parse YAML: {error}")
            return None
        if not isinstance(data, dict):
            self.fail(path, "a record must be a YAML mapping")
            return None
        return data

    def snapshots(self, document_dir):
        """Sorted (timestamp, path) pairs of a document's snapshots."""
        folder = os.path.join(document_dir, "snapshots")
        found = []
        if not os.path.isdir(folder):
            return found
        for name in os.listdir(folder):
            path = os.path.join(folder, name)
            stem, ext = os.path.splitext(name)
            if name.startswith(".") or not os.path.isfile(path):
                continue
            if ext not in SNAPSHOT_EXTS or not TIMESTAMP_RE.match(stem):
                self.fail(path, "snapshot names must be <YYYY-MM-DD[THH-MM-SSZ]>.md|.txt|.html")
                continue
            found.append((stem, path))
        # Both timestamp forms sort correctly as strings.
        return sorted(found)

    def snapshot_text(self, path):
        with open(path, encoding="utf-8", errors="replace") as handle:
            source = handle.read()
        if path.endswith(".html"):
            source = html_to_text(source)
        return normalise(source)

    def run(self):
        provisions = self.ids_in(os.path.join(self.content, "provisions"), ".yaml")
        regulations = self.ids_in(os.path.join(self.content, "regulations"), ".yaml")
        self.ids_in(os.path.join(self.content, "pages"), ".md")
        platforms_dir = os.path.join(self.content, "platforms")
        if not os.path.isdir(platforms_dir):
            self.fail(platforms_dir, "no platforms folder")
            return
        for platform in sorted(os.listdir(platforms_dir)):
            platform_dir = os.path.join(platforms_dir, platform)
            if platform.startswith(".") or not os.path.isdir(platform_dir):
                continue
            self.check_id(platform_dir, platform)
            documents = {}
            documents_dir = os.path.join(platform_dir, "documents")
            if os.path.isdir(documents_dir):
                for document in sorted(os.listdir(documents_dir)):
                    document_dir = os.path.join(documents_dir, document)
                    if document.startswith(".") or not os.path.isdir(document_dir):
                        continue
                    self.check_id(document_dir, document)
                    documents[document] = self.snapshots(document_dir)
            clause_ids = self.ids_in(os.path.join(platform_dir, "clauses"), ".yaml")
            for clause in sorted(clause_ids):
                path = os.path.join(platform_dir, "clauses", clause + ".yaml")
                self.check_clause(path, documents, provisions, regulations)

    def check_clause(self, path, documents, provisions, regulations):
        record = self.load(path)
        if record is None:
            return
        ok = True
        for key in sorted(set(record) - CLAUSE_KEYS):
            self.fail(path, f"unknown key {key!r}")
            ok = False
        for key in sorted(CLAUSE_REQUIRED - set(record)):
            self.fail(path, f"missing required key {key!r}")
            ok = False
        provision = record.get("provision")
        if provision is not None and provision not in provisions:
            self.fail(path, f"provision {provision!r} does not exist")
            ok = False
        for regulation in record.get("regulations") or []:
            if regulation not in regulations:
                self.fail(path, f"regulation {regulation!r} does not exist")
                ok = False
        document = record.get("document")
        excerpt = record.get("excerpt")
        if document is not None and document not in documents:
            self.fail(path, f"document {document!r} does not exist for this platform")
            ok = False
        elif document is not None and isinstance(excerpt, str):
            snapshots = documents[document]
            if not snapshots:
                self.fail(path, f"document {document!r} has no snapshots")
                ok = False
            else:
                wanted = normalise(excerpt)
                latest_ts, latest_path = snapshots[-1]
                if not wanted:
                    self.fail(path, "excerpt is empty")
                    ok = False
                elif wanted not in self.snapshot_text(latest_path):
                    older = [ts for ts, p in snapshots[:-1] if wanted in self.snapshot_text(p)]
                    where = (f"; it appears only in older snapshots (last: {older[-1]})"
                             if older else "; it appears in no snapshot")
                    self.fail(path, f"excerpt not found in the latest snapshot {latest_ts}{where}:"
                                    f"\n      {wanted[:160]}{'...' if len(wanted) > 160 else ''}")
                    ok = False
        if ok:
            self.passed += 1


def main(argv):
    if len(argv) > 2 or (len(argv) == 2 and argv[1] in ("-h", "--help")):
        print(__doc__.strip())
        return 2
    root = argv[1] if len(argv) == 2 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if not os.path.isdir(os.path.join(root, "content")):
        print(f"error: {root} has no content/ folder", file=sys.stderr)
        return 2
    checker = Checker(root)
    checker.run()
    for path, message in checker.failures:
        print(f"FAIL {path}: {message}")
    print(f"{checker.passed} clause(s) passed; {len(checker.failures)} failure(s).")
    return 1 if checker.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
