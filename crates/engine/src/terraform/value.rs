//! Values of a configuration: HCL values, a marker for values known only after apply, and
//! variable type constraints with Terraform's conversions.

use hcl::{Expression, Value};

/// Stands for a value only known after apply (an id, an ARN), inside HCL values. A string that
/// contains it, such as a template built on it, is unknown as a whole.
pub const UNKNOWN: &str = "\u{1}(known after apply)\u{1}";

/// Whether `value`, or anything in it, is only known after apply.
pub fn is_unknown(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains(UNKNOWN),
        _ => false,
    }
}

/// Whether `value` holds an unknown anywhere.
pub fn contains_unknown(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains(UNKNOWN),
        Value::Array(items) => items.iter().any(contains_unknown),
        Value::Object(map) => map.values().any(contains_unknown),
        _ => false,
    }
}

/// A variable's `type`.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeConstraint {
    Any,
    String,
    Number,
    Bool,
    List(Box<TypeConstraint>),
    Set(Box<TypeConstraint>),
    Map(Box<TypeConstraint>),
    /// Attributes with their types, and whether each is `optional(...)`.
    Object(Vec<(String, TypeConstraint, bool)>),
}

impl TypeConstraint {
    /// Reads a type expression: `string`, `list(number)`, `object({ name = string })`.
    pub fn parse(expression: &Expression) -> Result<Self, String> {
        match expression {
            Expression::Variable(name) => match name.as_str() {
                "any" => Ok(TypeConstraint::Any),
                "string" => Ok(TypeConstraint::String),
                "number" => Ok(TypeConstraint::Number),
                "bool" => Ok(TypeConstraint::Bool),
                "list" | "set" | "map" => Ok(collection(name.as_str(), TypeConstraint::Any)),
                other => Err(format!("The keyword \"{other}\" is not a valid type specification.")),
            },
            Expression::FuncCall(call) if call.args.len() == 1 => {
                let name = call.name.name.as_str();
                match name {
                    "list" | "set" | "map" => {
                        Ok(collection(name, TypeConstraint::parse(&call.args[0])?))
                    }
                    "object" => match &call.args[0] {
                        Expression::Object(attributes) => {
                            let mut fields = Vec::new();
                            for (key, value) in attributes {
                                let key = match key {
                                    hcl::ObjectKey::Identifier(ident) => ident.to_string(),
                                    hcl::ObjectKey::Expression(Expression::String(s)) => s.clone(),
                                    _ => return Err("Object type attribute names must be identifiers.".into()),
                                };
                                let (constraint, optional) = match value {
                                    Expression::FuncCall(inner)
                                        if inner.name.name.as_str() == "optional"
                                            && !inner.args.is_empty() =>
                                    {
                                        (TypeConstraint::parse(&inner.args[0])?, true)
                                    }
                                    other => (TypeConstraint::parse(other)?, false),
                                };
                                fields.push((key, constraint, optional));
                            }
                            Ok(TypeConstraint::Object(fields))
                        }
                        _ => Err("The object type constructor requires an object of attribute types.".into()),
                    },
                    other => Err(format!("Keyword \"{other}\" is not a valid type constructor.")),
                }
            }
            _ => Err("A type specification is either a primitive type keyword (bool, number, string) or a complex type constructor call, like list(string).".into()),
        }
    }

    /// How Terraform names the type in a message: `a bool`, `list of string`.
    pub fn describe(&self) -> String {
        match self {
            TypeConstraint::Any => "any value".into(),
            TypeConstraint::String => "string".into(),
            TypeConstraint::Number => "number".into(),
            TypeConstraint::Bool => "bool".into(),
            TypeConstraint::List(inner) => format!("list of {}", inner.describe()),
            TypeConstraint::Set(inner) => format!("set of {}", inner.describe()),
            TypeConstraint::Map(inner) => format!("map of {}", inner.describe()),
            TypeConstraint::Object(_) => "object".into(),
        }
    }

    /// Converts `value` to this type as Terraform does (`"3"` to a number, `true` to a
    /// string...), or says why it cannot.
    pub fn convert(&self, value: &Value) -> Result<Value, String> {
        if matches!(value, Value::Null) || is_unknown(value) {
            return Ok(value.clone());
        }
        match self {
            TypeConstraint::Any => Ok(value.clone()),
            TypeConstraint::String => match value {
                Value::String(_) => Ok(value.clone()),
                Value::Number(n) => Ok(Value::String(n.to_string())),
                Value::Bool(b) => Ok(Value::String(b.to_string())),
                _ => Err("string required".into()),
            },
            TypeConstraint::Number => match value {
                Value::Number(_) => Ok(value.clone()),
                Value::String(text) => parse_number(text)
                    .ok_or_else(|| format!("a number is required, got {:?}", text)),
                _ => Err("number required".into()),
            },
            TypeConstraint::Bool => match value {
                Value::Bool(_) => Ok(value.clone()),
                Value::String(text) if text == "true" => Ok(Value::Bool(true)),
                Value::String(text) if text == "false" => Ok(Value::Bool(false)),
                _ => Err("a bool is required".into()),
            },
            TypeConstraint::List(inner) | TypeConstraint::Set(inner) => match value {
                Value::Array(items) => {
                    let mut converted = Vec::with_capacity(items.len());
                    for (index, item) in items.iter().enumerate() {
                        let item = inner
                            .convert(item)
                            .map_err(|why| format!("element {index}: {why}"))?;
                        if matches!(self, TypeConstraint::List(_)) || !converted.contains(&item) {
                            converted.push(item);
                        }
                    }
                    Ok(Value::Array(converted))
                }
                _ => Err(format!("{} required", self.describe())),
            },
            TypeConstraint::Map(inner) => match value {
                Value::Object(map) => {
                    let mut converted = hcl::Map::new();
                    for (key, item) in map {
                        let item = inner
                            .convert(item)
                            .map_err(|why| format!("element {key:?}: {why}"))?;
                        converted.insert(key.clone(), item);
                    }
                    Ok(Value::Object(converted))
                }
                _ => Err(format!("{} required", self.describe())),
            },
            TypeConstraint::Object(fields) => match value {
                Value::Object(map) => {
                    let mut converted = hcl::Map::new();
                    for (name, constraint, optional) in fields {
                        match map.get(name) {
                            Some(item) => {
                                let item = constraint
                                    .convert(item)
                                    .map_err(|why| format!("attribute {name:?}: {why}"))?;
                                converted.insert(name.clone(), item);
                            }
                            None if *optional => {
                                converted.insert(name.clone(), Value::Null);
                            }
                            None => return Err(format!("attribute {name:?} is required")),
                        }
                    }
                    Ok(Value::Object(converted))
                }
                _ => Err("object required".into()),
            },
        }
    }
}

fn collection(name: &str, inner: TypeConstraint) -> TypeConstraint {
    match name {
        "list" => TypeConstraint::List(Box::new(inner)),
        "set" => TypeConstraint::Set(Box::new(inner)),
        _ => TypeConstraint::Map(Box::new(inner)),
    }
}

fn parse_number(text: &str) -> Option<Value> {
    let text = text.trim();
    if let Ok(integer) = text.parse::<i64>() {
        return Some(Value::from(integer));
    }
    text.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .and_then(hcl::Number::from_f64)
        .map(Value::Number)
}

/// A value as Terraform's messages and plans print it: `"text"`, `42`, `true`, `null`,
/// `(known after apply)`.
pub fn render_value(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(text) if text.contains(UNKNOWN) => "(known after apply)".into(),
        Value::String(text) => quote(text),
        Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(render_value)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{} = {}", quote(k), render_value(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A string in double quotes with Terraform's escapes.
pub fn quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            '\r' => quoted.push_str("\\r"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn constraint(text: &str) -> TypeConstraint {
        let expression: Expression = text.parse().unwrap();
        TypeConstraint::parse(&expression).unwrap()
    }

    #[test]
    fn converts_as_terraform_does() {
        assert_eq!(
            constraint("number").convert(&Value::from("3")),
            Ok(Value::from(3))
        );
        assert_eq!(
            constraint("string").convert(&Value::from(true)),
            Ok(Value::from("true"))
        );
        assert_eq!(
            constraint("bool").convert(&Value::from("yes")),
            Err("a bool is required".into())
        );
        let object = constraint("object({ name = string, size = optional(number) })");
        let mut given = hcl::Map::new();
        given.insert("name".to_string(), Value::from("db"));
        let converted = object.convert(&Value::Object(given)).unwrap();
        assert_eq!(
            render_value(&converted),
            r#"{"name" = "db", "size" = null}"#
        );
        assert_eq!(
            constraint("set(string)").convert(&Value::from(vec!["a", "a", "b"])),
            Ok(Value::from(vec!["a", "b"]))
        );
        assert!(TypeConstraint::parse(&"strin".parse::<Expression>().unwrap()).is_err());
    }

    #[test]
    fn unknown_values_spread_through_strings() {
        let template = format!("{UNKNOWN}-replica");
        assert!(is_unknown(&Value::from(template.as_str())));
        assert_eq!(render_value(&Value::from(template)), "(known after apply)");
        assert_eq!(quote("say \"hi\"\n"), r#""say \"hi\"\n""#);
    }
}
