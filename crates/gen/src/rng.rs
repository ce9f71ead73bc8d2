//! Randomness that is the same on every machine: ChaCha8 streams for the structure, and a
//! fixed hash (the SplitMix64 finaliser) for figures, so that any figure can be computed on
//! its own. Only `+ - * /`, `sqrt` and rounding touch floating point on the way to a figure;
//! those are exact IEEE 754 operations, so the output is byte-identical across platforms.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Independent streams of one seed.
pub(crate) mod stream {
    pub const COUNTS: u64 = 1;
    pub const PROFILES: u64 = 2;
    pub const NAMES: u64 = 3;
    pub const REFORM: u64 = 4;
    pub const PLAN: u64 = 5;
    pub const FIGURES: u64 = 6;
}

/// A seeded ChaCha8 stream with the few draws the generator needs.
pub(crate) struct Rng(ChaCha8Rng);

const TWO_POW_53: f64 = 9_007_199_254_740_992.0;

impl Rng {
    pub fn new(seed: u64, stream: u64) -> Rng {
        let mut r = ChaCha8Rng::seed_from_u64(seed);
        r.set_stream(stream);
        Rng(r)
    }

    pub fn u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.u64() >> 11) as f64 / TWO_POW_53
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f64()
    }

    /// Uniform in 0..n (0 when n is 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.u64()) * n as u128) >> 64) as usize
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// One element of a non-empty slice (the default when empty).
    pub fn pick<T: Copy + Default>(&mut self, xs: &[T]) -> T {
        xs.get(self.below(xs.len())).copied().unwrap_or_default()
    }
}

/// The SplitMix64 finaliser: a fixed, well-mixed hash of a 64-bit word.
pub(crate) fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Uniform in [0, 1) from a hash.
pub(crate) fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / TWO_POW_53
}

/// Triangular in (-1, 1) from a hash: the sum of its two halves as uniforms, less 1.
pub(crate) fn triangular(h: u64) -> f64 {
    const TWO_POW_32: f64 = 4_294_967_296.0;
    let a = (h >> 32) as f64 / TWO_POW_32;
    let b = (h & 0xffff_ffff) as f64 / TWO_POW_32;
    a + b - 1.0
}

/// `base` to the power `k` by squaring: the same operations, hence the same bits, everywhere
/// (`powi` promises no precision).
pub(crate) fn pow(base: f64, k: i64) -> f64 {
    let mut result = 1.0;
    let mut b = if k < 0 { 1.0 / base } else { base };
    let mut e = k.unsigned_abs();
    while e > 0 {
        if e & 1 == 1 {
            result *= b;
        }
        b *= b;
        e >>= 1;
    }
    result
}
