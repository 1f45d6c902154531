//! The guides in `docs/` followed as a reader follows them, in a temporary folder, so that their
//! commands and files cannot rot. A guide's fenced blocks are read in order:
//!
//! - ```` ```sh ````: commands, run one after the other: `clausebook …` with the binary under
//!   test (`serve` on a free port, asked for its home page, then stopped) and `cd DIR`. Each must
//!   succeed; any other command fails the test, so that nothing is skipped silently.
//! - ```` ```sh no-run ````: commands that need the network or other programs (`cargo install`,
//!   `git clone`, `rsync`…). Such a block must hold one of those and no `clausebook` command:
//!   a runnable command cannot hide in one.
//! - ```` ```text ```` right after a ```` ```sh ```` block (only blank lines between): what its
//!   commands print (each one's stdout, then its stderr), line for line, blank lines aside; `…`
//!   stands for any text in a line, and a line of `…` alone for any number of lines.
//! - any block after `<!-- file: PATH -->`: written to PATH, relative to the current folder; after
//!   `<!-- edit: PATH -->`: each top-level key of the block replaces that key's entry in the YAML
//!   file at PATH, where it may be commented out (as `init` and `new` write optional keys). A
//!   GitHub Actions workflow written under `.github/workflows/` has the `run:` lines that call
//!   clausebook run as the runner would run them, in the folder it was written from.
#![cfg(feature = "serve")]

use crate::harness::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The guides, by what their reader has before the first command; the other pages of `docs/`
/// are references.
const GUIDES: [(Start, &[&str]); 3] = [
    (Start::Nothing, &["install", "getting-started", "content"]),
    (Start::Site, &["theming", "deploying"]),
    (Start::SiteBesideOpenTermsArchive, &["importing"]),
];
const REFERENCES: [&str; 2] = ["reference", "theme"];

/// A project site on GitHub Pages, as `actions/configure-pages` gives its `base_url`: no final
/// slash, under the repository's name, which is then the path every link starts with.
const PAGES_BASE_URL: &str = "https://example.github.io/my-site";
const PAGES_ROOT: &str = "/my-site/";

#[test]
fn every_guide_runs_as_written() {
    for (start, guides) in &GUIDES {
        for guide in *guides {
            follow(guide, start);
        }
    }
}

/// A guide added to `docs/` is followed, and the README leads to each.
#[test]
fn every_guide_is_followed_and_linked_from_the_readme() {
    let pages: Vec<String> = siblings(&repo_root().join("docs"))
        .into_iter()
        .filter_map(|name| Some(name.strip_suffix(".md")?.to_string()))
        .collect();
    let guides = GUIDES.iter().flat_map(|(_, guides)| guides.iter().copied());
    let mut known: Vec<&str> = guides.clone().chain(REFERENCES).collect();
    known.sort_unstable();
    assert_eq!(pages, known);
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    for guide in guides {
        let link = format!("(docs/{guide}.md)");
        assert!(readme.contains(&link), "README.md has no link {link}");
    }
}

/// What the reader has before a guide's first command.
enum Start {
    /// An empty folder.
    Nothing,
    /// The starter site, `my-site`, as the current folder.
    Site,
    /// [`Start::Site`], with copies of Open Terms Archive data beside it, as the guide has the
    /// reader download them: a dataset, `../contrib-dataset`, and a versions repository,
    /// `../contrib-versions`, made of the sample site's versions from the *contrib* collection.
    SiteBesideOpenTermsArchive,
}

impl Start {
    /// Makes it in `dir`; returns the current folder.
    fn prepare(&self, dir: &Path) -> PathBuf {
        if let Start::Nothing = self {
            return dir.to_path_buf();
        }
        let mut command = Command::new(bin());
        command.arg("init").arg("my-site").current_dir(dir);
        let (code, stderr) = run_to_end(command);
        assert_eq!(code, 0, "{stderr}");
        if let Start::SiteBesideOpenTermsArchive = self {
            contrib_dataset(&dir.join("contrib-dataset"));
            contrib_versions(&dir.join("contrib-versions"));
        }
        dir.join("my-site")
    }
}

/// The sample site's versions of a document from the contrib collection: (name, text), oldest
/// first.
fn contrib_versions_of(document: &str) -> Vec<(String, String)> {
    let dir = repo_root().join("content/platforms").join(document);
    siblings(&dir.join("snapshots"))
        .into_iter()
        .map(|name| {
            let text = std::fs::read_to_string(dir.join("snapshots").join(&name)).unwrap();
            (name, text)
        })
        .collect()
}

/// A dataset as Open Terms Archive releases them, with Mailjet's Acceptable Use Policy.
fn contrib_dataset(dir: &Path) {
    let document = dir.join("Mailjet/Acceptable Use Policy");
    std::fs::create_dir_all(&document).unwrap();
    for (name, text) in contrib_versions_of("mailjet/documents/acceptable-use-policy") {
        std::fs::write(document.join(name), text).unwrap();
    }
    std::fs::write(dir.join("README.md"), "# Open Terms Archive — contrib\n").unwrap();
}

/// A versions repository with the history of Amazon Web Services' Acceptable Use Policy: a
/// commit per version, at the time it was recorded.
fn contrib_versions(dir: &Path) {
    let repo = Repository::new(dir);
    for (name, text) in contrib_versions_of("aws/documents/acceptable-use-policy") {
        // `2021-08-17T10-46-17Z.md` was recorded at 2021-08-17T10:46:17Z.
        let (date, time) = name.trim_end_matches(".md").split_once('T').unwrap();
        let at = format!("{date}T{}", time.replacen('-', ":", 2));
        repo.record("Amazon Web Services/Acceptable Use Policy.md", &text, &at);
    }
}

/// Follows `docs/<guide>.md` from `start`, failing the test at the first block that does not
/// do what the guide says.
fn follow(guide: &str, start: &Start) {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo_root().join(format!("docs/{guide}.md"))).unwrap();
    let mut reader = Reader {
        cwd: start.prepare(tmp.path()),
        printed: None,
    };
    let blocks = blocks(&text);
    assert!(
        blocks.iter().any(|b| b.info == "sh"),
        "{guide}.md runs no command"
    );
    for block in &blocks {
        if let Err(e) = reader.read(block) {
            panic!("docs/{guide}.md:{}: {e}", block.line);
        }
    }
}

/// A fenced block of a guide.
struct Block<'a> {
    /// The line of its opening fence, from 1.
    line: usize,
    /// Its info string: `sh`, `sh no-run`, `yaml`…
    info: &'a str,
    /// The comment on the line before it, `file: PATH` or `edit: PATH`, split at `: `.
    marker: Option<(&'a str, &'a str)>,
    /// Whether only blank lines part it from the block before, a ```` ```sh ```` one.
    after_sh: bool,
    text: String,
}

/// The fenced blocks of a Markdown text, in order.
fn blocks(markdown: &str) -> Vec<Block<'_>> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut open: Option<Block> = None;
    // The last line that is not blank, outside blocks, and whether a block ended on it.
    let mut last: Option<(&str, bool)> = None;
    for (i, line) in markdown.lines().enumerate() {
        if let Some(block) = &mut open {
            if line == "```" {
                last = Some((line, true));
                blocks.extend(open.take());
            } else {
                block.text.push_str(line);
                block.text.push('\n');
            }
        } else if let Some(info) = line.strip_prefix("```") {
            let marker = last
                .and_then(|(l, _)| l.strip_prefix("<!-- ")?.strip_suffix(" -->"))
                .and_then(|comment| comment.split_once(": "));
            let after_sh = last.is_some_and(|(_, fence)| fence)
                && blocks.last().is_some_and(|b| b.info == "sh");
            open = Some(Block {
                line: i + 1,
                info,
                marker,
                after_sh,
                text: String::new(),
            });
        } else if !line.trim().is_empty() {
            last = Some((line, false));
        }
    }
    assert!(open.is_none(), "a block is not closed");
    blocks
}

/// A reader of a guide: where they are, and what their last commands printed.
struct Reader {
    cwd: PathBuf,
    printed: Option<String>,
}

impl Reader {
    /// Does what the guide asks of the reader at a block: run it, write or edit a file with
    /// it, or compare it with what the commands before it printed.
    fn read(&mut self, block: &Block) -> Result<(), String> {
        let printed = self.printed.take();
        match (block.marker, block.info) {
            (Some((_, _)), "sh") => Err("a file or an edit is not tagged `sh`".into()),
            (Some(("file", path)), _) => self.write(path, &block.text),
            (Some(("edit", path)), _) => edit(&self.cwd.join(path), &block.text),
            (Some((what, _)), _) => Err(format!("unknown marker `{what}`")),
            (None, "sh") => {
                self.printed = Some(self.run(&block.text)?);
                Ok(())
            }
            (None, "sh no-run") => not_runnable(&block.text),
            (None, "text") if block.after_sh => {
                let printed = printed.ok_or("output shown after no command")?;
                shows(&block.text, &printed)
            }
            (None, info) if is_shell(info) => Err(format!(
                "commands are tagged `sh` (run here) or `sh no-run`, not `{info}`"
            )),
            _ => Ok(()),
        }
    }

    /// Writes a file of the guide; a workflow is also run.
    fn write(&self, path: &str, text: &str) -> Result<(), String> {
        let file = self.cwd.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).map_err(|e| e.to_string())?;
        std::fs::write(&file, text).map_err(|e| format!("{path}: {e}"))?;
        if path.starts_with(".github/workflows/") {
            run_workflow(&self.cwd, text)?;
        }
        Ok(())
    }

    /// Runs each command of a ```` ```sh ```` block; returns what they printed.
    fn run(&mut self, block: &str) -> Result<String, String> {
        let mut printed = String::new();
        for line in block.lines() {
            let words = words(line)?;
            let Some((command, args)) = words.split_first() else {
                continue;
            };
            match (command.as_str(), args) {
                ("cd", [dir]) => self.cwd = self.cwd.join(dir),
                ("clausebook", [serve, args @ ..]) if serve == "serve" => {
                    printed.push_str(&serve_home_page(&self.cwd, args)?);
                }
                ("clausebook", args) => printed.push_str(&clausebook(&self.cwd, args)?),
                _ => {
                    return Err(format!(
                        "`{line}`: only clausebook and cd are run; tag the block `sh no-run`"
                    ));
                }
            }
        }
        Ok(printed)
    }
}

/// Runs `clausebook <args…>` in `cwd`, which must succeed; returns its stdout, then its stderr.
fn clausebook(cwd: &Path, args: &[String]) -> Result<String, String> {
    let mut command = Command::new(bin());
    command.args(args).current_dir(cwd);
    let (code, stdout, stderr) = outputs(command);
    if code != 0 {
        return Err(format!("clausebook {args:?} exited with {code}:\n{stderr}"));
    }
    Ok(stdout + &stderr)
}

/// Runs `clausebook serve <args…>` in `cwd` on a free port, asks it for the home page, and
/// stops it; returns what it printed, its address written as the default one.
fn serve_home_page(cwd: &Path, args: &[String]) -> Result<String, String> {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let server = Server::start(cwd, &args);
    let home = http(server.port, "GET", "/");
    if home.status != 200 {
        return Err(format!("the home page is answered with {}", home.status));
    }
    let log = server.log.lock().unwrap().clone();
    Ok(log.replace(&server.url, "http://127.0.0.1:1111/"))
}

/// The words of a command line as a POSIX shell splits them, quotes removed and a `#` comment
/// left out; an error for anything this test would have to interpret otherwise (variables,
/// escapes, globs, pipes and redirections).
fn words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => words.extend(word.take()),
            '#' if word.is_none() => break,
            '"' | '\'' => {
                let rest = chars.as_str();
                let end = rest
                    .find(c)
                    .ok_or_else(|| format!("`{line}`: a quote is not closed"))?;
                let quoted = &rest[..end];
                if c == '"' && quoted.contains(['$', '`', '\\']) {
                    return Err(format!("`{line}`: a quoted string this test cannot expand"));
                }
                word.get_or_insert_default().push_str(quoted);
                chars = rest[end + 1..].chars();
            }
            '$' | '`' | '\\' | '|' | '&' | ';' | '<' | '>' | '(' | ')' | '*' | '?' | '[' | '~' => {
                return Err(format!("`{line}`: `{c}` is more shell than this test runs"));
            }
            _ => word.get_or_insert_default().push(c),
        }
    }
    words.extend(word);
    Ok(words)
}

/// Whether an info string tags commands, whatever else it says.
fn is_shell(info: &str) -> bool {
    let language = info.split([' ', ',', '{']).next().unwrap_or_default();
    ["sh", "bash", "shell", "console", "zsh", "shell-session"].contains(&language)
}

/// A ```` ```sh no-run ```` block holds a command this test cannot run, and no clausebook
/// command, which belongs in a block that is run.
fn not_runnable(block: &str) -> Result<(), String> {
    let commands: Vec<&str> = block
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|word| !word.starts_with('#'))
        .collect();
    if commands.contains(&"clausebook") {
        return Err("a clausebook command in a `sh no-run` block: move it to a `sh` block".into());
    }
    if commands.iter().all(|c| *c == "cd") {
        return Err("a `sh no-run` block with nothing that cannot be run: tag it `sh`".into());
    }
    Ok(())
}

/// Whether `printed` is what `shown` shows, line for line (blank lines aside, trailing spaces
/// ignored), `…` standing for any text in a line and a line of `…` alone for any lines.
fn shows(shown: &str, printed: &str) -> Result<(), String> {
    let lines = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| l.trim_end().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    };
    let (shown, printed) = (lines(shown), lines(printed));
    if same_lines(&shown, &printed) {
        Ok(())
    } else {
        Err(format!(
            "the output shown:\n{}\nis not what the commands print:\n{}",
            shown.join("\n"),
            printed.join("\n")
        ))
    }
}

fn same_lines(shown: &[String], printed: &[String]) -> bool {
    match shown.split_first() {
        None => printed.is_empty(),
        Some((gap, rest)) if gap == "…" => {
            (0..=printed.len()).any(|skip| same_lines(rest, &printed[skip..]))
        }
        Some((line, rest)) => printed.split_first().is_some_and(|(first, others)| {
            clausebook::text::matches_pattern(&line.replace('…', "*"), first)
                && same_lines(rest, others)
        }),
    }
}

/// Replaces, in the YAML file at `path`, the entry of each top-level key of `block` (its line
/// and the indented lines that continue its value) with the block's, the key's entry in the
/// file being commented out or not.
fn edit(path: &Path, block: &str) -> Result<(), String> {
    let mut lines: Vec<String> = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .lines()
        .map(str::to_string)
        .collect();
    for entry in entries(block) {
        let key = entry[0]
            .split_once(':')
            .map(|(key, _)| format!("{key}:"))
            .ok_or_else(|| format!("`{}` is not a key", entry[0]))?;
        let start = lines
            .iter()
            .position(|l| l.starts_with(&key))
            .or_else(|| {
                lines
                    .iter()
                    .position(|l| l.starts_with(&format!("# {key}")))
            })
            .ok_or_else(|| format!("{} has no `{key}`", path.display()))?;
        let continued = |l: &String| {
            if lines[start].starts_with('#') {
                l.starts_with("#  ")
            } else {
                l.starts_with(' ')
            }
        };
        let end = start
            + 1
            + lines[start + 1..]
                .iter()
                .take_while(|l| continued(l))
                .count();
        lines.splice(start..end, entry);
    }
    std::fs::write(path, lines.join("\n") + "\n").map_err(|e| e.to_string())
}

/// The top-level entries of a YAML block: each key's line with the indented lines after it.
fn entries(block: &str) -> Vec<Vec<String>> {
    let mut entries: Vec<Vec<String>> = Vec::new();
    for line in block.lines().filter(|l| !l.trim().is_empty()) {
        match entries.last_mut() {
            Some(entry) if line.starts_with(' ') => entry.push(line.to_string()),
            _ => entries.push(vec![line.to_string()]),
        }
    }
    entries
}

/// The parts of a GitHub Actions workflow this test reads.
#[derive(serde::Deserialize)]
struct Workflow {
    jobs: std::collections::BTreeMap<String, Job>,
}

#[derive(serde::Deserialize)]
struct Job {
    #[serde(default)]
    steps: Vec<Step>,
}

#[derive(serde::Deserialize)]
struct Step {
    uses: Option<String>,
    run: Option<String>,
    with: Option<With>,
}

#[derive(serde::Deserialize)]
struct With {
    path: Option<String>,
}

/// Runs the clausebook commands of a Pages workflow's `run:` steps in `cwd`, with the site's
/// address as `actions/configure-pages` gives it; checks that the folder the workflow uploads
/// was built there, every link in it under that address's path.
fn run_workflow(cwd: &Path, yaml: &str) -> Result<(), String> {
    let workflow: Workflow = serde_saphyr::from_str(yaml).map_err(|e| e.to_string())?;
    let steps: Vec<&Step> = workflow.jobs.values().flat_map(|j| &j.steps).collect();
    let mut ran = 0;
    for script in steps.iter().filter_map(|s| s.run.as_deref()) {
        for line in script
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("clausebook "))
        {
            let line = line.replace("${{ steps.pages.outputs.base_url }}", PAGES_BASE_URL);
            if line.contains("${{") {
                return Err(format!("`{line}`: an expression this test does not know"));
            }
            clausebook(cwd, &words(&line)?[1..])?;
            ran += 1;
        }
    }
    let uploaded = steps
        .iter()
        .find(|s| {
            s.uses
                .as_deref()
                .is_some_and(|u| u.starts_with("actions/upload-pages-artifact@"))
        })
        .and_then(|s| s.with.as_ref()?.path.as_deref())
        .ok_or("the workflow uploads no folder with actions/upload-pages-artifact")?;
    if ran == 0 {
        return Err("the workflow runs no clausebook command".into());
    }
    let folder = cwd.join(uploaded);
    if !folder.join("index.html").is_file() {
        return Err(format!(
            "the workflow uploads {uploaded}, where nothing was built"
        ));
    }
    let site = Tree::read(&folder);
    match broken_links(&site, PAGES_ROOT).as_slice() {
        [] => Ok(()),
        broken => Err(format!("broken links, or outside {PAGES_ROOT}: {broken:?}")),
    }
}
