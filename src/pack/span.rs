//! A value with the byte range of the pack file it was read from.
//!
//! Read from TOML, the span comes from the `toml` crate (through `serde_spanned`). The embedded pack is also
//! stored in the binary pre-parsed (see `build.rs`), in a compact binary form that keeps every span as a
//! `(start, end, value)` triple, so that a problem found in it still points at its file, line and column.
//! Which form is read is told by the format: TOML is human-readable, the binary form is not.

use std::ops::Range;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    span: Range<usize>,
    value: T,
}

impl<T> Spanned<T> {
    /// The value.
    pub fn get_ref(&self) -> &T {
        &self.value
    }

    /// The value, to move parts out of it.
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.value
    }

    /// The value, without its span.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// The byte range of the value in its file.
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            let spanned = serde_spanned::Spanned::<T>::deserialize(deserializer)?;
            Ok(Self {
                span: spanned.span(),
                value: spanned.into_inner(),
            })
        } else {
            let (start, end, value) = <(usize, usize, T)>::deserialize(deserializer)?;
            Ok(Self {
                span: start..end,
                value,
            })
        }
    }
}

impl<T: Serialize> Serialize for Spanned<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            self.value.serialize(serializer)
        } else {
            (self.span.start, self.span.end, &self.value).serialize(serializer)
        }
    }
}
