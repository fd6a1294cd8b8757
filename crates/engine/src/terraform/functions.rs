//! The Terraform built-in functions configurations commonly call, declared for hcl-rs's
//! evaluator.

use super::value::UNKNOWN;
use crate::limits::TERRAFORM_MAX_FORMAT_WIDTH;
use hcl::eval::{Context, FuncArgs, FuncDef, ParamType};
use hcl::{Map, Number, Value};

thread_local! {
    /// The built-in functions, declared once: declaring them looks each name up among those
    /// before it, which cost more than a plan's evaluation of a small project.
    static DECLARED: Context<'static> = declared();
}

/// A context holding every supported built-in function.
pub fn context<'a>() -> Context<'a> {
    DECLARED.with(Context::clone)
}

fn declared() -> Context<'static> {
    let mut context = Context::new();
    let string = || ParamType::String;
    let any = || ParamType::Any;
    let number = || ParamType::Number;
    let list = || ParamType::Array(Box::new(ParamType::Any));
    let declare =
        |context: &mut Context, name: &str, params: Vec<ParamType>, f: hcl::eval::Func| {
            context.declare_func(name, FuncDef::new(f, params));
        };
    let variadic = |context: &mut Context,
                    name: &str,
                    params: Vec<ParamType>,
                    rest: ParamType,
                    f: hcl::eval::Func| {
        context.declare_func(
            name,
            FuncDef::builder()
                .params(params)
                .variadic_param(rest)
                .build(f),
        );
    };
    declare(&mut context, "lower", vec![string()], |a| {
        map_string(&a, |s| s.to_lowercase())
    });
    declare(&mut context, "upper", vec![string()], |a| {
        map_string(&a, |s| s.to_uppercase())
    });
    declare(&mut context, "trimspace", vec![string()], |a| {
        map_string(&a, |s| s.trim().to_string())
    });
    declare(&mut context, "title", vec![string()], |a| {
        map_string(&a, |s| {
            s.split(' ')
                .map(|word| {
                    let mut chars = word.chars();
                    chars.next().map_or(String::new(), |first| {
                        first.to_uppercase().chain(chars).collect()
                    })
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
    });
    declare(
        &mut context,
        "replace",
        vec![string(), string(), string()],
        |a| {
            let [text, from, to] = strings::<3>(&a)?;
            let matches = if from.is_empty() {
                text.chars().count() + 1
            } else {
                text.matches(from).count()
            };
            let grown = matches.saturating_mul(to.len()).saturating_add(text.len());
            if grown > crate::limits::TERRAFORM_MAX_VALUE_SIZE {
                return Err(super::budget::too_large());
            }
            Ok(Value::from(text.replace(from, to)))
        },
    );
    declare(&mut context, "startswith", vec![string(), string()], |a| {
        let [text, prefix] = strings::<2>(&a)?;
        Ok(Value::from(text.starts_with(prefix)))
    });
    declare(&mut context, "endswith", vec![string(), string()], |a| {
        let [text, suffix] = strings::<2>(&a)?;
        Ok(Value::from(text.ends_with(suffix)))
    });
    declare(
        &mut context,
        "substr",
        vec![string(), number(), number()],
        |a| {
            let text = a[0].as_str().unwrap_or_default();
            let offset = a[1].as_i64().unwrap_or(0).max(0) as usize;
            let length = a[2].as_i64().unwrap_or(-1);
            let chars = text.chars().skip(offset);
            Ok(Value::from(if length < 0 {
                chars.collect::<String>()
            } else {
                chars.take(length as usize).collect()
            }))
        },
    );
    declare(&mut context, "split", vec![string(), string()], |a| {
        let [separator, text] = strings::<2>(&a)?;
        Ok(Value::from(text.split(separator).collect::<Vec<_>>()))
    });
    declare(&mut context, "join", vec![string(), list()], |a| {
        let separator = a[0].as_str().unwrap_or_default();
        let parts: Vec<String> = a[1]
            .as_array()
            .map(|items| items.iter().map(to_text).collect())
            .unwrap_or_default();
        let length = parts
            .iter()
            .map(|part| part.len().saturating_add(separator.len()))
            .fold(0usize, usize::saturating_add);
        if length > crate::limits::TERRAFORM_MAX_VALUE_SIZE {
            return Err(super::budget::too_large());
        }
        Ok(Value::from(parts.join(separator)))
    });
    variadic(&mut context, "format", vec![string()], any(), |a| {
        let pattern = a[0].as_str().unwrap_or_default();
        format(pattern, &a[1..]).and_then(super::budget::check_size)
    });
    declare(&mut context, "length", vec![any()], |a| match &a[0] {
        Value::Array(items) => Ok(Value::from(items.len() as u64)),
        Value::Object(map) => Ok(Value::from(map.len() as u64)),
        Value::String(text) => Ok(Value::from(text.chars().count() as u64)),
        _ => Err("argument must be a string, a list or a map".into()),
    });
    declare(&mut context, "contains", vec![list(), any()], |a| {
        Ok(Value::from(
            a[0].as_array().is_some_and(|items| items.contains(&a[1])),
        ))
    });
    variadic(&mut context, "concat", vec![], list(), |a| {
        super::budget::check_size(Value::Array(
            a.iter()
                .filter_map(Value::as_array)
                .flatten()
                .cloned()
                .collect(),
        ))
    });
    variadic(
        &mut context,
        "merge",
        vec![],
        ParamType::Nullable(Box::new(ParamType::Object(Box::new(any())))),
        |a| {
            let mut merged = Map::new();
            for map in a.iter().filter_map(Value::as_object) {
                for (key, value) in map {
                    merged.insert(key.clone(), value.clone());
                }
            }
            Ok(Value::Object(merged))
        },
    );
    variadic(
        &mut context,
        "lookup",
        vec![ParamType::Object(Box::new(any())), string()],
        any(),
        |a| {
            let key = a[1].as_str().unwrap_or_default();
            match (a[0].as_object().and_then(|m| m.get(key)), a.get(2)) {
                (Some(value), _) => Ok(value.clone()),
                (None, Some(default)) => Ok(default.clone()),
                (None, None) => Err(format!("the given object has no attribute {key:?}")),
            }
        },
    );
    declare(
        &mut context,
        "keys",
        vec![ParamType::Object(Box::new(any()))],
        |a| {
            Ok(Value::Array(
                a[0].as_object()
                    .map(|m| m.keys().map(|k| Value::from(k.as_str())).collect())
                    .unwrap_or_default(),
            ))
        },
    );
    declare(
        &mut context,
        "values",
        vec![ParamType::Object(Box::new(any()))],
        |a| {
            Ok(Value::Array(
                a[0].as_object()
                    .map(|m| m.values().cloned().collect())
                    .unwrap_or_default(),
            ))
        },
    );
    declare(&mut context, "element", vec![list(), number()], |a| {
        let items = a[0].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            return Err("cannot use element function with an empty list".into());
        }
        let index = a[1].as_i64().unwrap_or(0).rem_euclid(items.len() as i64) as usize;
        Ok(items[index].clone())
    });
    variadic(&mut context, "coalesce", vec![], any(), |a| {
        a.iter()
            .find(|v| !matches!(v, Value::Null) && v.as_str() != Some(""))
            .cloned()
            .ok_or_else(|| "no non-null, non-empty-string arguments".to_string())
    });
    variadic(&mut context, "min", vec![number()], number(), |a| {
        fold_numbers(&a, f64::min)
    });
    variadic(&mut context, "max", vec![number()], number(), |a| {
        fold_numbers(&a, f64::max)
    });
    declare(&mut context, "abs", vec![number()], |a| {
        map_number(&a, f64::abs)
    });
    declare(&mut context, "ceil", vec![number()], |a| {
        map_number(&a, f64::ceil)
    });
    declare(&mut context, "floor", vec![number()], |a| {
        map_number(&a, f64::floor)
    });
    declare(&mut context, "tostring", vec![any()], |a| match &a[0] {
        Value::Null => Ok(Value::Null),
        Value::Array(_) | Value::Object(_) => Err("cannot convert a collection to string".into()),
        other => Ok(Value::from(to_text(other))),
    });
    declare(&mut context, "tonumber", vec![any()], |a| match &a[0] {
        Value::Number(_) | Value::Null => Ok(a[0].clone()),
        Value::String(text) => text
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| format!("cannot convert {text:?} to number")),
        _ => Err("cannot convert to number".into()),
    });
    declare(&mut context, "tobool", vec![any()], |a| match &a[0] {
        Value::Bool(_) | Value::Null => Ok(a[0].clone()),
        Value::String(text) if text == "true" => Ok(Value::Bool(true)),
        Value::String(text) if text == "false" => Ok(Value::Bool(false)),
        _ => Err("cannot convert to bool".into()),
    });
    declare(&mut context, "tolist", vec![list()], |a| Ok(a[0].clone()));
    declare(&mut context, "toset", vec![list()], |a| distinct(&a));
    declare(&mut context, "distinct", vec![list()], |a| distinct(&a));
    declare(&mut context, "flatten", vec![list()], |a| {
        fn flat(items: &[Value], out: &mut Vec<Value>) {
            for item in items {
                match item {
                    Value::Array(inner) => flat(inner, out),
                    other => out.push(other.clone()),
                }
            }
        }
        let mut out = Vec::new();
        flat(
            a[0].as_array().map(Vec::as_slice).unwrap_or_default(),
            &mut out,
        );
        Ok(Value::Array(out))
    });
    declare(
        &mut context,
        "tomap",
        vec![ParamType::Object(Box::new(any()))],
        |a| Ok(a[0].clone()),
    );
    declare(&mut context, "regex", vec![string(), string()], |a| {
        let [pattern, text] = strings::<2>(&a)?;
        let pattern = compile(pattern)?;
        let captures = pattern
            .captures(text)
            .ok_or("pattern did not match any part of the given string")?;
        Ok(captured(&pattern, &captures))
    });
    declare(&mut context, "regexall", vec![string(), string()], |a| {
        let [pattern, text] = strings::<2>(&a)?;
        let pattern = compile(pattern)?;
        Ok(Value::Array(
            pattern
                .captures_iter(text)
                .map(|captures| captured(&pattern, &captures))
                .collect(),
        ))
    });
    variadic(&mut context, "range", vec![number()], number(), |a| {
        let numbers: Vec<f64> = a.iter().filter_map(Value::as_f64).collect();
        let (start, limit, step) = match numbers[..] {
            [limit] => (0.0, limit, 1.0),
            [start, limit] => (start, limit, if limit < start { -1.0 } else { 1.0 }),
            [start, limit, step] => (start, limit, step),
            _ => return Err("range takes one to three numbers".into()),
        };
        if step == 0.0 {
            return Err("step must not be zero".into());
        }
        if (limit - start) * step < 0.0 {
            return Err("step has the wrong sign for the start and limit".into());
        }
        let count = ((limit - start) / step).ceil().max(0.0);
        if count > 1024.0 {
            return Err("more than 1024 values requested".into());
        }
        (0..count as usize)
            .map(|i| number_value(start + step * i as f64))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array)
    });
    context
}

/// A pattern in RE2 syntax, as Terraform's regex functions take it.
fn compile(pattern: &str) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .map_err(|error| format!("invalid regular expression pattern: {error}"))
}

/// What a match returns: the matched text without groups, a list with unnamed groups, an object
/// with named ones.
fn captured(pattern: &regex::Regex, captures: &regex::Captures<'_>) -> Value {
    let text = |m: Option<regex::Match<'_>>| m.map_or(Value::Null, |m| Value::from(m.as_str()));
    if pattern.captures_len() == 1 {
        return text(captures.get(0));
    }
    if pattern.capture_names().flatten().next().is_some() {
        let mut object = Map::new();
        for name in pattern.capture_names().flatten() {
            object.insert(name.to_string(), text(captures.name(name)));
        }
        return Value::Object(object);
    }
    Value::Array(
        (1..pattern.captures_len())
            .map(|i| text(captures.get(i)))
            .collect(),
    )
}

/// The names of every supported function, for messages.
pub const FUNCTIONS: [&str; 38] = [
    "can",
    "range",
    "regex",
    "regexall",
    "try",
    "abs",
    "ceil",
    "coalesce",
    "concat",
    "contains",
    "distinct",
    "element",
    "endswith",
    "flatten",
    "floor",
    "format",
    "join",
    "keys",
    "length",
    "lookup",
    "lower",
    "max",
    "merge",
    "min",
    "replace",
    "split",
    "startswith",
    "substr",
    "title",
    "tobool",
    "tolist",
    "tomap",
    "tonumber",
    "toset",
    "tostring",
    "trimspace",
    "upper",
    "values",
];

fn strings<const N: usize>(args: &FuncArgs) -> Result<[&str; N], String> {
    let mut out = [""; N];
    for (slot, value) in out.iter_mut().zip(args.iter()) {
        *slot = value.as_str().ok_or("a string is required")?;
    }
    Ok(out)
}

fn map_string(args: &FuncArgs, f: impl Fn(&str) -> String) -> Result<Value, String> {
    let text = args[0].as_str().unwrap_or_default();
    if text.contains(UNKNOWN) {
        return Ok(Value::from(UNKNOWN));
    }
    Ok(Value::from(f(text)))
}

fn map_number(args: &FuncArgs, f: impl Fn(f64) -> f64) -> Result<Value, String> {
    let n = args[0].as_f64().unwrap_or(f64::NAN);
    number_value(f(n))
}

fn fold_numbers(args: &FuncArgs, f: impl Fn(f64, f64) -> f64) -> Result<Value, String> {
    let result = args
        .iter()
        .filter_map(Value::as_f64)
        .reduce(f)
        .ok_or("at least one number is required")?;
    number_value(result)
}

fn number_value(n: f64) -> Result<Value, String> {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        return Ok(Value::from(n as i64));
    }
    Number::from_f64(n)
        .map(Value::Number)
        .ok_or_else(|| "the result is not a finite number".to_string())
}

fn distinct(args: &FuncArgs) -> Result<Value, String> {
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<Value> = Vec::new();
    for item in args[0].as_array().map(Vec::as_slice).unwrap_or_default() {
        if seen.insert(super::value::render_value(item)) {
            out.push(item.clone());
        }
    }
    Ok(Value::Array(out))
}

/// A primitive value as text, as string templates insert it.
pub fn to_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => super::value::render_value(other),
    }
}

/// `format("%s-%03d", ...)`: the verbs `%s`, `%d`, `%f`, `%v`, `%q`, `%%`, with width and
/// zero padding.
fn format(pattern: &str, args: &[Value]) -> Result<Value, String> {
    let mut out = String::new();
    let mut chars = pattern.chars().peekable();
    let mut next = args.iter();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut flags = String::new();
        while let Some(&d) = chars.peek() {
            if d.is_ascii_digit() || d == '.' || d == '-' {
                flags.push(d);
                chars.next();
            } else {
                break;
            }
        }
        let verb = chars.next().ok_or("format string ends with %")?;
        if verb == '%' {
            out.push('%');
            continue;
        }
        let arg = next
            .next()
            .ok_or_else(|| format!("not enough arguments for %{verb}"))?;
        let zero = flags.starts_with('0');
        let width: usize = flags
            .trim_start_matches(['0', '-'])
            .split('.')
            .next()
            .filter(|w| !w.is_empty())
            .map_or(0, |w| w.parse().unwrap_or(usize::MAX));
        let precision: Option<usize> = flags.split('.').nth(1).map(|p| p.parse().unwrap_or(0));
        if width > TERRAFORM_MAX_FORMAT_WIDTH || precision.unwrap_or(0) > TERRAFORM_MAX_FORMAT_WIDTH
        {
            return Err(format!(
                "the width or precision of %{verb} is over {TERRAFORM_MAX_FORMAT_WIDTH}"
            ));
        }
        let text = match verb {
            's' | 'v' => to_text(arg),
            'q' => super::value::quote(&to_text(arg)),
            'd' => arg
                .as_f64()
                .map(|n| (n.trunc() as i64).to_string())
                .ok_or("%d needs a number")?,
            'f' => {
                let precision = precision.unwrap_or(6);
                format!("{:.*}", precision, arg.as_f64().ok_or("%f needs a number")?)
            }
            other => return Err(format!("unsupported format verb %{other}")),
        };
        let pad = width.saturating_sub(text.chars().count());
        if flags.starts_with('-') {
            out.push_str(&text);
            out.extend(std::iter::repeat_n(' ', pad));
        } else {
            out.extend(std::iter::repeat_n(if zero { '0' } else { ' ' }, pad));
            out.push_str(&text);
        }
    }
    Ok(Value::from(out))
}

#[cfg(test)]
mod tests {
    use hcl::eval::Evaluate;
    use hcl::{Expression, Value};

    fn eval(text: &str) -> Result<Value, String> {
        let expression: Expression = text.parse().map_err(|e: hcl::Error| e.to_string())?;
        expression
            .evaluate(&super::context())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn common_functions_behave_as_terraforms() {
        assert_eq!(eval(r#"upper("prod")"#), Ok(Value::from("PROD")));
        assert_eq!(
            eval(r#"format("%s-%03d", "db", 7)"#),
            Ok(Value::from("db-007"))
        );
        assert_eq!(
            eval(r#"join(",", ["a", 1, true])"#),
            Ok(Value::from("a,1,true"))
        );
        assert_eq!(eval(r#"lookup({a = 1}, "b", 2)"#), Ok(Value::from(2)));
        assert_eq!(
            eval(r#"merge({a = 1}, {a = 2, b = 3})["a"]"#),
            Ok(Value::from(2))
        );
        assert_eq!(eval(r#"max(1, 5, 3)"#), Ok(Value::from(5)));
        assert_eq!(eval(r#"length(split("-", "a-b-c"))"#), Ok(Value::from(3)));
        assert_eq!(
            eval(r#"contains(["dev", "prod"], "prod")"#),
            Ok(Value::from(true))
        );
        assert_eq!(eval(r#"element(["a", "b"], 3)"#), Ok(Value::from("b")));
        assert_eq!(eval(r#"coalesce("", "x")"#), Ok(Value::from("x")));
        assert!(eval(r#"element([], 0)"#).is_err());
        assert!(eval(r#"format("%d", "x")"#).is_err());
        assert_eq!(
            eval(r#"regex("^db\\.([a-z0-9]+)\\.", "db.r5.2xlarge")"#),
            Ok(Value::from(vec!["r5"]))
        );
        assert_eq!(
            eval(r#"regex("(?P<family>[a-z]+)[0-9]", "db.r5.large")["family"]"#),
            Ok(Value::from("r"))
        );
        assert_eq!(
            eval(r#"regex("[0-9]+", "db.t3.medium")"#),
            Ok(Value::from("3"))
        );
        assert_eq!(
            eval(r#"length(regexall("a", "banana"))"#),
            Ok(Value::from(3))
        );
        assert!(eval(r#"regex("x", "db")"#).is_err());
        assert!(eval(r#"regex("(", "db")"#).is_err());
        assert_eq!(eval("range(3)"), Ok(Value::from(vec![0, 1, 2])));
        assert_eq!(eval("range(1, 7, 2)"), Ok(Value::from(vec![1, 3, 5])));
        assert_eq!(eval("range(3, 0)"), Ok(Value::from(vec![3, 2, 1])));
        assert!(eval("range(0, 5, -1)").is_err());
        assert!(eval("range(1e9)").is_err());
    }
}
