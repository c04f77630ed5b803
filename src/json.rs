//! JSON helpers shared by the CLI and the bindings: parsing with field paths in
//! errors. Only with the `json` feature.

use serde::de::DeserializeOwned;

use crate::error::{ConfigIssue, Error, ErrorKind};
use crate::input::Input;

/// Deserialize JSON, reporting the failing field's path (`lines[0].queue.distribution`)
/// and a readable message.
pub fn from_str_with_path<T: DeserializeOwned>(text: &str) -> Result<T, ConfigIssue> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." {
            "(root)".to_owned()
        } else {
            path
        };
        ConfigIssue {
            path,
            message: readable(&e.inner().to_string()),
        }
    })?;
    de.end().map_err(|e| ConfigIssue {
        path: "(root)".to_owned(),
        message: readable(&e.to_string()),
    })?;
    Ok(value)
}

/// Parse one input from its JSON form; errors are `invalid_input` naming the field.
pub fn input_from_str(text: &str) -> Result<Input, Error> {
    let input = from_str_with_path(text)
        .map_err(|issue| Error::new(ErrorKind::InvalidInput, locate(text, issue).to_string()))?;
    if input == Input::Tick {
        tick_has_no_fields(text)?;
    }
    Ok(input)
}

/// serde ignores the extra fields of a unit variant of an internally tagged enum, so
/// `{"type": "tick"}` refuses them here, like every other input does.
fn tick_has_no_fields(text: &str) -> Result<(), Error> {
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).unwrap_or_default();
    match map.keys().find(|k| k.as_str() != "type") {
        Some(k) => Err(Error::new(
            ErrorKind::InvalidInput,
            format!("{k}: unknown field \"{k}\", a tick has no field but \"type\""),
        )),
        None => Ok(()),
    }
}

/// Internally tagged enums lose the field path: find the field the message is about,
/// or for `set_line` / `set_operator` the path inside the nested config.
fn locate(text: &str, mut issue: ConfigIssue) -> ConfigIssue {
    if issue.path != "(root)" {
        return issue;
    }
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(text) else {
        return issue;
    };
    let kind = map.get("type").and_then(|t| t.as_str()).unwrap_or("input");
    if let Some(nested) = nested_issue(kind, &map) {
        return nested;
    }
    let field = map
        .iter()
        .find(|(k, v)| k.as_str() != "type" && quoted_in(v, &issue.message));
    issue.path = match field {
        Some((k, _)) => k.clone(),
        None => kind.to_owned(),
    };
    issue
}

/// For `set_line` / `set_operator`, the error inside the nested config with its path
/// (`line.queue.distribution: unknown value ...`).
fn nested_issue(
    kind: &str,
    map: &serde_json::Map<String, serde_json::Value>,
) -> Option<ConfigIssue> {
    let (field, value) = match kind {
        "set_line" => ("line", map.get("line")?),
        "set_operator" => ("operator", map.get("operator")?),
        _ => return None,
    };
    let text = value.to_string();
    let issue = match field {
        "line" => from_str_with_path::<crate::config::LineConfig>(&text).err()?,
        _ => from_str_with_path::<crate::config::OperatorConfig>(&text).err()?,
    };
    let path = if issue.path == "(root)" {
        field.to_owned()
    } else {
        format!("{field}.{}", issue.path)
    };
    Some(ConfigIssue {
        path,
        message: issue.message,
    })
}

/// Whether a message names this JSON value as the offending one.
fn quoted_in(value: &serde_json::Value, message: &str) -> bool {
    // `wrong_type` ends its messages with "got VALUE"; the others quote the value.
    let got = |words: &str| message.ends_with(&format!("got {words}"));
    match value {
        serde_json::Value::String(s) => message.contains(&format!("\"{s}\"")),
        serde_json::Value::Number(_) | serde_json::Value::Bool(_) => {
            message.contains(&format!("\"{value}\""))
                || got(&value.to_string())
                || got(&format!("the number {value}"))
        }
        serde_json::Value::Null => message.contains("null"),
        serde_json::Value::Array(_) => message.contains("sequence") || got("a list"),
        serde_json::Value::Object(_) => message.contains("map") || got("an object"),
    }
}

/// Rewrite serde's messages into the project's style: no source positions, values
/// in double quotes, expected lists without backticks.
fn readable(message: &str) -> String {
    let message = match message.find(" at line ") {
        Some(pos) => &message[..pos],
        None => message,
    };
    if let Some(plain) = wrong_type(message) {
        return plain;
    }
    let message = message.replace("unknown variant", "unknown value");
    // `x` -> "x" for the offending value, then drop the remaining backticks.
    let mut out = String::with_capacity(message.len());
    let mut quoted_first = false;
    let mut in_tick = false;
    for ch in message.chars() {
        if ch == '`' {
            if !quoted_first {
                out.push('"');
                if in_tick {
                    quoted_first = true;
                }
            }
            in_tick = !in_tick;
        } else {
            out.push(ch);
        }
    }
    out
}

/// serde's `invalid type: string "1", expected u64` (and `invalid value: integer `-1`,
/// expected u32`) in the contract's words: `must be a number, got the string "1"`.
fn wrong_type(message: &str) -> Option<String> {
    let (rest, invalid_value) = match message.strip_prefix("invalid type: ") {
        Some(rest) => (rest, false),
        None => (message.strip_prefix("invalid value: ")?, true),
    };
    let (got, expected) = rest.rsplit_once(", expected ")?;
    let ticked = |prefix: &str| {
        got.strip_prefix(prefix)?
            .strip_prefix('`')?
            .strip_suffix('`')
            .map(str::to_owned)
    };
    let got_words = if let Some(s) = got.strip_prefix("string ") {
        format!("the string {s}")
    } else if let Some(n) = ticked("integer ").or_else(|| ticked("floating point ")) {
        if invalid_value {
            n
        } else {
            format!("the number {n}")
        }
    } else if let Some(b) = ticked("boolean ") {
        b
    } else {
        match got {
            "null" | "unit value" => "null".to_owned(),
            "sequence" => "a list".to_owned(),
            "map" => "an object".to_owned(),
            other => other.to_owned(),
        }
    };
    let integer = |name: &str| -> Option<(i128, i128)> {
        Some(match name {
            "u8" => (0, u8::MAX.into()),
            "u16" => (0, u16::MAX.into()),
            "u32" => (0, u32::MAX.into()),
            "u64" | "usize" => (0, u64::MAX.into()),
            "i8" => (i8::MIN.into(), i8::MAX.into()),
            "i16" => (i16::MIN.into(), i16::MAX.into()),
            "i32" => (i32::MIN.into(), i32::MAX.into()),
            "i64" | "isize" => (i64::MIN.into(), i64::MAX.into()),
            _ => return None,
        })
    };
    let expected_words = match (integer(expected), expected) {
        (Some((min, max)), _) if invalid_value => format!("a whole number from {min} to {max}"),
        (Some(_), _) if got.starts_with("floating point") => "a whole number".to_owned(),
        (Some(_), _) | (None, "f32" | "f64") => "a number".to_owned(),
        (None, "a string" | "a borrowed string") => "a string".to_owned(),
        (None, "a boolean") => "true or false".to_owned(),
        (None, "a sequence") => "a list".to_owned(),
        (None, e) if e == "a map" || e.starts_with("struct ") => "an object".to_owned(),
        _ => return None,
    };
    Some(format!("must be {expected_words}, got {got_words}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn unknown_enum_value_names_path_and_choices() {
        let err = Config::from_json(r#"{"lines":[{"id":"s","queue":{"distribution":"evenlyy"}}]}"#)
            .unwrap_err();
        assert_eq!(
            err[0].to_string(),
            "lines[0].queue.distribution: unknown value \"evenlyy\", expected one of evenly, strict, all, least_busy, longest_idle"
        );
    }

    #[test]
    fn unknown_field_is_named() {
        let err = Config::from_json(r#"{"lines":[{"id":"s","greting":{}}]}"#).unwrap_err();
        assert!(
            err[0].to_string().starts_with(
                "lines[0].greting: unknown field \"greting\", expected one of id, active"
            ),
            "{}",
            err[0]
        );
    }

    #[test]
    fn wrong_type_is_named() {
        let err = Config::from_json(r#"{"operators":[{"id":"a","max_dialogs":"3"}]}"#).unwrap_err();
        assert_eq!(err[0].path, "operators[0].max_dialogs");
        assert_eq!(err[0].message, "must be a number, got the string \"3\"");
    }

    #[test]
    fn wrong_types_in_the_contracts_words() {
        let cases = [
            (
                r#"{"type":"accept","dialog":"1","operator":"ann"}"#,
                "dialog: must be a number, got the string \"1\"",
            ),
            (
                r#"{"type":"accept","dialog":1.5,"operator":"ann"}"#,
                "dialog: must be a whole number, got the number 1.5",
            ),
            (
                r#"{"type":"accept","dialog":-1,"operator":"ann"}"#,
                "dialog: must be a whole number from 0 to 18446744073709551615, got -1",
            ),
            (
                r#"{"type":"accept","dialog":1,"operator":7}"#,
                "operator: must be a string, got the number 7",
            ),
            (
                r#"{"type":"pin","dialog":1,"operator":"a","pinned":"yes"}"#,
                "pinned: must be true or false, got the string \"yes\"",
            ),
            (
                r#"{"type":"client_message","line":"s","client":"c","skills":"x"}"#,
                "skills: must be a list, got the string \"x\"",
            ),
        ];
        for (json, want) in cases {
            assert_eq!(input_from_str(json).unwrap_err().message, want, "{json}");
        }
        let err = Config::from_json(r#"{"lines":[{"id":"s","queue":"x"}]}"#).unwrap_err();
        assert_eq!(
            err[0].to_string(),
            "lines[0].queue: must be an object, got the string \"x\""
        );
    }

    #[test]
    fn input_errors_are_invalid_input() {
        let err = input_from_str(r#"{"type":"accept","dialog":"x","operator":"ann"}"#).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput);
        assert!(err.message.starts_with("dialog:"), "{}", err.message);
        let err = input_from_str(r#"{"type":"wave"}"#).unwrap_err();
        assert!(
            err.message.contains("unknown value \"wave\""),
            "{}",
            err.message
        );
    }

    #[test]
    fn nested_config_errors_name_the_path_inside() {
        let err =
            input_from_str(r#"{"type":"set_line","line":{"id":"s","queue":{"distribution":3}}}"#)
                .unwrap_err();
        assert!(
            err.message.starts_with("line.queue.distribution: "),
            "{}",
            err.message
        );
        let err =
            input_from_str(r#"{"type":"set_operator","operator":{"id":"a","max_dialogs":-1}}"#)
                .unwrap_err();
        assert!(
            err.message.starts_with("operator.max_dialogs: "),
            "{}",
            err.message
        );
    }

    #[test]
    fn config_must_be_an_object() {
        assert_eq!(Config::from_json("[]").unwrap_err()[0].path, "(root)");
        assert!(Config::from_json(" {} ").is_ok());
    }

    #[test]
    fn a_tick_with_fields_is_refused_like_any_input() {
        assert_eq!(input_from_str(r#"{"type":"tick"}"#), Ok(Input::Tick));
        let err = input_from_str(r#"{"type":"tick","dialog":7}"#).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput);
        assert!(
            err.message.starts_with("dialog: unknown field"),
            "{}",
            err.message
        );
    }

    #[test]
    fn trailing_garbage_is_rejected() {
        assert!(input_from_str(r#"{"type":"tick"} x"#).is_err());
    }
}
