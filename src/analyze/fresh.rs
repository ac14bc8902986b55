//! fresh: which of a file's head items (commands, migration calls, statements, tasks) are new.
//!
//! Items are matched with the base by a key, counting copies: a command the base runs twice
//! and the head three times has one new copy. Which copy is the new one cannot be told from
//! keys alone, so copies on the change's added lines are taken first, then the latest (the
//! copies the base had keep their places; as `git diff` reads it, what comes after is new).

use std::collections::HashMap;
use std::hash::Hash;

use crate::change::Hunk;

/// Indices, ascending, of the `head` items (key and head line) that outnumber the base's
/// copies of the same key.
pub fn new_copies<K: Eq + Hash>(
    hunks: &[Hunk],
    base: impl IntoIterator<Item = K>,
    head: impl IntoIterator<Item = (K, u32)>,
) -> Vec<usize> {
    let mut on_base: HashMap<K, usize> = HashMap::new();
    for key in base {
        *on_base.entry(key).or_default() += 1;
    }
    let mut copies: HashMap<K, Vec<(usize, u32)>> = HashMap::new();
    for (index, (key, line)) in head.into_iter().enumerate() {
        copies.entry(key).or_default().push((index, line));
    }
    let added = |line: u32| {
        hunks
            .iter()
            .any(|h| line >= h.new_start && line < h.new_start + h.new_lines)
    };
    let mut new = Vec::new();
    for (key, mut group) in copies {
        let extra = group
            .len()
            .saturating_sub(on_base.get(&key).copied().unwrap_or(0));
        if extra == 0 {
            continue;
        }
        group.sort_by_key(|&(index, line)| (!added(line), std::cmp::Reverse(index)));
        new.extend(group.into_iter().take(extra).map(|(index, _)| index));
    }
    new.sort_unstable();
    new
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hunk(new_start: u32, new_lines: u32) -> Hunk {
        Hunk {
            old_start: new_start,
            old_lines: 0,
            new_start,
            new_lines,
        }
    }

    #[test]
    fn an_extra_copy_is_the_one_on_an_added_line() {
        // The base deletes once (line 1); the head adds a second copy at line 3.
        let head = [("rm", 1), ("ls", 2), ("rm", 3)];
        assert_eq!(new_copies(&[hunk(3, 1)], ["rm", "ls"], head), [2]);
        // Without a hunk to go by, the latest extra copy is taken.
        assert_eq!(new_copies(&[hunk(2, 1)], ["rm", "ls"], head), [2]);
        assert_eq!(new_copies(&[hunk(1, 1)], ["rm", "ls"], head), [0]);
    }

    #[test]
    fn items_the_base_has_as_often_are_not_new_and_new_keys_are() {
        let head = [("a", 1), ("b", 2), ("a", 3), ("c", 4)];
        assert_eq!(new_copies(&[], ["a", "a", "b"], head), [3]);
        assert_eq!(new_copies(&[], Vec::<&str>::new(), head), [0, 1, 2, 3]);
    }

    proptest! {
        #[test]
        fn new_copies_make_up_the_difference_in_counts(
            base in proptest::collection::vec(0u8..4, 0..12),
            head in proptest::collection::vec(0u8..4, 0..12),
            start in 1u32..12,
            len in 0u32..4,
        ) {
            let lines: Vec<(u8, u32)> = head.iter().enumerate().map(|(i, k)| (*k, i as u32 + 1)).collect();
            let new = new_copies(&[hunk(start, len)], base.iter().copied(), lines.iter().copied());
            prop_assert!(new.windows(2).all(|w| w[0] < w[1]));
            for key in 0u8..4 {
                let in_base = base.iter().filter(|k| **k == key).count();
                let in_head = head.iter().filter(|k| **k == key).count();
                let fresh = new.iter().filter(|&&i| head[i] == key).count();
                prop_assert_eq!(fresh, in_head.saturating_sub(in_base));
            }
        }
    }
}
