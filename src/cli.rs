//! The command line (docs/reference.md): argument parsing and the commands, reporting errors at the edge.

use crate::error::{Diagnostic, Error, Result, Severity, Style};
use crate::load::LoadOptions;
use crate::progress::Progress;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Parser)]
#[command(
    name = "clausebook",
    version,
    about = "A static site generator for governance comparisons"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Build the site into the output folder.
    Build {
        /// The site's root folder (holding content/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to write the site; defaults to <root>/output. A symbolic link is followed (its
        /// target is replaced); it may not lie inside content/ or a theme's static/.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Overrides base_url from site.yaml.
        #[arg(long)]
        base_url: Option<String>,
        /// Include clauses marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        #[command(flatten)]
        cache: CacheArgs,
    },
    /// Build the site into memory, serve it and rebuild on every change.
    #[cfg(feature = "serve")]
    Serve(crate::serve::Options),
    /// Validate everything and write nothing.
    Check {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long)]
        drafts: bool,
        #[command(flatten)]
        cache: CacheArgs,
    },
    /// Write a new site into DIR: a small starter site whose every file is commented.
    Init {
        /// A folder that does not exist yet or is empty.
        dir: PathBuf,
        /// Write the full sample site (about 500 files) instead of the starter site.
        #[arg(long)]
        sample: bool,
    },
    /// Write a new record, every key commented, with `TODO:` placeholders to replace.
    New {
        /// The site's root folder (holding content/).
        #[arg(long, default_value = ".", global = true)]
        root: PathBuf,
        #[command(subcommand)]
        record: crate::scaffold::Record,
    },
    /// Import versions from an archive into the site's documents.
    Import {
        /// The site's root folder (holding content/).
        #[arg(long, default_value = ".", global = true)]
        root: PathBuf,
        #[command(subcommand)]
        source: crate::import::Source,
    },
    /// Add an archived copy of a document as one of its versions.
    Snapshot {
        /// The site's root folder (holding content/).
        #[arg(long, default_value = ".", global = true)]
        root: PathBuf,
        #[command(subcommand)]
        command: crate::snapshot::Command,
    },
}

/// The on-disk cache's options (docs/reference.md, "The cache").
#[derive(Debug, Clone, clap::Args)]
pub struct CacheArgs {
    /// Neither read nor write the cache in <root>/.clausebook-cache: derive and render
    /// everything.
    #[arg(long)]
    no_cache: bool,
    /// The cache's size cap in MiB: the least recently used entries are deleted beyond it.
    #[arg(long, value_name = "MIB", default_value_t = crate::cache::DEFAULT_LIMIT_MIB)]
    cache_limit: u64,
}

impl CacheArgs {
    /// As the library takes them.
    pub fn options(&self) -> crate::cache::CacheOptions {
        crate::cache::CacheOptions {
            enabled: !self.no_cache,
            limit: self.cache_limit.saturating_mul(1024 * 1024),
        }
    }
}

/// Prints each warning on stderr, as errors are printed.
fn print_warnings(warnings: &[Diagnostic]) {
    for w in warnings {
        eprintln!("{}\n", w.render(Style::for_stderr()));
    }
}

/// Parses the command line and runs the command; returns the process exit code.
pub fn main() -> i32 {
    run(Cli::parse())
}

/// Runs the command; returns the process exit code.
fn run(cli: Cli) -> i32 {
    match execute(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{}", e.report(Style::for_stderr()));
            e.exit_code()
        }
    }
}

fn execute(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Build {
            root,
            output,
            base_url,
            drafts,
            cache,
        } => {
            let start = Instant::now();
            let dir = output.unwrap_or_else(|| root.join("output"));
            crate::output::check_outside_inputs(&root, &dir)?;
            let options = LoadOptions {
                drafts,
                base_url,
                cache: cache.options(),
            };
            let report = crate::write(&root, &options, &dir, &Progress::on_stderr())?;
            print_warnings(&report.warnings);
            // With the cache, how many pages were rendered and how many kept as they were.
            let reuse = match report.pages_reused {
                0 => String::new(),
                kept => format!("; {} rendered, {kept} unchanged", report.pages_rendered),
            };
            eprintln!(
                "Built {} pages ({} files{reuse}) into {} in {} ms",
                report.pages,
                report.files,
                dir.display(),
                start.elapsed().as_millis()
            );
            Ok(())
        }
        #[cfg(feature = "serve")]
        Command::Serve(options) => crate::serve::run(options),
        Command::Check {
            root,
            drafts,
            cache,
        } => check(&root, drafts, &cache),
        Command::Init { dir, sample } => {
            let files = crate::scaffold::init(&dir, sample)?;
            println!("{}", next_steps(&dir, files));
            Ok(())
        }
        Command::New { root, record } => {
            let path = crate::scaffold::create(&root, &record)?;
            // The path alone on stdout, for `$EDITOR $(clausebook new …)`.
            println!("{}", path.display());
            eprintln!("Replace its `TODO:` placeholders: `clausebook check` lists those left.");
            Ok(())
        }
        Command::Import {
            root,
            source: crate::import::Source::Ota { source, services },
        } => {
            let imported = crate::import::ota(&root, &source, &services)?;
            println!("{}", imported.report());
            Ok(())
        }
        Command::Snapshot {
            root,
            command: crate::snapshot::Command::Add(add),
        } => {
            let added = crate::snapshot::add(&root, &add)?;
            // The path alone on stdout, as `new` prints it.
            if let Some(path) = &added.written {
                println!("{}", path.display());
            }
            eprintln!("{}", added.summary);
            Ok(())
        }
    }
}

/// `clausebook check`: what `build` does, writing nothing.
fn check(root: &Path, drafts: bool, cache: &CacheArgs) -> Result<()> {
    let options = LoadOptions {
        drafts,
        base_url: None,
        cache: cache.options(),
    };
    let report = crate::check(root, &options, &Progress::on_stderr())?;
    // An excerpt found nowhere, which `build` only warns about, is an error here: check is
    // the strict gate. An out-of-date one stays a warning: the quote was true.
    let (errors, warnings): (Vec<_>, Vec<_>) = report
        .warnings
        .into_iter()
        .partition(|w| w.kind == crate::error::Kind::ExcerptNotFound);
    print_warnings(&warnings);
    if !errors.is_empty() {
        let errors = errors.into_iter().map(|w| Diagnostic {
            severity: Severity::Error,
            ..w
        });
        return Err(Error::content(errors.collect()));
    }
    eprintln!("No errors: {} files would be written.", report.files);
    Ok(())
}

/// What `init` prints: what it wrote and the commands to run next, as a shell reads them.
fn next_steps(dir: &Path, files: usize) -> String {
    let dir = shell_word(&dir.display().to_string());
    let preview = if cfg!(feature = "serve") {
        "clausebook serve                      # preview it at http://127.0.0.1:1111/, rebuilt on every save"
    } else {
        "clausebook check                      # validate it"
    };
    format!(
        "Created a new site in {dir} ({files} files).

Next:
  cd {dir}
  {preview}
  clausebook new platform my-platform   # add a record: new platform, document, clause, provision, regulation
  clausebook build                      # write the site into output/"
    )
}

/// `word` as a shell reads it back: quoted when it holds anything but plain path characters.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+,:@".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}
