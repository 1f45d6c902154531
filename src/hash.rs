//! Content hashes: what every cache keys its entries by.

use std::hash::{DefaultHasher, Hash, Hasher};

/// The hash of `value`. Used only as an in-process cache key, never written out, so the
/// standard hasher (stable within one build of the binary) is enough.
pub fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}
