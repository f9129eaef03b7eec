//! [`outside_in`]: the order of units whose estimates tie, which is every unit of a suite with
//! no history.
//!
//! Name order is the worst stable order when names follow duration (`test_01_quick` …
//! `test_99_full_export`, common in practice): the longest files start last and become the
//! tail. A hash of the name is no better than chance on such suites (measured 1.29–1.33x of
//! the lower bound against 1.15x for name order, docs/benchmarks.md section 12). Taking the
//! names from both ends inwards (last, first, second-to-last, second, …) starts the longest
//! files early whether names ascend or descend with duration, and leaves the middle of the
//! names (the median durations) for the tail; on names unrelated to duration it is just
//! another order that ignores duration, as name order is.

/// `group` (in name order) taken from both ends inwards: last, first, second-to-last, …
pub(super) fn outside_in<T: Copy>(group: &[T]) -> Vec<T> {
    let mut order = Vec::with_capacity(group.len());
    let (mut low, mut high) = (0, group.len());
    while low < high {
        high -= 1;
        order.push(group[high]);
        if low < high {
            order.push(group[low]);
            low += 1;
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn takes_names_from_both_ends_inwards() {
        assert_eq!(outside_in(&[0, 1, 2, 3, 4]), vec![4, 0, 3, 1, 2]);
        assert_eq!(outside_in(&[0, 1, 2, 3]), vec![3, 0, 2, 1]);
        assert_eq!(outside_in::<u8>(&[]), Vec::<u8>::new());
    }

    proptest! {
        #[test]
        fn is_a_permutation(n in 0usize..500) {
            let mut order = outside_in(&(0..n).collect::<Vec<_>>());
            order.sort_unstable();
            prop_assert_eq!(order, (0..n).collect::<Vec<_>>());
        }
    }
}
