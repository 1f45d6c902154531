//! Rebuilds the crate when a file is added to or removed from the built-in theme or the starter
//! site, which `src/theme.rs` and `src/scaffold` embed whole: the compiler tracks each embedded
//! file's contents but cannot know that the folder gained one.
//!
//! Packs the sample site (`content/`) for `clausebook init --sample`, as one zstd stream: its
//! snapshots are versions of the same documents, which compress together about a hundredfold
//! (13.7 MB to 0.12 MB) where file by file they would take 3.8 MB.
//!
//! Also stamps the binary with a fingerprint of what it was built from (`CLAUSEBOOK_BUILD`):
//! the sources, the lock file, the compiler and the target. The on-disk cache trusts only
//! entries made by a binary with the same fingerprint, since any change to the code may change
//! what it derives, while the version number changes only at a release.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo::rerun-if-changed=themes/default");
    println!("cargo::rerun-if-changed=starter");
    println!("cargo::rerun-if-changed=content");
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
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("sample.zst"), pack(Path::new("content")))
        .expect("the sample site is packed into OUT_DIR");
}

/// Hashes every file at or under `path`, with its path, in a stable order.
fn hash_tree(path: &Path, h: &mut DefaultHasher) {
    for file in files(path) {
        if let Ok(bytes) = std::fs::read(&file) {
            file.hash(h);
            bytes.hash(h);
        }
    }
}

/// Every file at or under `path`, in a stable order.
fn files(path: &Path) -> Vec<PathBuf> {
    if !path.is_dir() {
        return vec![path.to_path_buf()];
    }
    let mut entries: Vec<_> = std::fs::read_dir(path)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    entries.iter().flat_map(|e| files(e)).collect()
}

/// Every file under `dir`, compressed together. Each file is its path relative to `dir` (`/`
/// separators) and its bytes, each preceded by its length as 8 little-endian bytes: the format
/// `scaffold::unpack` reads.
fn pack(dir: &Path) -> Vec<u8> {
    let mut raw = Vec::new();
    for file in files(dir) {
        let bytes = std::fs::read(&file).expect("the sample site is readable");
        let rel = file.strip_prefix(dir).expect("below the folder");
        let name: Vec<_> = rel
            .iter()
            .map(|c| c.to_str().expect("UTF-8 names"))
            .collect();
        for part in [name.join("/").as_bytes(), &bytes] {
            raw.extend_from_slice(&(part.len() as u64).to_le_bytes());
            raw.extend_from_slice(part);
        }
    }
    zstd::encode_all(raw.as_slice(), 19).expect("compression in memory")
}
