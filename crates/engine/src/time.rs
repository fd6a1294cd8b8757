//! Simulated time: instants, durations in Prometheus notation, and how they are shown.
//!
//! The simulated calendar starts on Monday 2026-01-05 at 00:00 UTC; a scenario starts at a
//! time of day on that first day. Instants are milliseconds since the Unix epoch so that a
//! later PromQL `time()` reads like the real one. Time zones and leap seconds are left out.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Milliseconds since the Unix epoch of Monday 2026-01-05 00:00:00 UTC, day 1 of every scenario.
pub const DAY_ONE_MS: i64 = 1_767_571_200_000;

const MS_PER_SECOND: i64 = 1000;
const MS_PER_DAY: i64 = 86_400_000;

/// An instant of simulated time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SimTime(pub i64);

impl SimTime {
    /// The instant `time_of_day` after midnight of day 1.
    pub fn day_one_at(time_of_day: SimDuration) -> Self {
        SimTime(DAY_ONE_MS + time_of_day.0)
    }

    /// Milliseconds since the Unix epoch.
    pub fn epoch_ms(self) -> i64 {
        self.0
    }

    /// Seconds since the Unix epoch, as PromQL's `time()` returns them.
    pub fn epoch_seconds(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// This instant moved by `duration`.
    pub fn plus(self, duration: SimDuration) -> Self {
        SimTime(self.0.saturating_add(duration.0))
    }

    /// The time elapsed since `earlier`, zero if `earlier` is later.
    pub fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration((self.0 - earlier.0).max(0))
    }
}

impl fmt::Display for SimTime {
    /// `day 1 08:00:00`: the clock a learner reads in the clock bar.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let since_day_one = self.0 - DAY_ONE_MS;
        let day = since_day_one.div_euclid(MS_PER_DAY) + 1;
        let in_day = since_day_one.rem_euclid(MS_PER_DAY) / MS_PER_SECOND;
        write!(
            f,
            "day {day} {:02}:{:02}:{:02}",
            in_day / 3600,
            in_day / 60 % 60,
            in_day % 60
        )
    }
}

/// A length of simulated time, in milliseconds.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct SimDuration(pub i64);

impl SimDuration {
    pub const fn from_seconds(seconds: i64) -> Self {
        SimDuration(seconds * MS_PER_SECOND)
    }

    pub const fn from_minutes(minutes: i64) -> Self {
        SimDuration::from_seconds(minutes * 60)
    }

    pub fn as_seconds_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    pub fn as_ms(self) -> i64 {
        self.0
    }

    /// Parses Prometheus duration notation: `15s`, `5m`, `1h30m`, `2d`, `500ms`.
    pub fn parse(text: &str) -> Result<SimDuration, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("empty duration; write it like `30s`, `5m` or `1h30m`".into());
        }
        let mut total: i64 = 0;
        let mut rest = text;
        while !rest.is_empty() {
            let digits_len = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits_len == 0 {
                return Err(format!(
                    "invalid duration `{text}`: expected a number before `{rest}`"
                ));
            }
            let number: i64 = rest[..digits_len]
                .parse()
                .map_err(|_| format!("invalid duration `{text}`: the number is too large"))?;
            rest = &rest[digits_len..];
            let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
            let unit_ms = match &rest[..unit_len] {
                "ms" => 1,
                "s" => MS_PER_SECOND,
                "m" => 60 * MS_PER_SECOND,
                "h" => 3600 * MS_PER_SECOND,
                "d" => MS_PER_DAY,
                "w" => 7 * MS_PER_DAY,
                "y" => 365 * MS_PER_DAY,
                "" => {
                    return Err(format!(
                        "invalid duration `{text}`: missing unit after `{number}`; use ms, s, m, h, d, w or y"
                    ))
                }
                other => {
                    return Err(format!(
                        "invalid duration `{text}`: unknown unit `{other}`; use ms, s, m, h, d, w or y"
                    ))
                }
            };
            rest = &rest[unit_len..];
            total = number
                .checked_mul(unit_ms)
                .and_then(|ms| total.checked_add(ms))
                .ok_or_else(|| format!("invalid duration `{text}`: too long"))?;
        }
        Ok(SimDuration(total))
    }

    /// Parses a time of day, `HH:MM` or `HH:MM:SS`, into the duration since midnight.
    pub fn parse_time_of_day(text: &str) -> Result<SimDuration, String> {
        let parts: Vec<&str> = text.trim().split(':').collect();
        let bad = || format!("invalid time of day `{text}`; write it like `08:00` or `21:30:00`");
        if !(2..=3).contains(&parts.len()) {
            return Err(bad());
        }
        let mut numbers = [0i64; 3];
        for (slot, part) in numbers.iter_mut().zip(&parts) {
            if part.len() != 2 {
                return Err(bad());
            }
            *slot = part.parse().map_err(|_| bad())?;
        }
        let [hours, minutes, seconds] = numbers;
        if hours > 23 || minutes > 59 || seconds > 59 {
            return Err(bad());
        }
        Ok(SimDuration::from_seconds(
            hours * 3600 + minutes * 60 + seconds,
        ))
    }
}

impl fmt::Display for SimDuration {
    /// Prometheus notation, largest units first: `1h30m`, `45s`, `0s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut ms = self.0;
        if ms == 0 {
            return write!(f, "0s");
        }
        if ms < 0 {
            write!(f, "-")?;
            ms = -ms;
        }
        for (unit, size) in [
            ("d", MS_PER_DAY),
            ("h", 3_600_000),
            ("m", 60_000),
            ("s", 1000),
            ("ms", 1),
        ] {
            if ms >= size {
                write!(f, "{}{unit}", ms / size)?;
                ms %= size;
            }
        }
        Ok(())
    }
}

/// Milliseconds since the Unix epoch of an RFC 3339 time such as `2021-01-01T00:00:00Z` or
/// `2021-01-01T01:00:00.5+01:00`; `None` when the text is not one.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|time| time.timestamp_millis())
}

/// The RFC 3339 form (`2026-01-05T08:00:00Z`) of milliseconds since the Unix epoch, to the
/// second. Times past the calendar's range (hundreds of thousands of years) show its bound.
pub fn format_rfc3339(epoch_ms: i64) -> String {
    let time = chrono::DateTime::from_timestamp_millis(epoch_ms).unwrap_or(if epoch_ms < 0 {
        chrono::DateTime::<chrono::Utc>::MIN_UTC
    } else {
        chrono::DateTime::<chrono::Utc>::MAX_UTC
    });
    time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_rfc3339_times_that_parse_back() {
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_rfc3339(DAY_ONE_MS), "2026-01-05T00:00:00Z");
        for ms in [
            951_782_400_000,
            1_609_459_200_000,
            4_107_542_400_000,
            -86_400_000,
        ] {
            assert_eq!(parse_rfc3339(&format_rfc3339(ms)), Some(ms), "{ms}");
        }
    }

    #[test]
    fn reads_rfc3339_times() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2021-01-01T00:00:00Z"),
            Some(1_609_459_200_000)
        );
        assert_eq!(
            parse_rfc3339("2021-01-01T01:00:00.5+01:00"),
            Some(1_609_459_200_500)
        );
        assert_eq!(parse_rfc3339("2021-13-01T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("é"), None);
        // A day the month does not have, and an offset out of range.
        assert_eq!(parse_rfc3339("2021-02-30T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("2021-01-01T00:00:00+25:00"), None);
        // The calendar's bounds, rather than a wrapped date.
        assert!(format_rfc3339(i64::MAX).starts_with("+262"));
        assert!(format_rfc3339(i64::MIN).starts_with("-262"));
    }

    #[test]
    fn parses_prometheus_durations() {
        // Guards the duration notation lessons and solutions are written in.
        for (text, seconds) in [("15s", 15), ("5m", 300), ("1h30m", 5400), ("2d", 172_800)] {
            assert_eq!(
                SimDuration::parse(text),
                Ok(SimDuration::from_seconds(seconds))
            );
        }
        assert_eq!(SimDuration::parse("500ms"), Ok(SimDuration(500)));
        for bad in ["", "5", "m5", "5x", "99999999999999999999s", "1h-"] {
            assert!(SimDuration::parse(bad).is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn durations_print_back_in_the_same_notation() {
        // Guards round-tripping: what the UI prints can be typed back.
        for text in ["1h30m", "45s", "2d3h", "0s", "1m500ms"] {
            assert_eq!(SimDuration::parse(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn parses_and_shows_time_of_day() {
        // Guards scenario start times and the clock bar's reading.
        let start = SimTime::day_one_at(SimDuration::parse_time_of_day("08:05").unwrap());
        assert_eq!(start.to_string(), "day 1 08:05:00");
        let later = start.plus(SimDuration::parse("16h").unwrap());
        assert_eq!(later.to_string(), "day 2 00:05:00");
        assert!(SimDuration::parse_time_of_day("24:00").is_err());
        assert!(SimDuration::parse_time_of_day("8:00").is_err());
    }
}
