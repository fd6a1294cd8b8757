//! The rest of Sprig's deterministic functions and Helm's array readers: `abbrevboth`, `add1f`,
//! `b32dec`, `typeIsLike`, `semver`, `urlParse`, `urlJoin`, `mustFromJson`, `fromYamlArray`,
//! `fromJsonArray`, `toToml` (see `toml.rs`), `getHostByName` (empty, as `helm template` gives it without `--enable-dns`)
//! and `hello`. Each follows Sprig's code, quirks included (`b32dec` answers a malformed input
//! with Go's error text rather than failing).

use super::functions::{arg, fail, from_yaml, int_of, string, text_of};
use super::sprig::{type_of, Registry};
use crate::gotemplate::Metered;
use gotmpl::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Sprig's functions that make keys, certificates, password hashes or ciphertexts. A key or a
/// certificate library would add about 175 kB to every learner's download (gzip, measured with
/// a probe crate) and an RSA key takes seconds to make in a browser, so these stop the render
/// with a message that says what to do instead.
const CRYPTOGRAPHY: [&str; 13] = [
    "genPrivateKey",
    "genCA",
    "genCAWithKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "buildCustomCert",
    "encryptAES",
    "decryptAES",
    "bcrypt",
    "htpasswd",
    "derivePassword",
];

pub(super) fn register(registry: Registry) -> Registry {
    let registry = CRYPTOGRAPHY.iter().fold(registry, |registry, name| {
        registry.metered(name, move |_| {
            Err(fail(format!(
                "{name} is not available in opsdojo: it makes keys, certificates or hashes, which the simulator does not; put the value in a values file or a chart file and read it with .Values or .Files.Get"
            )))
        })
    });
    registry
        .metered("abbrevboth", |args| {
            let left = int_of(&arg(args, 0, "abbrevboth")?, "abbrevboth")?;
            let right = int_of(&arg(args, 1, "abbrevboth")?, "abbrevboth")?;
            let text = text_of(&arg(args, 2, "abbrevboth")?);
            if right < 4 || (left > 0 && right < 7) {
                return Ok(string(text));
            }
            Ok(string(abbreviate(&text, left, right)))
        })
        .metered("add1f", |args| {
            let value = arg(args, 0, "add1f")?;
            let number = match value {
                Value::Int(n) => n as f64,
                Value::Uint(n) => n as f64,
                Value::Float(n) => n,
                Value::String(text) => text.trim().parse().unwrap_or(0.0),
                _ => 0.0,
            };
            Ok(Value::Float(number + 1.0))
        })
        .metered("b32dec", |args| {
            let text = text_of(&arg(args, 0, "b32dec")?);
            Ok(string(match base32_decode(&text) {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Err(at) => format!("illegal base32 data at input byte {at}"),
            }))
        })
        .metered("typeIsLike", |args| {
            let target = text_of(&arg(args, 0, "typeIsLike")?);
            let actual = type_of(&arg(args, 1, "typeIsLike")?);
            Ok(Value::Bool(
                target == actual || format!("*{target}") == actual,
            ))
        })
        .metered("semver", |args| {
            let text = text_of(&arg(args, 0, "semver")?);
            semver(&text).ok_or_else(|| fail(format!("semver: Invalid Semantic Version: {text}")))
        })
        .metered("urlParse", |args| {
            let text = text_of(&arg(args, 0, "urlParse")?);
            Ok(map(url_parse(&text)
                .into_iter()
                .map(|(key, value)| (key, string(value)))))
        })
        .metered("urlJoin", |args| {
            let parts = arg(args, 0, "urlJoin")?;
            let get = |key: &str| parts.field(key).map(text_of).unwrap_or_default();
            Ok(string(url_join(
                &get("scheme"),
                &get("userinfo"),
                &get("host"),
                &get("path"),
                &get("query"),
                &get("opaque"),
                &get("fragment"),
            )))
        })
        .metered("mustFromJson", |args| {
            let text = text_of(&arg(args, 0, "mustFromJson")?);
            serde_json::from_str::<serde_yaml_ng::Value>(&text)
                .map(|value| from_yaml(&value))
                .map_err(|error| fail(format!("mustFromJson: {error}")))
        })
        .metered("fromYamlArray", |args| {
            let text = text_of(&arg(args, 0, "fromYamlArray")?);
            Ok(match crate::yaml::from_str::<serde_yaml_ng::Value>(&text) {
                Ok(value @ serde_yaml_ng::Value::Sequence(_)) => from_yaml(&value),
                Ok(serde_yaml_ng::Value::Null) => Value::List(Arc::from(Vec::new())),
                Ok(_) => error_list("error unmarshaling JSON: json: cannot unmarshal object into Go value of type []interface {}"),
                Err(error) => error_list(&error.to_string()),
            })
        })
        .metered("fromJsonArray", |args| {
            let text = text_of(&arg(args, 0, "fromJsonArray")?);
            Ok(match serde_json::from_str::<serde_yaml_ng::Value>(&text) {
                Ok(value @ serde_yaml_ng::Value::Sequence(_)) => from_yaml(&value),
                Ok(_) => error_list("json: cannot unmarshal object into Go value of type []interface {}"),
                Err(error) => error_list(&error.to_string()),
            })
        })
        .metered("toToml", |args| {
            Ok(string(super::toml::to_toml(&arg(args, 0, "toToml")?)))
        })
        // A TOML reader adds about 62 kB to every download (gzip, measured with a probe crate)
        // for a function charts seldom use.
        .metered("fromToml", |_| {
            Err(fail(
                "fromToml is not available in opsdojo: it would need a TOML reader in every learner's download; keep the data in YAML and read it with fromYaml",
            ))
        })
        .metered("getHostByName", |_| Ok(string("")))
        .metered("hello", |_| Ok(string("Hello!")))
}

fn error_list(message: &str) -> Value {
    Value::List(Arc::from(vec![string(message)]))
}

fn map(entries: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
    Value::Map(Arc::new(
        entries
            .into_iter()
            .map(|(key, value)| (Arc::from(key), value))
            .collect::<BTreeMap<_, _>>(),
    ))
}

/// `AbbreviateFull` of Apache's commons, as Sprig's `abbrevboth` calls it.
fn abbreviate(text: &str, offset: i64, width: i64) -> String {
    let chars: Vec<char> = text.chars().collect();
    let length = chars.len() as i64;
    if text.is_empty() || width < 4 || length <= width {
        return text.to_string();
    }
    let mut offset = offset.clamp(0, length);
    if length - offset < width - 3 {
        offset = length - (width - 3);
    }
    let slice = |from: i64, to: i64| chars[from as usize..to as usize].iter().collect::<String>();
    if offset <= 4 {
        return format!("{}...", slice(0, width - 3));
    }
    if width < 7 {
        return text.to_string();
    }
    if offset + width - 3 < length {
        let rest = slice(offset, length);
        return format!("...{}", abbreviate(&rest, 0, width - 3));
    }
    format!("...{}", slice(length - (width - 3), length))
}

fn base32_decode(text: &str) -> Result<Vec<u8>, usize> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(8) {
        return Err(bytes.len() / 8 * 8);
    }
    let mut out = Vec::with_capacity(bytes.len() / 8 * 5);
    for (block, chunk) in bytes.chunks(8).enumerate() {
        let padding = chunk.iter().rev().take_while(|b| **b == b'=').count();
        if !matches!(padding, 0 | 1 | 3 | 4 | 6) {
            return Err(block * 8 + 8 - padding);
        }
        let mut bits = 0u64;
        for (index, byte) in chunk[..8 - padding].iter().enumerate() {
            let Some(value) = super::sprig::BASE32.iter().position(|a| a == byte) else {
                return Err(block * 8 + index);
            };
            bits |= (value as u64) << (35 - index * 5);
        }
        let count = match padding {
            0 => 5,
            1 => 4,
            3 => 3,
            4 => 2,
            _ => 1,
        };
        out.extend((0..count).map(|index| (bits >> (32 - index * 8)) as u8));
        if padding > 0 && block + 1 < bytes.len() / 8 {
            return Err(block * 8 + 8 - padding);
        }
    }
    Ok(out)
}

/// A version as Masterminds' `semver.NewVersion` reads it, as a dict of its parts.
fn semver(text: &str) -> Option<Value> {
    let trimmed = text.strip_prefix(['v', 'V']).unwrap_or(text);
    let (rest, metadata) = trimmed.split_once('+').unwrap_or((trimmed, ""));
    let (core, prerelease) = rest.split_once('-').unwrap_or((rest, ""));
    let mut numbers = core.split('.');
    let mut next = || -> Option<i64> {
        match numbers.next() {
            None => Some(0),
            Some(part) if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) => {
                part.parse().ok()
            }
            Some(_) => None,
        }
    };
    let (major, minor, patch) = (next()?, next()?, next()?);
    if numbers.next().is_some() {
        return None;
    }
    let identifiers_ok = |part: &str| {
        part.is_empty()
            || part.split('.').all(|id| {
                !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
    };
    if core.is_empty() || !identifiers_ok(prerelease) || !identifiers_ok(metadata) {
        return None;
    }
    Some(map([
        ("Major", Value::Int(major)),
        ("Minor", Value::Int(minor)),
        ("Patch", Value::Int(patch)),
        ("Prerelease", string(prerelease)),
        ("Metadata", string(metadata)),
        ("Original", string(text)),
    ]))
}

/// `%XX` sequences decoded, as Go's `url.Parse` gives a path and a fragment.
fn unescape(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' && index + 2 < bytes.len() {
            if let Ok(byte) = u8::from_str_radix(&text[index + 1..index + 3], 16) {
                out.push(byte);
                index += 3;
                continue;
            }
        }
        out.push(bytes[index]);
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Sprig's `urlParse`: the parts of a URL by Go's names.
fn url_parse(text: &str) -> Vec<(&'static str, String)> {
    let (rest, fragment) = text.split_once('#').unwrap_or((text, ""));
    let scheme_end = rest.find(':').filter(|&end| {
        end > 0
            && rest[..end].starts_with(|c: char| c.is_ascii_alphabetic())
            && rest[..end]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    let (scheme, rest) = match scheme_end {
        Some(end) => (rest[..end].to_ascii_lowercase(), &rest[end + 1..]),
        None => (String::new(), rest),
    };
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (mut userinfo, mut host, mut path, mut opaque) =
        (String::new(), String::new(), String::new(), String::new());
    if let Some(after) = rest.strip_prefix("//") {
        let authority_end = after.find('/').unwrap_or(after.len());
        let authority = &after[..authority_end];
        match authority.rsplit_once('@') {
            Some((user, hostport)) => {
                userinfo = user.to_string();
                host = hostport.to_string();
            }
            None => host = authority.to_string(),
        }
        path = unescape(&after[authority_end..]);
    } else if !scheme.is_empty() && !rest.starts_with('/') {
        opaque = rest.to_string();
    } else {
        path = unescape(rest);
    }
    let hostname = if let Some(inner) = host.strip_prefix('[') {
        inner.split(']').next().unwrap_or_default().to_string()
    } else {
        host.split(':').next().unwrap_or_default().to_string()
    };
    vec![
        ("scheme", scheme),
        ("host", host),
        ("hostname", hostname),
        ("path", path),
        ("query", query.to_string()),
        ("opaque", opaque),
        ("fragment", unescape(fragment)),
        ("userinfo", userinfo),
    ]
}

/// Go's `url.URL.String()` of the parts `urlJoin` takes.
fn url_join(
    scheme: &str,
    userinfo: &str,
    host: &str,
    path: &str,
    query: &str,
    opaque: &str,
    fragment: &str,
) -> String {
    let mut out = String::new();
    if !scheme.is_empty() {
        out.push_str(scheme);
        out.push(':');
    }
    if !opaque.is_empty() {
        out.push_str(opaque);
    } else {
        if !scheme.is_empty() || !host.is_empty() || !userinfo.is_empty() {
            if !host.is_empty() || !path.is_empty() || !userinfo.is_empty() {
                out.push_str("//");
            }
            if !userinfo.is_empty() {
                out.push_str(userinfo);
                out.push('@');
            }
            out.push_str(host);
        }
        if !path.is_empty() && !path.starts_with('/') && !host.is_empty() {
            out.push('/');
        }
        out.push_str(&escape_path(path));
    }
    if !query.is_empty() {
        out.push('?');
        out.push_str(query);
    }
    if !fragment.is_empty() {
        out.push('#');
        out.push_str(&escape_path(fragment));
    }
    out
}

/// Escapes what Go's `EscapedPath` escapes in the characters charts use.
fn escape_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_follow_their_go_originals() {
        assert_eq!(abbreviate("1234 5678 9123", 5, 10), "...5678...");
        assert_eq!(abbreviate("abcdefghijklmno", -1, 10), "abcdefg...");
        assert_eq!(abbreviate("abcdefghijklmno", 10, 10), "...ijklmno");
        assert_eq!(base32_decode("NBSWY3DP").unwrap(), b"hello");
        assert_eq!(base32_decode("NBSWY3DPEE======").unwrap(), b"hello!");
        assert_eq!(base32_decode("NBSW"), Err(0));
        assert_eq!(base32_decode("NBSWY3D1"), Err(7));
        assert!(semver("1.2").is_some());
        assert!(semver("1.2.3.4").is_none());
        assert!(semver("x").is_none());
        let parts: BTreeMap<&str, String> =
            url_parse("https://user:pw@example.com:8080/a%20b?q=1#frag")
                .into_iter()
                .collect();
        assert_eq!(parts["hostname"], "example.com");
        assert_eq!(parts["path"], "/a b");
        assert_eq!(parts["userinfo"], "user:pw");
        assert_eq!(
            url_join("https", "", "example.com", "/a b", "x=1", "", ""),
            "https://example.com/a%20b?x=1"
        );
        assert_eq!(
            url_join("mailto", "", "", "", "", "a@b.c", ""),
            "mailto:a@b.c"
        );
    }
}
