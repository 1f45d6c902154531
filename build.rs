//! Rebuilds the crate when a file is added to or removed from the built-in theme, which
//! `src/theme.rs` embeds whole: the compiler tracks each embedded file's contents but cannot
//! know that the folder gained one.
//!
//! Also stamps the binary with a fingerprint of what it was built from (`CLAUSEBOOK_BUILD`):
//! the sources, the lock file, the compiler and the target. The on-disk cache trusts only
//! entries made by a binary with the same fingerprint, since any change to the code may change
//! what it derives, while the version number changes only at a release.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo::rerun-if-changed=themes/default");
    println!("cargo::rerun-if-changed=src");
    println!("cargo::rerun-if-changed=Cargo.lock");
    println!("cargo::rerun-if-changed=Cargo.toml");
    let mut h = DefaultHasher::new();
    for var in ["CARGO_PKG_VERSION", "TARGET", "PROFILE", "RUSTC"] {
        std::env::var(var).unwrap_or_default().hash(&mut h);
    }
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    if let Ok(out) = Command::new(rustc).arg("-vV").output() {
        out.stdout.hash(&mut h);
    }
    for tree in ["src", "themes/default", "Cargo.lock", "Cargo.toml"] {
        hash_tree(Path::new(tree), &mut h);
    }
    println!("cargo::rustc-env=CLAUSEBOOK_BUILD={:016x}", h.finish());
}

/// Hashes every file at or under `path`, with its path, in a stable order.
fn hash_tree(path: &Path, h: &mut DefaultHasher) {
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for e in entries {
            hash_tree(&e, h);
        }
    } else if let Ok(bytes) = std::fs::read(path) {
        path.hash(h);
        bytes.hash(h);
    }
}
