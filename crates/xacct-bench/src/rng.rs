//! A tiny deterministic PRNG (splitmix64): the corpus must be the same bytes on every machine and
//! every run, and pulling in `rand` for that would only slow the build.

/// A splitmix64 generator.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// A generator for file `index` of the corpus of `seed`: each file draws from its own stream,
    /// so the first N files are the same whatever the corpus size.
    pub(crate) fn for_file(seed: u64, index: usize) -> Rng {
        let mut mixer = Rng(seed ^ (index as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93));
        Rng(mixer.next_u64())
    }

    /// A generator for one named thing of the corpus of `seed` (a team, a key, a policy): the
    /// same name gives the same stream whatever else the corpus holds.
    pub(crate) fn keyed(seed: u64, parts: &[&str]) -> Rng {
        // FNV-1a over the parts, separated so that ("ab", "c") and ("a", "bc") differ.
        let mut hash: u64 = 0xCBF2_9CE4_8422_2325;
        for part in parts {
            for byte in part.bytes().chain(std::iter::once(0xFF)) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01B3);
            }
        }
        let mut mixer = Rng(seed ^ hash);
        Rng(mixer.next_u64())
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`); the modulo bias is far below anything a corpus shows.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent`/100.
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// An index into `weights`, drawn in proportion to them.
    pub(crate) fn weighted(&mut self, weights: &[u64]) -> usize {
        let total: u64 = weights.iter().sum();
        let mut roll = self.next_u64() % total;
        for (index, &weight) in weights.iter().enumerate() {
            if roll < weight {
                return index;
            }
            roll -= weight;
        }
        weights.len() - 1
    }

    /// Lowercase hex digits, as in KMS key IDs.
    pub(crate) fn hex(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from_digit(self.below(16) as u32, 16).unwrap_or('0'))
            .collect()
    }

    /// Decimal digits, the first one not zero.
    pub(crate) fn digits(&mut self, len: usize) -> String {
        let mut out = String::with_capacity(len);
        out.push(char::from(b'1' + self.below(9) as u8));
        for _ in 1..len {
            out.push(char::from(b'0' + self.below(10) as u8));
        }
        out
    }
}
