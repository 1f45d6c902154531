//! Hashes, chosen in one place: a fast one for keys that live only as long as one build
//! ([`hash_of`]), and a strong one for keys that identify content across builds and are kept on
//! disk ([`Key`]): a snapshot's bytes, a document's inputs, an excerpt, a page's context.

use serde::{Deserialize, Serialize};
use std::hash::{DefaultHasher, Hash, Hasher};

/// The hash of `value`, for a key compared only within one process.
pub(crate) fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// A key that names content in the on-disk cache: 128 bits of BLAKE3. Content comes from pull
/// requests, so a key must not be forgeable: two inputs an author chose to collide would make a
/// cached result (an excerpt's verification, say) stand for content it was never computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Key(u128);

impl Key {
    /// The key of `bytes`.
    pub fn of_bytes(bytes: &[u8]) -> Key {
        let mut h = KeyHasher::default();
        h.write(bytes);
        h.key()
    }

    /// The key of `value`, through its [`Hash`] implementation: stable for a given clausebook
    /// binary, which is what a cache entry is stamped with ([`crate::cache`]).
    pub fn of<T: Hash + ?Sized>(value: &T) -> Key {
        let mut h = KeyHasher::default();
        value.hash(&mut h);
        h.key()
    }

    /// Its bytes, to store it.
    pub fn to_le_bytes(self) -> [u8; 16] {
        self.0.to_le_bytes()
    }

    /// As a file name: 32 lowercase hex digits.
    pub fn hex(self) -> String {
        format!("{:032x}", self.0)
    }
}

/// The hasher behind [`Key`], for a key fed piece by piece: over a sequence (`value.hash(&mut
/// hasher)`), or from bytes written as they are produced (through [`std::io::Write`]). Small
/// writes are gathered first, as BLAKE3 is quick over long inputs, not over many short ones.
#[derive(Default, Clone)]
pub(crate) struct KeyHasher {
    hasher: blake3::Hasher,
    pending: Vec<u8>,
}

/// Gathered bytes handed to BLAKE3 at once.
const CHUNK: usize = 16 * 1024;

impl KeyHasher {
    /// The key of everything written.
    pub(crate) fn key(mut self) -> Key {
        self.hasher.update(&self.pending);
        let mut first = [0u8; 16];
        first.copy_from_slice(&self.hasher.finalize().as_bytes()[..16]);
        Key(u128::from_le_bytes(first))
    }
}

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        if self.pending.len() + bytes.len() > CHUNK {
            self.hasher.update(&self.pending);
            self.pending.clear();
            if bytes.len() > CHUNK {
                self.hasher.update(bytes);
                return;
            }
        }
        self.pending.extend_from_slice(bytes);
    }

    /// The key's low 64 bits; [`KeyHasher::key`] gives all of it.
    fn finish(&self) -> u64 {
        self.clone().key().0 as u64
    }
}

impl std::io::Write for KeyHasher {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Hasher::write(self, buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_does_not_depend_on_how_its_bytes_were_written() {
        let text = "a".repeat(3 * CHUNK + 5);
        let mut pieces = KeyHasher::default();
        for chunk in text.as_bytes().chunks(7) {
            Hasher::write(&mut pieces, chunk);
        }
        assert_eq!(pieces.key(), Key::of_bytes(text.as_bytes()));
        assert_ne!(Key::of_bytes(b"a"), Key::of_bytes(b"b"));
    }
}
