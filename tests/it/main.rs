//! The integration tests, as one crate: one link of the test binary, and one build of each
//! fixture that tests only read. Each module holds the tests of one area; `harness` is how they
//! copy, edit, build, check and serve sites.

mod harness;

mod browser;
mod build;
mod cache;
mod diff_bounds;
mod fidelity;
mod fuzz;
mod gitinfo;
mod guides;
mod history;
mod hostile;
mod hostile_text;
mod import;
mod incremental;
mod invalid;
mod layout;
mod output;
mod output_swap;
mod sample_site;
mod scaffold;
mod search;
mod serve;
mod snapshot_add;
mod snapshots;
mod versions;
