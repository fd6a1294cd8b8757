//! The seeded random number generator every simulated randomness draws from.
//!
//! One PCG stream per world, seeded from the scenario: the same seed and the same actions give
//! the same history. There is no other source of randomness in the engine.

use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// A deterministic random stream, cheap to clone so a world can be forked for a preview.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SimRng {
    inner: Pcg64Mcg,
}

impl SimRng {
    /// A stream for `seed`.
    pub fn seeded(seed: u64) -> Self {
        SimRng {
            inner: Pcg64Mcg::seed_from_u64(seed),
        }
    }

    /// A float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        // 53 random bits make every representable double in [0, 1) equally likely.
        (self.inner.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// An integer in `[low, high]`; `low` when the range is empty.
    pub fn range_inclusive(&mut self, low: u64, high: u64) -> u64 {
        if high <= low {
            return low;
        }
        low + self.inner.next_u64() % (high - low + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        // Guards determinism: a scenario replayed with its seed must draw the same numbers.
        let mut a = SimRng::seeded(42);
        let mut b = SimRng::seeded(42);
        let draws_a: Vec<f64> = (0..5).map(|_| a.unit()).collect();
        let draws_b: Vec<f64> = (0..5).map(|_| b.unit()).collect();
        assert_eq!(draws_a, draws_b);
        let mut c = SimRng::seeded(43);
        assert_ne!(draws_a[0], c.unit());
    }

    #[test]
    fn unit_and_range_stay_in_bounds() {
        // Guards the contract of the two draws the simulation relies on.
        let mut rng = SimRng::seeded(7);
        for _ in 0..1000 {
            let x = rng.unit();
            assert!((0.0..1.0).contains(&x));
            let n = rng.range_inclusive(3, 5);
            assert!((3..=5).contains(&n));
        }
        assert_eq!(rng.range_inclusive(9, 2), 9);
    }
}
