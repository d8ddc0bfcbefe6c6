//! The seeded random source of the generators: one u64 seed reproduces a whole run.

use proptest::prelude::RngExt;
use proptest::test_runner::{RngAlgorithm, TestRng};

pub struct Rng(TestRng);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        let mut bytes = [0u8; 32];
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
        Rng(TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.0.random_bool(p.clamp(0.0, 1.0))
    }

    /// A number in `lo..=hi`.
    pub fn between(&mut self, lo: usize, hi: usize) -> usize {
        self.0.random_range(lo..=hi)
    }

    /// One of `items`, uniformly.
    pub fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.0.random_range(0..items.len())].clone()
    }

    /// One of `items`, each with its weight.
    pub fn weighted<T: Clone>(&mut self, items: &[(u32, T)]) -> T {
        let total: u32 = items.iter().map(|(w, _)| w).sum();
        let mut roll = self.0.random_range(0..total);
        for (weight, item) in items {
            if roll < *weight {
                return item.clone();
            }
            roll -= weight;
        }
        unreachable!("roll below the total weight")
    }

    /// A seed for a sub-generator (each config gets its own, printed on failure).
    pub fn next_seed(&mut self) -> u64 {
        self.0.random()
    }
}
