#!/usr/bin/env python3
"""Builds a clausebook site from Open Terms Archive version histories.

An OTA versions repository (a bare git mirror) holds one file per document
(`<service>/<terms type>.md`) and one commit per recorded version. This writes
each chosen document's versions as `snapshots/<timestamp>.md`, named by the
commit date, with the `-2`, `-3`... suffix for versions recorded in the same
second (SPEC §2), so nothing is lost.

    ota_site.py OUT REPO[:PATH_PREFIX] ... [--docs "Service/Type" ...] [--limit N]

Data: Open Terms Archive, ODC-BY 1.0; the site's attribution says so.
"""
import argparse, json, os, re, subprocess, sys
from collections import Counter


def slug(s):
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-") or "x"


def quoted(s):
    """`s` as a YAML double-quoted scalar (JSON's string syntax is one), whatever it holds."""
    return json.dumps(s, ensure_ascii=False)


def git(repo, *args, data=None):
    return subprocess.run(["git", "--git-dir", repo, *args], input=data,
                          capture_output=True, check=True).stdout


def history(repo, path):
    """(timestamp, blob) of every version of `path`, oldest first."""
    out = git(repo, "log", "--reverse", "--format=%H %ad", "--date=format-local:%Y-%m-%dT%H-%M-%SZ",
              "--", path).decode()
    rows = [l.split(" ", 1) for l in out.splitlines() if l]
    seen = Counter()
    result = []
    for commit, ts in rows:
        seen[ts] += 1
        name = ts if seen[ts] == 1 else f"{ts}-{seen[ts]}"
        result.append((name, f"{commit}:{path}"))
    return result


def blobs(repo, specs):
    """Contents of `commit:path` specs, via one `git cat-file --batch`."""
    out = git(repo, "cat-file", "--batch", data="".join(s + "\n" for s in specs).encode())
    contents, i = [], 0
    for _ in specs:
        header_end = out.index(b"\n", i)
        header = out[i:header_end].split()
        if header[-1] == b"missing":
            contents.append(None)
            i = header_end + 1
            continue
        size = int(header[2])
        start = header_end + 1
        contents.append(out[start:start + size])
        i = start + size + 1
    return contents


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("repos", nargs="+")
    ap.add_argument("--docs", nargs="*", default=None, help="Service/Type to export (default: all)")
    ap.add_argument("--limit", type=int, default=0, help="at most N documents per repository")
    a = ap.parse_args()
    os.environ["TZ"] = "UTC"
    content = os.path.join(a.out, "content")
    os.makedirs(os.path.join(content, "platforms"), exist_ok=True)
    with open(os.path.join(content, "site.yaml"), "w") as f:
        f.write("title: OTA fidelity\nbase_url: https://example.org/\n"
                "attribution: Data from Open Terms Archive, ODC-BY 1.0.\n")
    for repo in a.repos:
        files = [p for p in git(repo, "ls-tree", "-r", "--name-only", "HEAD").decode().splitlines()
                 if p.endswith(".md") and "/" in p]
        if a.docs is not None:
            files = [p for p in files if p[:-3] in a.docs]
        if a.limit:
            files = files[:a.limit]
        for path in files:
            service, terms = path[:-3].split("/", 1)
            p, d = slug(service), slug(terms)
            pdir = os.path.join(content, "platforms", p)
            os.makedirs(pdir, exist_ok=True)
            with open(os.path.join(pdir, "platform.yaml"), "w") as f:
                f.write(f"name: {quoted(service)}\nurl: https://opentermsarchive.org/\n")
            ddir = os.path.join(pdir, "documents", d)
            sdir = os.path.join(ddir, "snapshots")
            os.makedirs(sdir, exist_ok=True)
            with open(os.path.join(ddir, "document.yaml"), "w") as f:
                f.write(f"title: {quoted(service + ' ' + terms)}\ntype: {quoted(terms)}\n"
                        "url: https://opentermsarchive.org/\n")
            versions = history(repo, path)
            for (name, _), body in zip(versions, blobs(repo, [s for _, s in versions])):
                if body is not None:
                    with open(os.path.join(sdir, name + ".md"), "wb") as f:
                        f.write(body)
            print(f"{service}/{terms}: {len(versions)} versions", file=sys.stderr)


if __name__ == "__main__":
    main()
