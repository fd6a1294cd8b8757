//! A compact binary form of a series store's recent samples, for the world's checkpoint.
//!
//! Label strings go once into a table; each series lists its labels as indices into it.
//! Timestamps are written as the change of their gap (zero for a regular scrape), values as the
//! bytes of their XOR with the previous value (one zero byte for an unchanged counter), the
//! scheme time-series databases use, at byte rather than bit granularity. A run of samples
//! that repeat the previous gap and value (a gauge that does not move) is one byte.

/// A header byte above this starts a run of repeated samples, of `header - RUN` samples.
pub(crate) const RUN: u8 = 64;

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
