//! work: sharing one list of items between threads. Each thread claims the next run of
//! indices until none are left, so a slow item holds back only its own thread, and runs keep
//! neighbouring items (one directory) together.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many threads to use: the number asked for, else the machine's cores, at most 16.
pub fn threads(requested: Option<usize>) -> usize {
    requested
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, 16)
}

/// The indices `0..count`, handed out in runs of `size`.
pub struct Runs {
    next: AtomicUsize,
    count: usize,
    size: usize,
}

impl Runs {
    pub fn new(count: usize, size: usize) -> Runs {
        Runs {
            next: AtomicUsize::new(0),
            count,
            size: size.max(1),
        }
    }

    /// The next unclaimed run, or `None` when every index has been handed out.
    pub fn claim(&self) -> Option<Range<usize>> {
        let start = self.next.fetch_add(self.size, Ordering::Relaxed);
        (start < self.count).then(|| start..(start + self.size).min(self.count))
    }
}

#[cfg(test)]
mod tests {
    use super::Runs;

    #[test]
    fn every_index_is_handed_out_once_across_threads() {
        let runs = Runs::new(1000, 7);
        let claimed: Vec<Vec<usize>> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..4)
                .map(|_| {
                    scope.spawn(|| {
                        let mut got = Vec::new();
                        while let Some(run) = runs.claim() {
                            got.extend(run);
                        }
                        got
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).collect()
        });
        let mut all: Vec<usize> = claimed.into_iter().flatten().collect();
        all.sort();
        assert_eq!(all, (0..1000).collect::<Vec<_>>());
        assert_eq!(runs.claim(), None);
    }

    #[test]
    fn the_last_run_is_cut_at_the_end() {
        let runs = Runs::new(10, 4);
        assert_eq!(runs.claim(), Some(0..4));
        assert_eq!(runs.claim(), Some(4..8));
        assert_eq!(runs.claim(), Some(8..10));
        assert_eq!(runs.claim(), None);
    }
}
