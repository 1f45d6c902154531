//! Rebuilds the crate when a file is added to or removed from the built-in theme, which
//! `src/theme.rs` embeds whole: the compiler tracks each embedded file's contents but cannot
//! know that the folder gained one.

fn main() {
    println!("cargo::rerun-if-changed=themes/default");
}
