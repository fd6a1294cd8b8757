//! A compact binary form of a series store's recent samples, for the world's checkpoint.
//!
//! Label strings go once into a table; each series lists its labels as indices into it.
//! Timestamps are written as the change of their gap (zero for a regular scrape), values as the
//! bytes of their XOR with the previous value (one zero byte for an unchanged counter), the
//! scheme time-series databases use, at byte rather than bit granularity. A run of samples
//! that repeat the previous gap and value (a gauge that does not move) is one byte.
//!
//! A series' samples are written in blocks of [`BLOCK_MS`] of aligned time, each ending its
//! run. A block that can no longer change is the same bytes in every later checkpoint, so
//! [`BlockCache`] keeps it: a checkpoint copies the blocks written since the last one instead
//! of encoding the whole hour again, and the page can write them a few at a time while the
//! clock plays.

use super::sample::Labels;
use super::store::at_or_before_from;
use rustc_hash::FxHashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// A header byte above this starts a run of repeated samples, of `header - RUN` samples.
pub(crate) const RUN: u8 = 64;

/// The time span of a block: a run never crosses the start of one.
pub(crate) const BLOCK_MS: i64 = 5 * 60 * 1000;

/// What the encoder carries from one sample to the next: the previous sample's time and value,
/// and the gap before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Carry {
    time: i64,
    gap: i64,
    value: u64,
}

impl Carry {
    /// The carry before `samples[at]`, when the written samples start at `samples[first]`.
    pub fn before(samples: &[(i64, f64)], first: usize, at: usize) -> Self {
        if at <= first {
            return Carry::default();
        }
        let (time, value) = samples[at - 1];
        let earlier = if at - 1 > first { samples[at - 2].0 } else { 0 };
        Carry {
            time,
            gap: time.wrapping_sub(earlier),
            value: value.to_bits(),
        }
    }
}

/// Writes unsigned and signed variable-length integers and raw bytes.
#[derive(Default)]
pub(crate) struct Writer {
    pub bytes: Vec<u8>,
}

impl Writer {
    pub fn uint(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.bytes.push((value as u8) | 0x80);
            value >>= 7;
        }
        self.bytes.push(value as u8);
    }

    pub fn int(&mut self, value: i64) {
        self.uint(((value << 1) ^ (value >> 63)) as u64);
    }

    pub fn text(&mut self, text: &str) {
        self.uint(text.len() as u64);
        self.bytes.extend_from_slice(text.as_bytes());
    }

    /// `value` after `previous`: the non-zero middle bytes of their XOR, with a header byte
    /// giving how many leading zero bytes and how many bytes follow.
    pub fn float_after(&mut self, previous: f64, value: f64) {
        let xor = previous.to_bits() ^ value.to_bits();
        if xor == 0 {
            self.bytes.push(0);
            return;
        }
        let leading = (xor.leading_zeros() / 8) as u8;
        let trailing = (xor.trailing_zeros() / 8) as u8;
        let kept = usize::from(8 - leading - trailing);
        self.bytes.push(1 + leading * 8 + (kept as u8 - 1));
        let middle = (xor >> (u32::from(trailing) * 8)).to_be_bytes();
        self.bytes.extend_from_slice(&middle[8 - kept..]);
    }

    /// `samples` after `carry`, ending with any run they end in; the carry after them.
    pub fn samples(&mut self, samples: &[(i64, f64)], carry: Carry) -> Carry {
        let Carry {
            mut time,
            mut gap,
            value,
        } = carry;
        let mut value = f64::from_bits(value);
        let mut run = 0u8;
        for (t, v) in samples {
            let next_gap = t.wrapping_sub(time);
            if next_gap == gap && v.to_bits() == value.to_bits() {
                run += 1;
                if run == u8::MAX - RUN {
                    self.bytes.push(RUN + run);
                    run = 0;
                }
            } else {
                if run > 0 {
                    self.bytes.push(RUN + run);
                    run = 0;
                }
                self.float_after(value, *v);
                self.int(next_gap.wrapping_sub(gap));
            }
            (time, gap, value) = (*t, next_gap, *v);
        }
        if run > 0 {
            self.bytes.push(RUN + run);
        }
        Carry {
            time,
            gap,
            value: value.to_bits(),
        }
    }

    /// The samples of one series kept from `first` on, in blocks, with the count first. Blocks
    /// that can no longer change come from `cache` when it holds them, and go into it when not.
    pub fn series(&mut self, samples: &[(i64, f64)], first: usize, cache: &mut Vec<EncodedBlock>) {
        self.uint((samples.len() - first) as u64);
        Writer::blocks(Some(self), samples, first, first, cache);
    }

    /// Writes into `cache` the blocks of one series kept from `first` on that can no longer
    /// change, starting after the newest block it holds when that one still fits.
    pub fn ahead(samples: &[(i64, f64)], first: usize, cache: &mut Vec<EncodedBlock>) {
        let newest = cache
            .iter()
            .map(|block| block.key)
            .max_by_key(|key| key.start);
        let from = newest
            .and_then(|key| {
                let at = first + samples[first..].partition_point(|(t, _)| *t < key.start);
                let until = at + key.count;
                let fits = samples.get(until).is_some()
                    && samples
                        .get(until - 1)
                        .is_some_and(|(t, v)| (*t, v.to_bits()) == key.last);
                fits.then_some(until)
            })
            .unwrap_or(first);
        Writer::blocks(None, samples, first, from, cache);
    }

    /// The blocks from `samples[from]` on, of samples kept from `first` on: into `out` when
    /// given, and into `cache` when they can no longer change.
    fn blocks(
        mut out: Option<&mut Self>,
        samples: &[(i64, f64)],
        first: usize,
        from: usize,
        cache: &mut Vec<EncodedBlock>,
    ) {
        let mut at = from;
        while at < samples.len() {
            let start = samples[at].0.div_euclid(BLOCK_MS).saturating_mul(BLOCK_MS);
            let end = start.saturating_add(BLOCK_MS);
            let carry = Carry::before(samples, first, at);
            // A block can be kept when the samples kept do not start inside it, and once a
            // later sample exists (the newest may still be replaced).
            let whole = at == 0 || samples[at - 1].0 < start;
            let cached = cache
                .iter()
                .position(|b| whole && b.key.start == start && b.key.carry == carry)
                .filter(|index| {
                    let key = cache[*index].key;
                    let until = at + key.count;
                    samples.get(until).is_some_and(|(t, _)| *t >= end)
                        && samples
                            .get(until - 1)
                            .is_some_and(|(t, v)| (*t, v.to_bits()) == key.last)
                });
            if let Some(index) = cached {
                if let Some(out) = out.as_deref_mut() {
                    out.bytes.extend_from_slice(&cache[index].bytes);
                }
                at += cache[index].key.count;
                continue;
            }
            let until = at_or_before_from(samples, end - 1, at);
            let block = &samples[at..until];
            if !whole || until == samples.len() {
                if let Some(out) = out.as_deref_mut() {
                    out.samples(block, carry);
                }
                at = until;
                continue;
            }
            let mut writer = Writer::default();
            writer.samples(block, carry);
            if let Some(out) = out.as_deref_mut() {
                out.bytes.extend_from_slice(&writer.bytes);
            }
            let last = block[block.len() - 1];
            cache.retain(|b| b.key.start != start);
            cache.push(EncodedBlock {
                key: BlockKey {
                    start,
                    carry,
                    count: block.len(),
                    last: (last.0, last.1.to_bits()),
                },
                bytes: writer.bytes,
            });
            at = until;
        }
        // Blocks before the first kept one will not be asked for again.
        let oldest = samples.get(first).map_or(i64::MAX, |(t, _)| {
            t.div_euclid(BLOCK_MS).saturating_mul(BLOCK_MS)
        });
        cache.retain(|b| b.key.start >= oldest);
    }
}

/// What makes a block's bytes: where it starts, the carry before it, how many samples it holds
/// and its last one (the store only ever appends, drops the oldest, or replaces the newest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct BlockKey {
    start: i64,
    carry: Carry,
    count: usize,
    last: (i64, u64),
}

/// One series' block, written.
#[derive(Debug)]
pub(crate) struct EncodedBlock {
    key: BlockKey,
    bytes: Vec<u8>,
}

/// Reads what [`Writer`] wrote; every read fails cleanly past the end or on a malformed value.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }

    pub fn is_done(&self) -> bool {
        self.at == self.bytes.len()
    }

    pub fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    pub fn byte(&mut self) -> Result<u8, String> {
        let byte = *self.bytes.get(self.at).ok_or("the series end early")?;
        self.at += 1;
        Ok(byte)
    }

    pub fn uint(&mut self) -> Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("a number in the series is too long".into())
    }

    /// An unsigned number that must be at most `limit`.
    pub fn count(&mut self, limit: usize) -> Result<usize, String> {
        let value = self.uint()?;
        usize::try_from(value)
            .ok()
            .filter(|value| *value <= limit)
            .ok_or_else(|| format!("a count in the series is {value}, over {limit}"))
    }

    pub fn int(&mut self) -> Result<i64, String> {
        let value = self.uint()?;
        Ok(((value >> 1) as i64) ^ -((value & 1) as i64))
    }

    pub fn text(&mut self) -> Result<&'a str, String> {
        let len = self.count(self.bytes.len() - self.at)?;
        let bytes = &self.bytes[self.at..self.at + len];
        self.at += len;
        std::str::from_utf8(bytes).map_err(|_| "a label in the series is not UTF-8".to_string())
    }

    pub fn float_after(&mut self, previous: f64) -> Result<f64, String> {
        let header = self.byte()?;
        if header == 0 {
            return Ok(previous);
        }
        if header > 64 {
            return Err("a value in the series is malformed".into());
        }
        let leading = u32::from((header - 1) / 8);
        let kept = u32::from((header - 1) % 8) + 1;
        if leading + kept > 8 {
            return Err("a value in the series is malformed".into());
        }
        let mut middle = 0u64;
        for _ in 0..kept {
            middle = (middle << 8) | u64::from(self.byte()?);
        }
        let trailing = 8 - leading - kept;
        Ok(f64::from_bits(
            previous.to_bits() ^ (middle << (trailing * 8)),
        ))
    }
}

/// The label strings of a store's series, numbered in the order first met, and each series'
/// labels as those numbers, written: series are only ever added (or all removed), so this only
/// grows with them.
#[derive(Debug, Default)]
pub(crate) struct LabelTable {
    numbers: FxHashMap<String, u64>,
    /// The strings, written in number order.
    pub strings: Vec<u8>,
    /// Each series' labels, written one after another, and where each one's end.
    labels: Vec<u8>,
    ends: Vec<usize>,
}

impl LabelTable {
    /// Takes in the series after those it has.
    pub fn extend(&mut self, all: &[Labels]) {
        let mut strings = Writer {
            bytes: std::mem::take(&mut self.strings),
        };
        let mut labels = Writer {
            bytes: std::mem::take(&mut self.labels),
        };
        for series in all.iter().skip(self.ends.len()) {
            labels.uint(series.len() as u64);
            for (name, value) in series.iter() {
                for text in [name, value] {
                    let next = self.numbers.len() as u64;
                    let number = *self.numbers.entry(text.clone()).or_insert_with(|| {
                        strings.text(text);
                        next
                    });
                    labels.uint(number);
                }
            }
            self.ends.push(labels.bytes.len());
        }
        self.strings = strings.bytes;
        self.labels = labels.bytes;
    }

    pub fn count(&self) -> usize {
        self.numbers.len()
    }

    /// The labels of series `id`, written.
    pub fn series(&self, id: usize) -> &[u8] {
        let start = if id == 0 { 0 } else { self.ends[id - 1] };
        &self.labels[start..self.ends[id]]
    }
}

/// What a store keeps written for its next checkpoint: the label table, and each series'
/// blocks by series id. A copy of a store starts with it empty.
#[derive(Debug, Default)]
pub(crate) struct Written {
    pub labels: LabelTable,
    pub blocks: Vec<Vec<EncodedBlock>>,
    /// Per series, the block its newest sample was in when blocks were last written ahead:
    /// until a sample falls in a later one, no block closed.
    pub open: Vec<i64>,
}

#[derive(Debug, Default)]
pub(crate) struct BlockCache(Mutex<Written>);

impl Clone for BlockCache {
    fn clone(&self) -> Self {
        BlockCache::default()
    }
}

impl BlockCache {
    pub fn written(&self) -> MutexGuard<'_, Written> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_floats_read_back_exactly() {
        let floats = [
            0.0,
            1.0,
            1.0,
            2.5,
            -0.0,
            f64::NAN,
            f64::INFINITY,
            1e-300,
            123456.789,
            0.0,
        ];
        let ints = [0i64, -1, 1, i64::MIN, i64::MAX, 15_000, -15_000];
        let mut writer = Writer::default();
        for int in ints {
            writer.int(int);
        }
        let mut previous = 0.0;
        for value in floats {
            writer.float_after(previous, value);
            previous = value;
        }
        writer.text("prod");
        let mut reader = Reader::new(&writer.bytes);
        for int in ints {
            assert_eq!(reader.int().unwrap(), int);
        }
        let mut previous = 0.0;
        for value in floats {
            let read = reader.float_after(previous).unwrap();
            assert_eq!(read.to_bits(), value.to_bits());
            previous = read;
        }
        assert_eq!(reader.text().unwrap(), "prod");
        assert!(reader.is_done());
    }

    #[test]
    fn truncated_or_malformed_input_is_an_error() {
        let mut writer = Writer::default();
        writer.uint(u64::MAX);
        writer.float_after(0.0, 3.5);
        for end in 0..writer.bytes.len() {
            let mut reader = Reader::new(&writer.bytes[..end]);
            let read = reader.uint().and_then(|_| reader.float_after(0.0));
            assert!(read.is_err(), "read {end} bytes");
        }
        assert!(Reader::new(&[0xff; 11]).uint().is_err());
        assert!(Reader::new(&[65]).float_after(0.0).is_err());
        assert!(Reader::new(&[5, b'a']).text().is_err());
    }
}
