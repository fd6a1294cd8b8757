//! Helm's `toToml`: a dict as TOML, laid out as Go's BurntSushi encoder lays it out (keys
//! sorted, plain values before tables, sub-tables indented two spaces per level, a blank line
//! before each top-level table, numbers read from YAML printed as floats such as `8080.0`).

use gotmpl::Value;

/// `value` as TOML; anything but a dict is written as the value alone, as the encoder does.
pub(super) fn to_toml(value: &Value) -> String {
    let Value::Map(map) = value else {
        return element(value);
    };
    let mut writer = Writer::default();
    writer.body(&[], map);
    writer.out
}

#[derive(Default)]
struct Writer {
    out: String,
}

type Map = std::collections::BTreeMap<std::sync::Arc<str>, Value>;

fn is_table(value: &Value) -> bool {
    matches!(value, Value::Map(_)) || is_table_array(value)
}

fn is_table_array(value: &Value) -> bool {
    matches!(value, Value::List(items) if !items.is_empty() && items.iter().all(|item| matches!(item, Value::Map(_))))
}

impl Writer {
    fn newline(&mut self) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
    }

    fn indent(&mut self, key: &[&str]) {
        for _ in 1..key.len() {
            self.out.push_str("  ");
        }
    }

    /// The keys of a table: plain values first, then tables, each group sorted.
    fn body(&mut self, key: &[&str], map: &Map) {
        for tables in [false, true] {
            for (name, value) in map.iter() {
                if is_table(value) != tables || matches!(value, Value::Nil) {
                    continue;
                }
                let mut path = key.to_vec();
                path.push(name);
                self.encode(&path, value);
            }
        }
    }

    /// A table's header (`[a.b]`, or `[[a.b]]` in an array of tables) and its keys.
    fn table(&mut self, key: &[&str], map: &Map, (open, close): (&str, &str)) {
        self.indent(key);
        self.out.push_str(open);
        self.out.push_str(&dotted(key));
        self.out.push_str(close);
        self.newline();
        self.body(key, map);
    }

    fn encode(&mut self, key: &[&str], value: &Value) {
        match value {
            Value::Map(map) => {
                if key.len() == 1 {
                    self.newline();
                }
                self.table(key, map, ("[", "]"));
            }
            Value::List(items) if is_table_array(value) => {
                for item in items.iter() {
                    if let Value::Map(map) = item {
                        self.newline();
                        self.table(key, map, ("[[", "]]"));
                    }
                }
            }
            other => {
                self.indent(key);
                self.out
                    .push_str(&bare_or_quoted(key.last().copied().unwrap_or("")));
                self.out.push_str(" = ");
                self.out.push_str(&element(other));
                self.newline();
            }
        }
    }
}

fn dotted(key: &[&str]) -> String {
    key.iter()
        .map(|part| bare_or_quoted(part))
        .collect::<Vec<_>>()
        .join(".")
}

fn bare_or_quoted(key: &str) -> String {
    if !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        key.to_string()
    } else {
        quoted(key)
    }
}

fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if c < ' ' || c == '\u{7f}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A value written inline: after `key = `, in an array or in an inline table.
fn element(value: &Value) -> String {
    match value {
        Value::Nil => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Int(n) => n.to_string(),
        Value::Uint(n) => n.to_string(),
        Value::Float(f) if f.is_nan() => "nan".into(),
        Value::Float(f) if f.is_infinite() => if *f > 0.0 { "inf" } else { "-inf" }.into(),
        Value::Float(f) => {
            // Go's FormatFloat(f, 'f', -1, 64), with `.0` added to whole numbers.
            let text = format!("{f}");
            if text.contains('.') {
                text
            } else {
                format!("{text}.0")
            }
        }
        Value::String(text) => quoted(text),
        Value::List(items) => format!(
            "[{}]",
            items.iter().map(element).collect::<Vec<_>>().join(", ")
        ),
        Value::Map(map) => {
            let mut parts = Vec::new();
            for tables in [false, true] {
                for (name, item) in map.iter() {
                    if is_table(item) == tables && !matches!(item, Value::Nil) {
                        parts.push(format!("{} = {}", bare_or_quoted(name), element(item)));
                    }
                }
            }
            format!("{{{}}}", parts.join(", "))
        }
        other => quoted(&super::functions::text_of(other)),
    }
}
