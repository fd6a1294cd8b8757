//! Sprig's functions whose result changes on every run with helm (random strings, `uuidv4`,
//! `shuffle`, `randInt`, and `now` with the date functions), made repeatable: random ones draw
//! from a generator seeded by the release (the scenario's seed in the browser, 0 on the command
//! line), so a chart renders the same each time and a checksum annotation does not roll the
//! pods on every edit; `now` is the release's time (the simulated clock in the browser).
//!
//! A time is a template string in Go's `time.Time` format (`2026-12-02 21:00:00 +0000 UTC`),
//! which is what printing `now` gives with helm; the date functions read it back.

use super::functions::{arg, fail, int_of, string, text_of, FuncResult};
use crate::gotemplate::{ensure_room, Metered};
use base64::Engine as _;
use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc};
use gotmpl::Value;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

/// SplitMix64: small, fast and good enough for passwords in a simulation. Beside it, the time
/// `now` gives. A parsed template kept for another render is set to that render's seed and
/// time with [`Draws::reset`].
#[derive(Debug)]
pub(super) struct Draws {
    state: Mutex<u64>,
    now_ms: AtomicI64,
}

impl Draws {
    pub(super) fn new(seed: u64, now_ms: i64) -> Self {
        Draws {
            state: Mutex::new(seed),
            now_ms: AtomicI64::new(now_ms),
        }
    }

    /// Draws from `seed` again, as a new generator would, with `now_ms` as the time.
    pub(super) fn reset(&self, seed: u64, now_ms: i64) {
        *self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = seed;
        self.now_ms.store(now_ms, Ordering::Relaxed);
    }

    /// Milliseconds since 1970.
    pub(super) fn now_ms(&self) -> i64 {
        self.now_ms.load(Ordering::Relaxed)
    }

    pub(super) fn next(&self) -> u64 {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&self, bound: u64) -> u64 {
        if bound == 0 {
            0
        } else {
            self.next() % bound
        }
    }
}

const ALPHA: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &str = "0123456789";

fn random_text(draws: &Draws, args: &[Value], function: &str, alphabet: &[u8]) -> FuncResult {
    let count = int_of(&arg(args, 0, function)?, function)?.max(0) as u64;
    ensure_room(count)?;
    let text: String = (0..count)
        .map(|_| char::from(alphabet[draws.below(alphabet.len() as u64) as usize]))
        .collect();
    Ok(string(text))
}

/// Registers the seeded functions, drawing from `draws`, with its time as `now`.
pub(super) fn register<M: Metered>(registry: M, draws: Arc<Draws>) -> M {
    let clock = Arc::clone(&draws);
    let alpha_num: Vec<u8> = format!("{ALPHA}{DIGITS}").into_bytes();
    let ascii: Vec<u8> = (32u8..127).collect();
    let d = [(); 7].map(|()| Arc::clone(&draws));
    let [d1, d2, d3, d4, d5, d6, d7] = d;
    registry
        .metered("randAlphaNum", move |args| {
            random_text(&d1, args, "randAlphaNum", &alpha_num)
        })
        .metered("randAlpha", move |args| {
            random_text(&d2, args, "randAlpha", ALPHA.as_bytes())
        })
        .metered("randNumeric", move |args| {
            random_text(&d3, args, "randNumeric", DIGITS.as_bytes())
        })
        .metered("randAscii", move |args| {
            random_text(&d4, args, "randAscii", &ascii)
        })
        .metered("randInt", move |args| {
            let low = int_of(&arg(args, 0, "randInt")?, "randInt")?;
            let high = int_of(&arg(args, 1, "randInt")?, "randInt")?;
            if high <= low {
                return Err(fail(
                    "error calling randInt: invalid argument to Intn: the maximum must be above the minimum",
                ));
            }
            let span = (i128::from(high) - i128::from(low)) as u64;
            Ok(Value::Int(low.wrapping_add(d5.below(span) as i64)))
        })
        .metered("uuidv4", move |_| {
            let (high, low) = (d6.next(), d7.next());
            let mut bytes = [0u8; 16];
            bytes[..8].copy_from_slice(&high.to_be_bytes());
            bytes[8..].copy_from_slice(&low.to_be_bytes());
            bytes[6] = (bytes[6] & 0x0f) | 0x40;
            bytes[8] = (bytes[8] & 0x3f) | 0x80;
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            Ok(string(format!(
                "{}-{}-{}-{}-{}",
                &hex[..8],
                &hex[8..12],
                &hex[12..16],
                &hex[16..20],
                &hex[20..]
            )))
        })
        .metered("shuffle", move |args| {
            let mut chars: Vec<char> = text_of(&arg(args, 0, "shuffle")?).chars().collect();
            for index in (1..chars.len()).rev() {
                chars.swap(index, draws.below(index as u64 + 1) as usize);
            }
            Ok(string(chars.into_iter().collect::<String>()))
        })
        .metered("now", move |_| Ok(string(go_time(clock.now_ms()))))
        .metered("date", |args| {
            let layout = text_of(&arg(args, 0, "date")?);
            let time = time_of(&arg(args, 1, "date")?)?;
            Ok(string(format_go(&layout, &time)))
        })
        .metered("dateInZone", |args| {
            let layout = text_of(&arg(args, 0, "dateInZone")?);
            let time = time_of(&arg(args, 1, "dateInZone")?)?;
            let zone = text_of(&arg(args, 2, "dateInZone")?);
            if !matches!(zone.as_str(), "UTC" | "Local" | "") {
                return Err(fail(format!(
                    "dateInZone: the time zone `{zone}` is not known here; only UTC is"
                )));
            }
            Ok(string(format_go(&layout, &time)))
        })
        .metered("htmlDate", |args| {
            let time = time_of(&arg(args, 0, "htmlDate")?)?;
            Ok(string(format_go("2006-01-02", &time)))
        })
        .metered("unixEpoch", |args| {
            let value = arg(args, 0, "unixEpoch")?;
            if !matches!(value, Value::String(_)) {
                // Unlike `date`, helm's `unixEpoch` takes only a time.
                return Err(fail(format!(
                    "wrong type for value; expected time.Time; got {}",
                    super::sprig::type_of(&value)
                )));
            }
            let time = time_of(&value)?;
            Ok(string(time.timestamp().to_string()))
        })
        .metered("dateModify", |args| {
            let change = text_of(&arg(args, 0, "dateModify")?);
            let time = time_of(&arg(args, 1, "dateModify")?)?;
            let Some(nanos) = go_duration_nanos(&change) else {
                return Err(fail(format!(
                    "dateModify: time: invalid duration \"{change}\""
                )));
            };
            let moved = time
                .timestamp_nanos_opt()
                .and_then(|n| n.checked_add(nanos))
                .map(|n| Utc.timestamp_nanos(n))
                .ok_or_else(|| fail("dateModify: the time is out of range"))?;
            Ok(string(go_time_of(&moved)))
        })
}

/// Go's zero time, which `toDate` gives for text it cannot read.
const ZERO_TIME: &str = "0001-01-01 00:00:00 +0000 UTC";

/// The rest of Sprig's date functions, which need the release's time for `ago`.
pub(super) fn register_dates<M: Metered>(registry: M, draws: Arc<Draws>) -> M {
    let clocks = [(); 2].map(|()| Arc::clone(&draws));
    let [ago_clock, round_clock] = clocks;
    registry
        .metered("toDate", |args| {
            let layout = text_of(&arg(args, 0, "toDate")?);
            let text = text_of(&arg(args, 1, "toDate")?);
            Ok(string(
                parse_go(&layout, &text).map_or_else(|| ZERO_TIME.to_string(), |t| go_time_of(&t)),
            ))
        })
        .metered("mustToDate", |args| {
            let layout = text_of(&arg(args, 0, "mustToDate")?);
            let text = text_of(&arg(args, 1, "mustToDate")?);
            parse_go(&layout, &text)
                .map(|time| string(go_time_of(&time)))
                .ok_or_else(|| {
                    fail(format!(
                        "mustToDate: parsing time {text:?} as {layout:?}: it does not match the layout"
                    ))
                })
        })
        .metered("mustDateModify", |args| {
            let change = text_of(&arg(args, 0, "mustDateModify")?);
            let time = time_of(&arg(args, 1, "mustDateModify")?)?;
            let nanos = go_duration_nanos(&change)
                .ok_or_else(|| fail(format!("mustDateModify: time: invalid duration \"{change}\"")))?;
            time.timestamp_nanos_opt()
                .and_then(|n| n.checked_add(nanos))
                .map(|n| string(go_time_of(&Utc.timestamp_nanos(n))))
                .ok_or_else(|| fail("mustDateModify: the time is out of range"))
        })
        .metered("htmlDateInZone", |args| {
            let time = time_of(&arg(args, 0, "htmlDateInZone")?)?;
            let zone = text_of(&arg(args, 1, "htmlDateInZone")?);
            if !matches!(zone.as_str(), "UTC" | "Local" | "") {
                return Err(fail(format!(
                    "htmlDateInZone: the time zone `{zone}` is not known here; only UTC is"
                )));
            }
            Ok(string(format_go("2006-01-02", &time)))
        })
        .metered("ago", move |args| {
            let time = time_of(&arg(args, 0, "ago")?)?;
            let seconds = ago_clock.now_ms().div_euclid(1000) - time.timestamp();
            Ok(string(go_duration(i128::from(seconds) * 1_000_000_000)))
        })
        .metered("duration", |args| {
            // Sprig reads a string or an int64 of seconds; a template's numbers are neither.
            let seconds = match arg(args, 0, "duration")? {
                Value::String(text) => text.trim().parse::<i64>().unwrap_or(0),
                _ => 0,
            };
            Ok(string(go_duration(i128::from(seconds) * 1_000_000_000)))
        })
        .metered("durationRound", move |args| {
            let nanos: i128 = match arg(args, 0, "durationRound")? {
                Value::String(text) => match go_duration_nanos(&text) {
                    Some(nanos) => i128::from(nanos),
                    None => time_of(&Value::String(text))
                        .map(|time| {
                            i128::from(round_clock.now_ms() - time.timestamp_millis()) * 1_000_000
                        })
                        .unwrap_or(0),
                },
                _ => 0,
            };
            Ok(string(round_duration(nanos.unsigned_abs())))
        })
        .metered("randBytes", move |args| {
            let count = int_of(&arg(args, 0, "randBytes")?, "randBytes")?.max(0) as u64;
            ensure_room(count.saturating_mul(2))?;
            let bytes: Vec<u8> = (0..count).map(|_| draws.next() as u8).collect();
            Ok(string(base64::engine::general_purpose::STANDARD.encode(bytes)))
        })
}

/// Go's `time.Duration.String()`.
fn go_duration(nanos: i128) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let n = nanos.unsigned_abs();
    if n < 1_000 {
        return format!("{sign}{n}ns");
    }
    if n < 1_000_000 {
        return format!("{sign}{}µs", trim_fraction(n, 1_000));
    }
    if n < 1_000_000_000 {
        return format!("{sign}{}ms", trim_fraction(n, 1_000_000));
    }
    let (hours, rest) = (n / 3_600_000_000_000, n % 3_600_000_000_000);
    let (minutes, rest) = (rest / 60_000_000_000, rest % 60_000_000_000);
    let seconds = trim_fraction(rest, 1_000_000_000);
    match (hours, minutes) {
        (0, 0) => format!("{sign}{seconds}s"),
        (0, _) => format!("{sign}{minutes}m{seconds}s"),
        _ => format!("{sign}{hours}h{minutes}m{seconds}s"),
    }
}

/// `n / unit` with its fraction, trailing zeros dropped: `1.5`, `2`.
fn trim_fraction(n: u128, unit: u128) -> String {
    let whole = n / unit;
    let fraction = n % unit;
    if fraction == 0 {
        return whole.to_string();
    }
    let digits = unit.to_string().len() - 1;
    let text = format!("{fraction:0digits$}");
    format!("{whole}.{}", text.trim_end_matches('0'))
}

/// Sprig's `durationRound`: the largest whole unit, years of 365 days and months of 30.
fn round_duration(nanos: u128) -> String {
    const SECOND: u128 = 1_000_000_000;
    let units = [
        (SECOND * 3600 * 24 * 365, "y"),
        (SECOND * 3600 * 24 * 30, "mo"),
        (SECOND * 3600 * 24, "d"),
        (SECOND * 3600, "h"),
        (SECOND * 60, "m"),
        (SECOND, "s"),
    ];
    units.iter().find(|(size, _)| nanos > *size).map_or_else(
        || "0s".to_string(),
        |(size, unit)| format!("{}{unit}", nanos / size),
    )
}

/// Reads `text` with a Go reference layout, in UTC: what `toDate` does.
fn parse_go(layout: &str, text: &str) -> Option<DateTime<Utc>> {
    let (mut year, mut month, mut day, mut hour, mut minute, mut second, mut nanos) =
        (1i32, 1u32, 1u32, 0u32, 0u32, 0u32, 0u32);
    let mut offset_seconds = 0i32;
    let mut pm: Option<bool> = None;
    let mut rest_layout = layout;
    let mut input = text;
    fn number(input: &mut &str, min: usize, max: usize) -> Option<u32> {
        let digits = input
            .bytes()
            .take(max)
            .take_while(u8::is_ascii_digit)
            .count();
        if digits < min {
            return None;
        }
        let value = input[..digits].parse().ok()?;
        *input = &input[digits..];
        Some(value)
    }
    fn name(input: &mut &str, names: &[&str], length: Option<usize>) -> Option<u32> {
        for (index, full) in names.iter().enumerate() {
            let candidate = length.map_or(*full, |n| &full[..n]);
            if input
                .get(..candidate.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(candidate))
            {
                *input = &input[candidate.len()..];
                return Some(index as u32);
            }
        }
        None
    }
    const TOKENS: [&str; 27] = [
        "January", "Monday", "2006", "-07:00", "-0700", "Z07:00", "Z0700", "MST", "Jan", "Mon",
        "002", "_2", "01", "02", "03", "04", "05", "06", "15", "-07", "PM", "pm", "1", "2", "3",
        "4", "5",
    ];
    'outer: while !rest_layout.is_empty() {
        if let Some(after) = rest_layout
            .strip_prefix(".000")
            .or(rest_layout.strip_prefix(".999"))
        {
            let digits_in_layout = 3 + after
                .bytes()
                .take_while(|b| *b == b'0' || *b == b'9')
                .count();
            rest_layout = &rest_layout[1 + digits_in_layout..];
            if let Some(after_dot) = input.strip_prefix('.') {
                let digits = after_dot.bytes().take_while(u8::is_ascii_digit).count();
                let fraction = &after_dot[..digits.min(9)];
                nanos = format!("{fraction:0<9}").parse().ok()?;
                input = &after_dot[digits..];
            }
            continue;
        }
        for token in TOKENS {
            if let Some(after) = rest_layout.strip_prefix(token) {
                match token {
                    "January" => month = name(&mut input, &MONTHS, None)? + 1,
                    "Jan" => month = name(&mut input, &MONTHS, Some(3))? + 1,
                    "Monday" => {
                        name(&mut input, &DAYS, None)?;
                    }
                    "Mon" => {
                        name(&mut input, &DAYS, Some(3))?;
                    }
                    "2006" => year = number(&mut input, 4, 4)? as i32,
                    "06" => year = 2000 + number(&mut input, 2, 2)? as i32,
                    "01" => month = number(&mut input, 2, 2)?,
                    "1" => month = number(&mut input, 1, 2)?,
                    "02" => day = number(&mut input, 2, 2)?,
                    "_2" => {
                        input = input.strip_prefix(' ').unwrap_or(input);
                        day = number(&mut input, 1, 2)?;
                    }
                    "2" => day = number(&mut input, 1, 2)?,
                    "002" => {
                        number(&mut input, 3, 3)?;
                    }
                    "15" => hour = number(&mut input, 1, 2)?,
                    "03" => hour = number(&mut input, 2, 2)?,
                    "3" => hour = number(&mut input, 1, 2)?,
                    "04" => minute = number(&mut input, 2, 2)?,
                    "4" => minute = number(&mut input, 1, 2)?,
                    "05" => second = number(&mut input, 2, 2)?,
                    "5" => second = number(&mut input, 1, 2)?,
                    "PM" | "pm" => {
                        let upper = input.get(..2)?.to_ascii_uppercase();
                        pm = Some(match upper.as_str() {
                            "PM" => true,
                            "AM" => false,
                            _ => return None,
                        });
                        input = &input[2..];
                    }
                    "MST" => {
                        let letters = input.bytes().take_while(u8::is_ascii_uppercase).count();
                        if letters < 3 {
                            return None;
                        }
                        input = &input[letters..];
                    }
                    _ => {
                        // Zones: `Z` alone for UTC where the layout allows it, else ±hh[:]mm.
                        if token.starts_with('Z') {
                            if let Some(after_z) = input.strip_prefix('Z') {
                                input = after_z;
                                rest_layout = after;
                                continue 'outer;
                            }
                        }
                        let sign = match input.as_bytes().first()? {
                            b'+' => 1,
                            b'-' => -1,
                            _ => return None,
                        };
                        input = &input[1..];
                        let hours = number(&mut input, 2, 2)? as i32;
                        let mut minutes = 0;
                        if token.ends_with("00") {
                            input = input.strip_prefix(':').unwrap_or(input);
                            minutes = number(&mut input, 2, 2)? as i32;
                        }
                        offset_seconds = sign * (hours * 3600 + minutes * 60);
                    }
                }
                rest_layout = after;
                continue 'outer;
            }
        }
        let c = rest_layout.chars().next()?;
        input = input.strip_prefix(c)?;
        rest_layout = &rest_layout[c.len_utf8()..];
    }
    if !input.is_empty() {
        return None;
    }
    match pm {
        Some(true) if hour < 12 => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        _ => {}
    }
    let local = chrono::NaiveDate::from_ymd_opt(year, month, day)?
        .and_hms_nano_opt(hour, minute, second, nanos)?;
    let utc = local - chrono::Duration::seconds(i64::from(offset_seconds));
    Some(Utc.from_utc_datetime(&utc))
}

/// Go's `time.Time.String()` for `ms` milliseconds since 1970, in UTC.
fn go_time(ms: i64) -> String {
    let time = Utc.timestamp_millis_opt(ms).single().unwrap_or_default();
    go_time_of(&time)
}

fn go_time_of(time: &DateTime<Utc>) -> String {
    format_go("2006-01-02 15:04:05.999999999 -0700 MST", time)
}

/// A time argument: a time as `now` prints it, or seconds since 1970.
fn time_of(value: &Value) -> gotmpl::Result<DateTime<Utc>> {
    let parsed = match value {
        Value::Int(seconds) => Utc.timestamp_opt(*seconds, 0).single(),
        Value::Float(seconds) => Utc.timestamp_opt(*seconds as i64, 0).single(),
        Value::String(text) => parse_go("2006-01-02 15:04:05.999999999 -0700 MST", text),
        _ => None,
    };
    parsed.ok_or_else(|| {
        fail(format!(
            "date: expected a time (from `now`) or seconds since 1970, got {}",
            text_of(value)
        ))
    })
}

/// Go's duration text (`1h30m`, `-15m`, `2.5s`, `300ms`) in nanoseconds.
fn go_duration_nanos(text: &str) -> Option<i64> {
    let (negative, mut rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if rest.is_empty() {
        return None;
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..number_end].parse().ok()?;
        rest = &rest[number_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_end] {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += number * scale;
        rest = &rest[unit_end..];
    }
    if total > i64::MAX as f64 {
        return None;
    }
    Some(if negative { -total } else { total } as i64)
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Formats `time` (UTC) with a Go reference layout: `Mon Jan 2 15:04:05 MST 2006`.
fn format_go(layout: &str, time: &DateTime<Utc>) -> String {
    // Longest tokens first, as Go's `nextStdChunk` reads them.
    const TOKENS: [&str; 30] = [
        "January",
        "Monday",
        "2006",
        "-07:00:00",
        "-0700",
        "-07:00",
        "Z07:00",
        "Z0700",
        "MST",
        "Jan",
        "Mon",
        "002",
        "__2",
        "_2",
        "01",
        "02",
        "03",
        "04",
        "05",
        "06",
        "15",
        "-07",
        "Z07",
        "PM",
        "pm",
        "1",
        "2",
        "3",
        "4",
        "5",
    ];
    let hour12 = match time.hour() % 12 {
        0 => 12,
        hour => hour,
    };
    let mut out = String::new();
    let mut rest = layout;
    'outer: while !rest.is_empty() {
        // Fractional seconds: `.000` (fixed) or `.999` (trailing zeros dropped).
        for separator in ['.', ','] {
            if let Some(after) = rest.strip_prefix(separator) {
                let digits = after.chars().take_while(|c| *c == '0' || *c == '9').count();
                let same = after
                    .chars()
                    .take(digits)
                    .all(|c| c == after.chars().next().unwrap_or('0'));
                let next_is_digit = after[digits..].starts_with(|c: char| c.is_ascii_digit());
                if digits > 0 && same && !next_is_digit {
                    let nanos = format!("{:09}", time.nanosecond().min(999_999_999));
                    let shown = &nanos[..digits.min(9)];
                    if after.starts_with('9') {
                        let trimmed = shown.trim_end_matches('0');
                        if !trimmed.is_empty() {
                            out.push(separator);
                            out.push_str(trimmed);
                        }
                    } else {
                        out.push(separator);
                        out.push_str(shown);
                    }
                    rest = &after[digits..];
                    continue 'outer;
                }
            }
        }
        for token in TOKENS {
            if let Some(after) = rest.strip_prefix(token) {
                // `Jan` and `Mon` only when not followed by a lower-case letter.
                let text = match token {
                    "January" => MONTHS[time.month0() as usize].to_string(),
                    "Jan" => MONTHS[time.month0() as usize][..3].to_string(),
                    "Monday" => DAYS[time.weekday().num_days_from_monday() as usize].to_string(),
                    "Mon" => DAYS[time.weekday().num_days_from_monday() as usize][..3].to_string(),
                    "2006" => format!("{:04}", time.year()),
                    "06" => format!("{:02}", time.year().rem_euclid(100)),
                    "01" => format!("{:02}", time.month()),
                    "1" => time.month().to_string(),
                    "02" => format!("{:02}", time.day()),
                    "_2" => format!("{:>2}", time.day()),
                    "2" => time.day().to_string(),
                    "002" => format!("{:03}", time.ordinal()),
                    "__2" => format!("{:>3}", time.ordinal()),
                    "15" => format!("{:02}", time.hour()),
                    "03" => format!("{hour12:02}"),
                    "3" => hour12.to_string(),
                    "04" => format!("{:02}", time.minute()),
                    "4" => time.minute().to_string(),
                    "05" => format!("{:02}", time.second()),
                    "5" => time.second().to_string(),
                    "PM" => if time.hour() >= 12 { "PM" } else { "AM" }.to_string(),
                    "pm" => if time.hour() >= 12 { "pm" } else { "am" }.to_string(),
                    "MST" => "UTC".to_string(),
                    "-0700" => "+0000".to_string(),
                    "-07:00" => "+00:00".to_string(),
                    "-07" => "+00".to_string(),
                    "-07:00:00" => "+00:00:00".to_string(),
                    _ => "Z".to_string(), // Z07:00, Z0700, Z07 in UTC
                };
                out.push_str(&text);
                rest = after;
                continue 'outer;
            }
        }
        let c = rest.chars().next().unwrap_or_default();
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_layouts_format_as_go_formats_them() {
        // 2026-12-02 09:05:07.120 UTC, a Wednesday.
        let time = Utc
            .timestamp_millis_opt(1_796_202_307_120)
            .single()
            .unwrap();
        let cases = [
            ("2006-01-02", "2026-12-02"),
            ("2006-01-02T15:04:05Z07:00", "2026-12-02T09:05:07Z"),
            ("Jan _2 3:4:5 PM", "Dec  2 9:5:7 AM"),
            (
                "Monday, 02-Jan-06 15:04:05 MST",
                "Wednesday, 02-Dec-26 09:05:07 UTC",
            ),
            ("15:04:05.000", "09:05:07.120"),
            ("15:04:05.999", "09:05:07.12"),
            (
                "2006-01-02 15:04:05.999999999 -0700 MST",
                "2026-12-02 09:05:07.12 +0000 UTC",
            ),
            ("day 002", "day 336"),
        ];
        for (layout, expected) in cases {
            assert_eq!(format_go(layout, &time), expected, "{layout}");
        }
        assert_eq!(go_time(1_796_202_307_000), "2026-12-02 09:05:07 +0000 UTC");
        assert_eq!(
            time_of(&string("2026-12-02 09:05:07.12 +0000 UTC")).unwrap(),
            time
        );
        assert_eq!(go_duration_nanos("1h30m"), Some(5_400_000_000_000));
        assert_eq!(go_duration_nanos("-1.5s"), Some(-1_500_000_000));
        assert_eq!(go_duration_nanos("3 days"), None);
        let parsed = parse_go("2006-01-02T15:04:05Z07:00", "2026-12-02T10:05:07+01:00").unwrap();
        assert_eq!(parsed.timestamp(), 1_796_202_307);
        assert_eq!(
            go_time_of(&parse_go("02/Jan/2006 3:04PM", "07/Mar/2021 1:30PM").unwrap()),
            "2021-03-07 13:30:00 +0000 UTC"
        );
        assert_eq!(parse_go("2006-01-02", "2021-13-01"), None);
        assert_eq!(parse_go("2006-01-02", "2021-01-01 extra"), None);
        // Names and numbers never cut a character in two.
        assert_eq!(parse_go("Jan 2006", "Ja€ 2021"), None);
        assert_eq!(parse_go("Monday", "M€"), None);
        assert_eq!(parse_go("PM", "€"), None);
        assert_eq!(parse_go("2006", "20€6"), None);
        assert_eq!(go_duration(3_725_000_000_000), "1h2m5s");
        assert_eq!(go_duration(95_000_000_000), "1m35s");
        assert_eq!(go_duration(1_500_000), "1.5ms");
        assert_eq!(round_duration(7_805_000_000_000), "2h");
        assert_eq!(round_duration(0), "0s");
    }
}
