//! How one file enters a pack digest, shared by the loader and `build.rs` (which computes the embedded pack's
//! digest at build time): the two must frame files identically.

use sha2::{Digest, Sha256};

/// Adds one file to a pack digest: its name, a zero byte, its length (8 bytes, little-endian) and its text.
pub fn hash_file(hasher: &mut Sha256, name: &str, text: &str) {
    hasher.update(name.as_bytes());
    hasher.update([0]);
    hasher.update((text.len() as u64).to_le_bytes());
    hasher.update(text.as_bytes());
}
