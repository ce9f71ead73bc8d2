//! Figures in blocks: the figures of one (period, indicator) packed into one byte string, for
//! a backend that stores a block per row instead of a row per figure (SQLite, where a row per
//! figure costs a b-tree insert of eleven values and ~31 bytes, and reading three million of
//! them one by one costs seconds).
//!
//! A block holds [`Encoded`] figures without their period and indicator (the block's key):
//!
//! ```text
//! block   = FORMAT figure*
//! figure  = zigzag(unit − previous unit) zigzag(seq − previous seq) tag
//!           (zigzag(mantissa) | len exact-bytes) [source] [reported_by] [zigzag(reported)]
//! tag     = scale | flags << 5 | has_mantissa << 9 | has_source << 10
//!           | has_reported_by << 11 | has_reported << 12
//! ```
//!
//! every number a LEB128 varint, "previous" starting at 0. A typical figure takes 7–9 bytes.
//! Blocks are append-only like the rows they replace: a later figure goes into a new block,
//! so a block never changes once written.

use crate::figure::Encoded;

/// The first byte of every block: the layout above. A new layout gets a new number and the
/// decoder keeps reading the old ones.
pub const FORMAT: u8 = 1;

/// A block is closed once it reaches this many bytes: large enough that the per-row cost of
/// the database is spread over thousands of figures, small enough that a bulk import holding
/// one open block per (period, indicator) stays within a few hundred megabytes.
pub const TARGET_BYTES: usize = 32 * 1024;

const HAS_MANTISSA: u64 = 1 << 9;
const HAS_SOURCE: u64 = 1 << 10;
const HAS_REPORTED_BY: u64 = 1 << 11;
const HAS_REPORTED: u64 = 1 << 12;

/// Why a stored block cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlockError {
    #[error("empty block")]
    Empty,
    #[error("block format {0} is not known to this version of chitieu")]
    Format(u8),
    #[error("block ends inside figure {0}")]
    Truncated(usize),
    #[error("figure {0}: {1}")]
    Bad(usize, &'static str),
    #[error("the block holds {found} figures, its row says {expected}")]
    Count { expected: usize, found: usize },
}

/// One figure read back from a block: an [`Encoded`] without the block's period and indicator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockFigure {
    pub unit: i64,
    pub seq: i64,
    pub mantissa: Option<i64>,
    pub scale: i64,
    pub flags: i64,
    pub source: Option<i64>,
    pub reported_by: Option<i64>,
    pub reported: Option<i64>,
    pub exact: Option<String>,
}

/// An open block being filled.
#[derive(Debug, Clone)]
pub struct BlockWriter {
    data: Vec<u8>,
    len: usize,
    first_seq: i64,
    units: (i64, i64),
    known_min: i64,
    prev_unit: i64,
    prev_seq: i64,
}

impl Default for BlockWriter {
    fn default() -> Self {
        BlockWriter {
            data: vec![FORMAT],
            len: 0,
            first_seq: 0,
            units: (i64::MAX, i64::MIN),
            known_min: i64::MAX,
            prev_unit: 0,
            prev_seq: 0,
        }
    }
}

/// A closed block, ready to store under its (period, indicator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The `seq` of its first figure: unique, since every figure has its own seq.
    pub first_seq: i64,
    pub len: usize,
    /// The least and greatest `unit` of its figures, and the earliest day one of them is
    /// known from (`reported`, else the first day of the period): a read of some units, or
    /// as of a date, skips the blocks that cannot hold what it wants without decoding them.
    pub units: (i64, i64),
    pub known_min: i64,
    pub data: Vec<u8>,
}

impl BlockWriter {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn bytes(&self) -> usize {
        self.data.len()
    }

    /// Appends a figure, known from day `known_from` (its `reported`, else its period's first
    /// day). Its scale (0–28) and flags (0–15) are the store's codecs' own values, so they
    /// fit their bits.
    pub fn push(&mut self, e: &Encoded, known_from: i64) {
        if self.len == 0 {
            self.first_seq = e.seq;
        }
        self.units = (self.units.0.min(e.unit), self.units.1.max(e.unit));
        self.known_min = self.known_min.min(known_from);
        self.len += 1;
        put_signed(&mut self.data, e.unit.wrapping_sub(self.prev_unit));
        put_signed(&mut self.data, e.seq.wrapping_sub(self.prev_seq));
        self.prev_unit = e.unit;
        self.prev_seq = e.seq;
        let mut tag = (e.scale as u64 & 0x1f) | ((e.flags as u64 & 0xf) << 5);
        if e.mantissa.is_some() {
            tag |= HAS_MANTISSA;
        }
        if e.source.is_some() {
            tag |= HAS_SOURCE;
        }
        if e.reported_by.is_some() {
            tag |= HAS_REPORTED_BY;
        }
        if e.reported.is_some() {
            tag |= HAS_REPORTED;
        }
        put(&mut self.data, tag);
        match (e.mantissa, &e.exact) {
            (Some(m), _) => put_signed(&mut self.data, m),
            (None, exact) => {
                let text = exact.as_deref().unwrap_or("").as_bytes();
                put(&mut self.data, text.len() as u64);
                self.data.extend_from_slice(text);
            }
        }
        for id in [e.source, e.reported_by].into_iter().flatten() {
            put(&mut self.data, id as u64);
        }
        if let Some(d) = e.reported {
            put_signed(&mut self.data, d);
        }
    }

    /// Closes the block and starts a new one in its place.
    pub fn take(&mut self) -> Block {
        let w = std::mem::take(self);
        Block {
            first_seq: w.first_seq,
            len: w.len,
            units: w.units,
            known_min: w.known_min,
            data: w.data,
        }
    }
}

/// Appends the `expected` figures of `data` to `out`.
pub fn decode(data: &[u8], expected: usize, out: &mut Vec<BlockFigure>) -> Result<(), BlockError> {
    decode_where(data, expected, |_| true, out)
}

/// [`decode`], keeping only the figures of the units `keep` accepts (the others are read
/// past, not built).
pub fn decode_where(
    data: &[u8],
    expected: usize,
    keep: impl Fn(i64) -> bool,
    out: &mut Vec<BlockFigure>,
) -> Result<(), BlockError> {
    let (&format, mut rest) = data.split_first().ok_or(BlockError::Empty)?;
    if format != FORMAT {
        return Err(BlockError::Format(format));
    }
    let (mut unit, mut seq) = (0i64, 0i64);
    let mut k = 0;
    while !rest.is_empty() {
        let truncated = BlockError::Truncated(k);
        unit = unit.wrapping_add(get_signed(&mut rest).ok_or(truncated.clone())?);
        seq = seq.wrapping_add(get_signed(&mut rest).ok_or(truncated.clone())?);
        let tag = get(&mut rest).ok_or(truncated.clone())?;
        if tag >> 13 != 0 {
            return Err(BlockError::Bad(k, "unknown bits in its tag"));
        }
        let (mantissa, exact) = if tag & HAS_MANTISSA != 0 {
            (Some(get_signed(&mut rest).ok_or(truncated.clone())?), None)
        } else {
            let n = usize::try_from(get(&mut rest).ok_or(truncated.clone())?)
                .map_err(|_| BlockError::Bad(k, "exact text longer than memory"))?;
            if n > rest.len() {
                return Err(truncated);
            }
            let (text, tail) = rest.split_at(n);
            rest = tail;
            let text = std::str::from_utf8(text)
                .map_err(|_| BlockError::Bad(k, "exact text is not UTF-8"))?;
            (None, Some(text.to_string()))
        };
        let mut optional = |bit: u64| -> Result<Option<u64>, BlockError> {
            if tag & bit == 0 {
                return Ok(None);
            }
            get(&mut rest).map(Some).ok_or(BlockError::Truncated(k))
        };
        let source = optional(HAS_SOURCE)?.map(|x| x as i64);
        let reported_by = optional(HAS_REPORTED_BY)?.map(|x| x as i64);
        let reported = optional(HAS_REPORTED)?.map(unzigzag);
        k += 1;
        if !keep(unit) {
            continue;
        }
        out.push(BlockFigure {
            unit,
            seq,
            mantissa,
            scale: (tag & 0x1f) as i64,
            flags: ((tag >> 5) & 0xf) as i64,
            source,
            reported_by,
            reported,
            exact,
        });
    }
    if k != expected {
        return Err(BlockError::Count { expected, found: k });
    }
    Ok(())
}

fn put(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_signed(out: &mut Vec<u8>, v: i64) {
    put(out, ((v << 1) ^ (v >> 63)) as u64);
}

fn get(input: &mut &[u8]) -> Option<u64> {
    let mut v = 0u64;
    for (i, &b) in input.iter().enumerate().take(10) {
        v |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            *input = &input[i + 1..];
            return Some(v);
        }
    }
    None
}

fn unzigzag(u: u64) -> i64 {
    ((u >> 1) as i64) ^ -((u & 1) as i64)
}

fn get_signed(input: &mut &[u8]) -> Option<i64> {
    get(input).map(unzigzag)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn encoded(unit: i64, seq: i64) -> Encoded {
        Encoded {
            period: 38_342,
            indicator: 3,
            unit,
            seq,
            mantissa: Some(4130),
            scale: 2,
            flags: 11,
            source: None,
            reported_by: None,
            reported: None,
            exact: None,
        }
    }

    fn figure(e: &Encoded) -> BlockFigure {
        BlockFigure {
            unit: e.unit,
            seq: e.seq,
            mantissa: e.mantissa,
            scale: e.scale,
            flags: e.flags,
            source: e.source,
            reported_by: e.reported_by,
            reported: e.reported,
            exact: e.exact.clone(),
        }
    }

    #[test]
    fn a_typical_figure_takes_a_few_bytes() {
        let mut w = BlockWriter::default();
        for u in 0..1000 {
            w.push(&encoded(u + 1, 5000 + u * 3360), 17_000 - u);
        }
        let b = w.take();
        assert_eq!((b.first_seq, b.len), (5000, 1000));
        assert_eq!((b.units, b.known_min), ((1, 1000), 17_000 - 999));
        // unit Δ 1 byte, seq Δ 2, tag 2, mantissa 2.
        assert!(b.data.len() <= 1 + 1000 * 8, "{}", b.data.len());
        let mut out = Vec::new();
        decode(&b.data, 1000, &mut out).unwrap();
        assert_eq!(out[999], figure(&encoded(1000, 5000 + 999 * 3360)));
        assert!(w.is_empty() && w.bytes() == 1);
    }

    #[test]
    fn damaged_blocks_are_refused_with_a_reason() {
        let mut w = BlockWriter::default();
        w.push(&encoded(7, 9), 0);
        let b = w.take();
        let mut out = Vec::new();
        assert_eq!(decode(&[], 0, &mut out), Err(BlockError::Empty));
        assert_eq!(decode(&[2], 0, &mut out), Err(BlockError::Format(2)));
        let cut = &b.data[..b.data.len() - 1];
        assert_eq!(decode(cut, 1, &mut out), Err(BlockError::Truncated(0)));
        assert_eq!(
            decode(&b.data, 2, &mut out),
            Err(BlockError::Count {
                expected: 2,
                found: 1
            })
        );
    }

    fn arb_encoded() -> impl Strategy<Value = Encoded> {
        (
            (any::<i64>(), any::<i64>(), any::<Option<i64>>()),
            (0i64..=28, 0i64..16),
            (
                any::<Option<u32>>(),
                any::<Option<u32>>(),
                any::<Option<i32>>(),
            ),
            "[-0-9.]{0,40}",
        )
            .prop_map(
                |((unit, seq, mantissa), (scale, flags), (source, by, reported), text)| Encoded {
                    period: 0,
                    indicator: 0,
                    unit,
                    seq,
                    mantissa,
                    scale,
                    flags,
                    source: source.map(i64::from),
                    reported_by: by.map(i64::from),
                    reported: reported.map(i64::from),
                    exact: mantissa.is_none().then_some(text),
                },
            )
    }

    proptest! {
        #[test]
        fn every_figure_comes_back_as_written(
            figures in proptest::collection::vec(arb_encoded(), 1..200)
        ) {
            let mut w = BlockWriter::default();
            for e in &figures {
                w.push(e, e.seq);
            }
            let b = w.take();
            prop_assert_eq!(b.first_seq, figures[0].seq);
            let mut out = Vec::new();
            decode(&b.data, figures.len(), &mut out).unwrap();
            let want: Vec<BlockFigure> = figures.iter().map(figure).collect();
            prop_assert_eq!(&out, &want);
            prop_assert_eq!(b.units.0, figures.iter().map(|e| e.unit).min().unwrap());
            prop_assert_eq!(b.units.1, figures.iter().map(|e| e.unit).max().unwrap());
            prop_assert_eq!(b.known_min, figures.iter().map(|e| e.seq).min().unwrap());
            let mut odd = Vec::new();
            decode_where(&b.data, figures.len(), |u| u % 2 != 0, &mut odd).unwrap();
            let want_odd: Vec<BlockFigure> = want.into_iter().filter(|f| f.unit % 2 != 0).collect();
            prop_assert_eq!(odd, want_odd);
        }

        #[test]
        fn no_byte_string_makes_the_decoder_panic(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            let mut out = Vec::new();
            let _ = decode(&data, 3, &mut out);
        }
    }
}
