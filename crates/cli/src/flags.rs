//! Command-line flags as the subcommands take them, read with `lexopt`: `--flag value`,
//! `--flag=value`, `-f value`, `-fvalue`, and arguments that are not flags.

/// How a tool spells its long flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `--name` for long flags and `-n` for short ones (helm, amtool).
    Posix,
    /// Go's `flag` package: one dash or two, `-var-file` and `--var-file` alike (terraform).
    Go,
}

/// A way to take the current flag's value.
pub type Value<'a> = dyn FnMut() -> Result<String, String> + 'a;

/// Calls `on_flag` with each flag (`--name` or `-n`) or plain argument, and a way to take the
/// flag's value (the part after `=`, the rest of a short flag, or the next argument).
pub fn each_flag(
    args: &[&str],
    style: Style,
    mut on_flag: impl FnMut(&str, &mut Value<'_>) -> Result<(), String>,
) -> Result<(), String> {
    let args = args.iter().map(|arg| match style {
        Style::Go if is_single_dash_long(arg) => format!("-{arg}"),
        _ => arg.to_string(),
    });
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next().map_err(|error| error.to_string())? {
        let name = match arg {
            lexopt::Arg::Short(letter) => format!("-{letter}"),
            lexopt::Arg::Long(name) => format!("--{name}"),
            lexopt::Arg::Value(value) => value.to_string_lossy().into_owned(),
        };
        let mut value = || -> Result<String, String> {
            let value = parser.value().map_err(|error| error.to_string())?;
            value
                .into_string()
                .map_err(|value| format!("`{name}` has a value that is not UTF-8: {value:?}"))
        };
        on_flag(&name, &mut value)?;
    }
    Ok(())
}

/// `[-v|--verbose] FILE...`: whether to list more, and the files, at least one.
pub fn verbose_and_files(args: &[&str]) -> Result<(bool, Vec<String>), String> {
    let (mut verbose, mut files) = (false, Vec::new());
    each_flag(args, Style::Posix, |flag, _| {
        match flag {
            "-v" | "--verbose" => verbose = true,
            file if !file.starts_with('-') => files.push(file.to_string()),
            other => return Err(format!("unknown option `{other}`")),
        }
        Ok(())
    })?;
    if files.is_empty() {
        return Err("no file given".to_string());
    }
    Ok((verbose, files))
}

/// `-name` or `-name=value`: a long flag written with Go's single dash.
fn is_single_dash_long(arg: &str) -> bool {
    let name = arg.split('=').next().unwrap_or(arg);
    name.len() > 2 && name.starts_with('-') && !name.starts_with("--")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(args: &[&str], style: Style) -> Result<Vec<String>, String> {
        let mut seen = Vec::new();
        each_flag(args, style, |flag, value| {
            match flag {
                "--dir" | "-f" | "--var-file" => seen.push(format!("{flag}={}", value()?)),
                other => seen.push(other.to_string()),
            }
            Ok(())
        })?;
        Ok(seen)
    }

    #[test]
    fn reads_values_in_every_spelling() {
        assert_eq!(
            read(
                &["--dir", "a", "--dir=b", "-f", "c", "-fd", "x"],
                Style::Posix
            )
            .unwrap(),
            ["--dir=a", "--dir=b", "-f=c", "-f=d", "x"]
        );
        assert_eq!(
            read(
                &["-var-file=a.tfvars", "--var-file", "b", "-dir", "c"],
                Style::Go
            )
            .unwrap(),
            ["--var-file=a.tfvars", "--var-file=b", "--dir=c"]
        );
    }

    #[test]
    fn a_missing_value_or_a_value_given_to_a_switch_is_an_error() {
        let error = read(&["--dir"], Style::Posix).unwrap_err();
        assert!(error.contains("--dir"), "{error}");
        let error = read(&["--show=yes"], Style::Posix).unwrap_err();
        assert!(error.contains("--show"), "{error}");
    }

    #[test]
    fn reads_the_verbose_switch_and_files() {
        assert_eq!(
            verbose_and_files(&["a.test", "-v", "b.test"]).unwrap(),
            (true, vec!["a.test".to_string(), "b.test".to_string()])
        );
        assert!(verbose_and_files(&["-v"]).is_err());
        assert!(verbose_and_files(&["--quiet", "a.test"]).is_err());
    }
}
