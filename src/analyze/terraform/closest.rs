//! closest: which of many names is most like a given one, for pairing a removed block with
//! the block it was renamed to. A change that renames hundreds of blocks of one type compares
//! each against every new one, so a name of up to 64 chars is compared a whole column of the
//! distance table at a time, and a longer one abandons a candidate as soon as it cannot beat
//! the best found so far.

/// The index of the candidate most similar to `target` by normalized Levenshtein similarity
/// (`1 - distance / longer length`, in chars); the earliest wins a tie.
pub fn most_similar<'c>(
    target: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<usize> {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    // A prefix the target shares with every candidate never costs an edit, and names of one
    // resource type share theirs (`aws_s3_bucket.`): the distances are taken without it.
    let shared = candidates
        .iter()
        .fold(target.len(), |n, c| common_prefix(&target[..n], c));
    let shared_chars = target[..shared].chars().count();
    let pattern = Pattern::new(&target[shared..]);
    let rest: Vec<char> = target[shared..].chars().collect();
    let target_len = shared_chars + rest.len();
    let mut best: Option<(usize, f64)> = None;
    let mut name: Vec<char> = Vec::new();
    for (index, candidate) in candidates.into_iter().enumerate() {
        let candidate = &candidate[shared..];
        let (distance, longest) = match &pattern {
            Some(pattern) => {
                let (distance, chars) = pattern.distance(candidate);
                (distance, target_len.max(shared_chars + chars))
            }
            None => {
                name.clear();
                name.extend(candidate.chars());
                let longest = target_len.max(shared_chars + name.len());
                // A distance of (1 - best) * longest or more cannot score above the best (a
                // tie keeps the earlier); one more than that covers rounding.
                let limit = match best {
                    None => usize::MAX,
                    Some((_, score)) => ((1.0 - score) * longest as f64).ceil() as usize + 1,
                };
                let Some(distance) = levenshtein_within(&rest, &name, limit) else {
                    continue;
                };
                (distance, longest)
            }
        };
        let score = if longest == 0 {
            1.0
        } else {
            1.0 - distance as f64 / longest as f64
        };
        if best.is_none_or(|(_, b)| score > b) {
            best = Some((index, score));
        }
    }
    best.map(|(index, _)| index)
}

/// How many bytes `a` and `b` share at their start, in whole chars (the same bytes hold the
/// same chars, so a char that ends there in `a` ends there in `b`).
fn common_prefix(a: &str, b: &str) -> usize {
    let mut shared = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while !a.is_char_boundary(shared) {
        shared -= 1;
    }
    shared
}

/// A target of 1 to 64 chars prepared for Myers' bit-parallel edit distance (in Hyyrö's
/// formulation): one machine word holds a whole column of the distance table, so comparing
/// it with a candidate costs one step per candidate char instead of one per cell. A change
/// renaming hundreds of blocks compares each removed address with every new one.
struct Pattern {
    len: usize,
    /// Per char, the bit set of the target positions holding it.
    ascii: [u64; 128],
    other: Vec<(char, u64)>,
}

impl Pattern {
    fn new(target: &str) -> Option<Pattern> {
        let len = target.chars().count();
        if len == 0 || len > 64 {
            return None;
        }
        let mut pattern = Pattern {
            len,
            ascii: [0; 128],
            other: Vec::new(),
        };
        for (i, c) in target.chars().enumerate() {
            let bit = 1u64 << i;
            match usize::try_from(u32::from(c)).ok().filter(|&c| c < 128) {
                Some(c) => pattern.ascii[c] |= bit,
                None => match pattern.other.iter_mut().find(|(o, _)| *o == c) {
                    Some((_, bits)) => *bits |= bit,
                    None => pattern.other.push((c, bit)),
                },
            }
        }
        Some(pattern)
    }

    fn positions(&self, c: char) -> u64 {
        match usize::try_from(u32::from(c)).ok().filter(|&c| c < 128) {
            Some(c) => self.ascii[c],
            None => self
                .other
                .iter()
                .find(|(o, _)| *o == c)
                .map_or(0, |(_, bits)| *bits),
        }
    }

    /// The edit distance to `text`, and `text`'s length in chars.
    fn distance(&self, text: &str) -> (usize, usize) {
        let last = 1u64 << (self.len - 1);
        // Vertical deltas of the current column: +1 (`plus`) or -1 (`minus`) per row.
        let mut plus = u64::MAX;
        let mut minus = 0u64;
        let mut score = self.len;
        let mut chars = 0;
        for c in text.chars() {
            chars += 1;
            let eq = self.positions(c);
            let xv = eq | minus;
            let xh = ((eq & plus).wrapping_add(plus) ^ plus) | eq;
            let mut hp = minus | !(xh | plus);
            let mut hm = plus & xh;
            if hp & last != 0 {
                score += 1;
            } else if hm & last != 0 {
                score -= 1;
            }
            hp = (hp << 1) | 1;
            hm <<= 1;
            plus = hm | !(xv | hp);
            minus = hp & xv;
        }
        (score, chars)
    }
}

/// The edit distance between `a` and `b`, or `None` once it is certain to exceed `limit`.
fn levenshtein_within(a: &[char], b: &[char], limit: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    // A shared prefix or suffix never costs an edit; addresses of one type share theirs.
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        let mut row_min = current[0];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitute.min(previous[j + 1] + 1).min(current[j] + 1);
            row_min = row_min.min(current[j + 1]);
        }
        // Every path to the last cell passes through this row.
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    let distance = previous[b.len()];
    (distance <= limit).then_some(distance)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What the pairing did before: strsim's score for every candidate, the first best wins.
    fn brute_force(target: &str, candidates: &[String]) -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for (i, c) in candidates.iter().enumerate() {
            let score = strsim::normalized_levenshtein(target, c);
            if best.is_none_or(|(_, b)| score > b) {
                best = Some((i, score));
            }
        }
        best.map(|(i, _)| i)
    }

    #[test]
    fn the_closest_name_wins_and_the_first_wins_a_tie() {
        let names = [
            "aws_s3_bucket.audit",
            "aws_s3_bucket.logs_v2",
            "aws_s3_bucket.logz",
        ];
        assert_eq!(most_similar("aws_s3_bucket.logs", names), Some(2));
        assert_eq!(most_similar("x", ["a", "b"]), Some(0));
        assert_eq!(most_similar("x", [] as [&str; 0]), None);
    }

    #[test]
    fn distances_match_the_textbook_definition() {
        let d = |a: &str, b: &str| {
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            levenshtein_within(&a, &b, usize::MAX)
        };
        assert_eq!(d("kitten", "sitting"), Some(3));
        assert_eq!(d("", "abc"), Some(3));
        assert_eq!(d("flaw", "lawn"), Some(2));
        let (a, b): (Vec<char>, Vec<char>) =
            ("kitten".chars().collect(), "sitting".chars().collect());
        assert_eq!(levenshtein_within(&a, &b, 2), None);
        assert_eq!(levenshtein_within(&a, &b, 3), Some(3));
    }

    proptest! {
        #[test]
        fn picks_what_scoring_every_candidate_picks(
            target in "[a-c_.é]{0,12}",
            candidates in proptest::collection::vec("[a-c_.é]{0,12}", 0..12),
        ) {
            let fast = most_similar(&target, candidates.iter().map(String::as_str));
            prop_assert_eq!(fast, brute_force(&target, &candidates));
        }

        #[test]
        fn names_sharing_a_prefix_pick_what_scoring_every_candidate_picks(
            prefix in "[a-c_.é]{0,6}",
            target in "[a-c_.é]{0,8}",
            candidates in proptest::collection::vec("[a-c_.é]{0,8}", 0..8),
        ) {
            let target = format!("{prefix}{target}");
            let candidates: Vec<String> =
                candidates.iter().map(|c| format!("{prefix}{c}")).collect();
            let fast = most_similar(&target, candidates.iter().map(String::as_str));
            prop_assert_eq!(fast, brute_force(&target, &candidates));
        }

        #[test]
        fn the_bit_parallel_distance_is_the_textbook_one(
            a in "[ab_.é]{1,70}", b in "[ab_.é]{0,70}",
        ) {
            // Past 64 chars there is no pattern, and the table is used instead.
            match Pattern::new(&a) {
                Some(pattern) => prop_assert_eq!(
                    pattern.distance(&b),
                    (strsim::levenshtein(&a, &b), b.chars().count())
                ),
                None => prop_assert!(a.chars().count() > 64),
            }
        }

        #[test]
        fn a_bounded_distance_is_exact_or_over_the_limit(
            a in "[ab]{0,10}", b in "[ab]{0,10}", limit in 0usize..12,
        ) {
            let exact = strsim::levenshtein(&a, &b);
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            match levenshtein_within(&a, &b, limit) {
                Some(d) => prop_assert_eq!(d, exact),
                None => prop_assert!(exact > limit),
            }
        }
    }
}
