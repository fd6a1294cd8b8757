//! Command-line flags as the subcommands take them: `--flag value` or `--flag=value`.

/// A way to take the current flag's value.
pub type Value<'a> = dyn FnMut() -> Result<String, String> + 'a;

/// Calls `on_flag` with each argument and a way to take its value (the part after `=`, or the
/// next argument).
pub fn each_flag(
    args: &[&str],
    mut on_flag: impl FnMut(&str, &mut Value<'_>) -> Result<(), String>,
) -> Result<(), String> {
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let (flag, inline): (&str, Option<&str>) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with('-') => (flag, Some(value)),
            _ => (arg, None),
        };
        let mut value = || -> Result<String, String> {
            inline
                .map(str::to_string)
                .or_else(|| rest.next().map(|s| s.to_string()))
                .ok_or_else(|| format!("`{flag}` needs a value"))
        };
        on_flag(flag, &mut value)?;
    }
    Ok(())
}
