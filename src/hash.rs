//! Hashes for the caches' keys, so that the hash function is chosen in one place. A key lives
//! only as long as the process: the function is not stable across Rust releases, so a cache kept
//! on disk needs a stable one here.

use std::hash::{DefaultHasher, Hash, Hasher};

/// The hash of `value`.
pub(crate) fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut hasher = KeyHasher::default();
    value.hash(&mut hasher);
    hasher.finish()
}

/// The hasher behind [`hash_of`], for a key fed piece by piece (`value.hash(&mut hasher)`):
/// over a sequence, or from bytes written as they are produced.
#[derive(Default)]
pub(crate) struct KeyHasher(DefaultHasher);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
    }

    fn finish(&self) -> u64 {
        self.0.finish()
    }
}
