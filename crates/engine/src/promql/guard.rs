//! What a query may ask for before it is parsed and evaluated: how deep it nests, and
//! durations that a simulated clock can hold.
//!
//! `promql-parser` turns a number in a duration's place (`up[1e30]`, `offset 1e400`) into a
//! `std::time::Duration`, which cannot hold a negative, infinite or huge number of seconds. The
//! text is scanned first so that such a query gets a diagnostic instead; after parsing, every
//! range, step, offset and `@` time is checked against the longest duration Prometheus reads.

use crate::limits::{PROMQL_MAX_DEPTH, PROMQL_MAX_DURATION_MS, PROMQL_MAX_TEXT};
use promql_parser::parser::{AtModifier, Expr, Offset};
use std::time::{Duration, UNIX_EPOCH};

/// A problem found before or after parsing, at a byte offset of the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardError {
    pub offset: usize,
    pub message: String,
    pub hint: String,
}

fn error(offset: usize, message: String, hint: &str) -> GuardError {
    GuardError {
        offset,
        message,
        hint: hint.to_string(),
    }
}

const DURATION_HINT: &str = "write a duration such as `5m`, `1h` or `30d`; the longest is 292y";

/// Scans `text` for nesting deeper than the limit and numbers in a duration's place that no
/// duration can hold.
pub fn scan(text: &str) -> Result<(), GuardError> {
    if text.len() > PROMQL_MAX_TEXT {
        return Err(error(
            0,
            format!("the query is longer than {} KiB", PROMQL_MAX_TEXT / 1024),
            "split it into recording rules",
        ));
    }
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    // The last two significant tokens before the current one.
    let mut previous: [&str; 2] = ["", ""];
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'"' | b'\'' | b'`' => {
                i = skip_string(bytes, i);
                previous = [previous[1], "string"];
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > PROMQL_MAX_DEPTH {
                    return Err(error(
                        i,
                        format!("the query nests deeper than {PROMQL_MAX_DEPTH} levels"),
                        "remove brackets, or split the query into recording rules",
                    ));
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_digit() || (c == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            i += 1;
            while i < bytes.len() {
                let d = bytes[i];
                let exponent_sign = (d == b'+' || d == b'-')
                    && matches!(bytes[i - 1], b'e' | b'E')
                    && !text[start..i].starts_with("0x")
                    && !text[start..i].starts_with("0X");
                if d.is_ascii_alphanumeric() || d == b'.' || d == b'_' || exponent_sign {
                    i += 1;
                } else {
                    break;
                }
            }
            let token = &text[start..i];
            if in_duration_place(previous) {
                check_number_duration(token, start)?;
            }
            previous = [previous[1], "number"];
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' || c == b':' && !in_brackets(previous) {
            i += 1;
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b':'))
            {
                i += 1;
            }
            let token = &text[start..i];
            let lower = token.to_ascii_lowercase();
            if in_duration_place(previous) && matches!(lower.as_str(), "inf" | "nan") {
                return Err(error(
                    start,
                    format!("`{token}` is not a duration"),
                    DURATION_HINT,
                ));
            }
            previous = [
                previous[1],
                if lower == "offset" { "offset" } else { "name" },
            ];
            continue;
        }
        let token = match c {
            b'[' => "[",
            b':' => ":",
            b'-' => "-",
            b'+' => "+",
            b'@' => "@",
            _ => "other",
        };
        previous = [previous[1], token];
        i += 1;
    }
    Ok(())
}

/// A colon right after a number or name inside brackets is a subquery's; elsewhere a colon can
/// start a metric name (`:recorded`).
fn in_brackets(previous: [&str; 2]) -> bool {
    matches!(previous[1], "number" | "name" | "[")
}

fn in_duration_place(previous: [&str; 2]) -> bool {
    matches!(previous[1], "[" | ":" | "offset")
        || matches!(previous, ["[" | ":" | "offset", "-" | "+"])
}

fn skip_string(bytes: &[u8], start: usize) -> usize {
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == b'\\' && quote != b'`' {
            i += 2;
            continue;
        }
        if bytes[i] == quote {
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

/// A plain number of seconds where a duration goes (`[300]`, `offset 1e3`).
fn check_number_duration(token: &str, offset: usize) -> Result<(), GuardError> {
    if token
        .chars()
        .any(|c| c.is_ascii_alphabetic() && !matches!(c, 'e' | 'E' | 'x' | 'X'))
        && !token.starts_with("0x")
        && !token.starts_with("0X")
    {
        // A duration with units (`5m`, `1h30m`): the parser adds its parts with overflow checks.
        return Ok(());
    }
    let seconds = if let Some(hex) = token
        .strip_prefix("0x")
        .or_else(|| token.strip_prefix("0X"))
    {
        u64::from_str_radix(hex, 16).map_or(f64::INFINITY, |n| n as f64)
    } else {
        match token.parse::<f64>() {
            Ok(seconds) => seconds,
            // Not a number the parser reads either: it reports the syntax error itself.
            Err(_) => return Ok(()),
        }
    };
    if !seconds.is_finite() || seconds * 1000.0 > PROMQL_MAX_DURATION_MS as f64 {
        return Err(error(
            offset,
            format!("the duration `{token}` is out of range"),
            DURATION_HINT,
        ));
    }
    Ok(())
}

/// Checks a parsed expression: nesting depth (without recursion, so that a long chain of
/// operators cannot exhaust the stack) and every duration and `@` time.
pub fn check_expr(expr: &Expr) -> Result<(), String> {
    let mut stack: Vec<(&Expr, usize)> = vec![(expr, 1)];
    while let Some((expr, depth)) = stack.pop() {
        if depth > PROMQL_MAX_DEPTH {
            return Err(format!(
                "the query nests deeper than {PROMQL_MAX_DEPTH} levels"
            ));
        }
        match expr {
            Expr::Subquery(subquery) => {
                check_duration("subquery range", &subquery.range)?;
                if let Some(step) = &subquery.step {
                    check_duration("subquery step", step)?;
                }
                check_offset(&subquery.offset)?;
                check_at(&subquery.at)?;
            }
            Expr::VectorSelector(selector) => {
                check_offset(&selector.offset)?;
                check_at(&selector.at)?;
            }
            Expr::MatrixSelector(matrix) => {
                check_duration("range", &matrix.range)?;
                check_offset(&matrix.vs.offset)?;
                check_at(&matrix.vs.at)?;
            }
            _ => {}
        }
        stack.extend(children(expr).into_iter().map(|child| (child, depth + 1)));
    }
    Ok(())
}

/// The expressions directly inside `expr`.
fn children(expr: &Expr) -> Vec<&Expr> {
    match expr {
        Expr::Aggregate(aggregate) => {
            let mut inside = vec![aggregate.expr.as_ref()];
            inside.extend(aggregate.param.as_deref());
            inside
        }
        Expr::Unary(unary) => vec![&unary.expr],
        Expr::Binary(binary) => vec![&binary.lhs, &binary.rhs],
        Expr::Paren(paren) => vec![&paren.expr],
        Expr::Subquery(subquery) => vec![&subquery.expr],
        Expr::Call(call) => call.args.args.iter().map(|arg| arg.as_ref()).collect(),
        Expr::VectorSelector(_)
        | Expr::MatrixSelector(_)
        | Expr::NumberLiteral(_)
        | Expr::StringLiteral(_)
        | Expr::Extension(_) => Vec::new(),
    }
}

/// How far before its evaluation time `expr` reads samples, in milliseconds: ranges, subquery
/// ranges and offsets along the deepest path, plus the lookback of an instant selector. Times
/// fixed by `@` are not counted.
pub fn lookback_ms(expr: &Expr) -> i64 {
    let millis = |d: &Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    let offset = |o: &Option<Offset>| match o {
        Some(Offset::Pos(d)) => millis(d),
        _ => 0,
    };
    let mut longest = 0i64;
    let mut stack: Vec<(&Expr, i64)> = vec![(expr, 0)];
    while let Some((expr, back)) = stack.pop() {
        let inside = match expr {
            Expr::Subquery(subquery) => back
                .saturating_add(millis(&subquery.range))
                .saturating_add(offset(&subquery.offset)),
            Expr::VectorSelector(selector) => {
                let reach = back
                    .saturating_add(offset(&selector.offset))
                    .saturating_add(crate::promql::LOOKBACK_MS);
                longest = longest.max(reach);
                back
            }
            Expr::MatrixSelector(matrix) => {
                let reach = back
                    .saturating_add(millis(&matrix.range))
                    .saturating_add(offset(&matrix.vs.offset));
                longest = longest.max(reach);
                back
            }
            _ => back,
        };
        stack.extend(children(expr).into_iter().map(|child| (child, inside)));
    }
    longest
}

fn check_duration(what: &str, duration: &Duration) -> Result<(), String> {
    if duration.as_millis() > PROMQL_MAX_DURATION_MS as u128 {
        return Err(format!(
            "the {what} is out of range: the longest duration is 292y"
        ));
    }
    Ok(())
}

fn check_offset(offset: &Option<Offset>) -> Result<(), String> {
    match offset {
        Some(Offset::Pos(duration) | Offset::Neg(duration)) => check_duration("offset", duration),
        None => Ok(()),
    }
}

fn check_at(at: &Option<AtModifier>) -> Result<(), String> {
    if let Some(AtModifier::At(time)) = at {
        let millis = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => after.as_millis(),
            Err(before) => before.duration().as_millis(),
        };
        if millis > PROMQL_MAX_DURATION_MS as u128 {
            return Err(
                "the `@` time is out of range: use a Unix time within 292 years of 1970".into(),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookback_follows_ranges_subqueries_and_offsets() {
        let minutes = |text: &str| {
            let query = crate::promql::parse_query(text).expect("the query parses");
            lookback_ms(&query.expr) / 60_000
        };
        assert_eq!(minutes("vector(1)"), 0);
        assert_eq!(minutes("up"), 5);
        assert_eq!(minutes("up offset 1h"), 65);
        assert_eq!(minutes("rate(x[5m] offset 1h) / on() sum(y)"), 65);
        assert_eq!(minutes("max_over_time(rate(x[1m])[30m:1m])"), 31);
        assert_eq!(
            minutes("absent_over_time(ALERTS[1h]) and up offset -10m"),
            60
        );
    }
}
