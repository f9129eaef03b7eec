//! [`Combine`]: the one rule by which settings layers merge: the first layer that sets a value
//! wins. `a.combine(b)` keeps what `a` set and takes the rest from `b`.

/// Merging with a lower-precedence value of the same shape.
pub trait Combine {
    /// `self` wins; `other` fills what `self` left unset.
    #[must_use]
    fn combine(self, other: Self) -> Self;
}

impl<T> Combine for Option<T> {
    fn combine(self, other: Self) -> Self {
        self.or(other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_set_wins() {
        assert_eq!(Some(1).combine(Some(2)), Some(1));
        assert_eq!(None.combine(Some(2)), Some(2));
        assert_eq!(Some(1).combine(None), Some(1));
        assert_eq!(None::<u8>.combine(None), None);
    }
}
