//! The command line (docs/reference.md): argument parsing and the commands, reporting errors at the edge.

use crate::error::{Diagnostic, Error, Result, Severity, Style};
use crate::load::LoadOptions;
use crate::progress::Progress;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
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
    },
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
        } => {
            let start = Instant::now();
            let dir = output.unwrap_or_else(|| root.join("output"));
            crate::output::check_outside_inputs(&root, &dir)?;
            let options = LoadOptions { drafts, base_url };
            let report = crate::write(&root, &options, &dir, &Progress::on_stderr())?;
            for w in &report.warnings {
                eprintln!("{}\n", w.render(Style::for_stderr()));
            }
            eprintln!(
                "Built {} pages ({} files) into {} in {} ms",
                report.pages,
                report.files,
                dir.display(),
                start.elapsed().as_millis()
            );
            Ok(())
        }
        #[cfg(feature = "serve")]
        Command::Serve(options) => crate::serve::run(options),
        Command::Check { root, drafts } => {
            let options = LoadOptions {
                drafts,
                base_url: None,
            };
            let report = crate::check(&root, &options, &Progress::on_stderr())?;
            if !report.warnings.is_empty() {
                // What `build` only warns about is an error here: check is the strict gate.
                let errors = report.warnings.into_iter().map(|w| Diagnostic {
                    severity: Severity::Error,
                    ..w
                });
                return Err(Error::content(errors.collect()));
            }
            eprintln!("No errors: {} files would be written.", report.files);
            Ok(())
        }
    }
}
