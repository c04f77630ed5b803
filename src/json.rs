//! JSON helpers shared by the CLI and the bindings: parsing that reports every problem
//! with its field path, the bad value and what is expected, in the contract's words.
//! Only with the `json` feature.
//!
//! Text is first parsed into a JSON value (a syntax error then names its line and
//! column; a UTF-8 byte order mark is skipped), then deserialized. When the value does
//! not fit, the problem is recorded, the offending field is taken out (its default
//! applies) and the value is deserialized again, so one pass reports every structural
//! problem, up to [`MAX_ISSUES`].

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{ConfigIssue, Error, ErrorKind, IssueKind, PathPart, format_path};
use crate::input::Input;

/// Most problems reported for one text; the rest are found after fixing these.
pub const MAX_ISSUES: usize = 100;

/// How the contract writes a time in JSON.
const RFC3339: &str = "an RFC 3339 time with a zone, e.g. 2026-11-23T09:00:00Z";

/// Parse JSON text into a value. A leading UTF-8 byte order mark is skipped; a syntax
/// error is reported at `(root)` with its line and column
/// (`line 3, column 17: trailing comma`). A field given twice in one object is a
/// problem too (the second one kept, so the rest can still be read), returned beside
/// the value.
pub(crate) fn parse_value(text: &str) -> Result<(Value, Vec<ConfigIssue>), ConfigIssue> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut de = serde_json::Deserializer::from_str(text);
    let mut twice = Vec::new();
    let node = Node {
        path: &mut Vec::new(),
        twice: &mut twice,
    };
    let value = serde::de::DeserializeSeed::deserialize(node, &mut de)
        .and_then(|value| de.end().map(|()| value))
        .map_err(|e| syntax_issue(text, &e))?;
    Ok((value, twice))
}

/// Builds a JSON value like serde_json's own, noting every field given twice in an
/// object (serde_json keeps the last silently).
struct Node<'a> {
    path: &'a mut Vec<PathPart>,
    twice: &'a mut Vec<ConfigIssue>,
}

impl<'de> serde::de::DeserializeSeed<'de> for Node<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, de: D) -> Result<Value, D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Node<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut list = Vec::new();
        loop {
            self.path.push(PathPart::Index(list.len()));
            let item = seq.next_element_seed(Node {
                path: &mut *self.path,
                twice: &mut *self.twice,
            });
            self.path.pop();
            match item? {
                Some(value) => list.push(value),
                None => return Ok(Value::Array(list)),
            }
        }
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            self.path.push(PathPart::Key(key.clone()));
            let value = map.next_value_seed(Node {
                path: &mut *self.path,
                twice: &mut *self.twice,
            });
            if object.contains_key(&key) {
                self.twice.push(ConfigIssue::new(
                    IssueKind::Duplicate,
                    format_path(self.path),
                    "given twice in the same object",
                ));
            }
            self.path.pop();
            object.insert(key, value?);
        }
        Ok(Value::Object(object))
    }
}

/// A JSON syntax error in the project's words, with its line and column.
fn syntax_issue(text: &str, e: &serde_json::Error) -> ConfigIssue {
    let full = e.to_string();
    let what = full.find(" at line ").map_or(full.as_str(), |p| &full[..p]);
    let words = match what {
        _ if text.trim().is_empty() => "the text is empty".to_owned(),
        "expected value" => {
            "expected a JSON value: a number, a \"string\", true, false, null, a list or an \
             object (NaN, Infinity and 'single quotes' are not JSON)"
                .to_owned()
        }
        "trailing characters" => "more text after the end of the JSON value".to_owned(),
        "key must be a string" => "a key must be a \"string\" in double quotes".to_owned(),
        other => match other.strip_prefix("EOF while parsing ") {
            Some(inside) => format!("the text ends inside {inside}"),
            None => other.replace('`', ""),
        },
    };
    // At the end of the text serde_json counts the position after the last line break
    // (column 0): name the last character instead.
    let (line, column) = if e.column() == 0 {
        let body = text.trim_end();
        let last = body.lines().last().unwrap_or_default();
        (body.lines().count().max(1), last.chars().count().max(1))
    } else {
        (e.line(), e.column())
    };
    ConfigIssue::new(
        IssueKind::Syntax,
        "(root)",
        format!("line {line}, column {column}: {words}"),
    )
}

/// Deserialize JSON text, reporting the first problem with its field path
/// (`lines[0].queue.distribution`) and a readable message. See [`from_str_collecting`]
/// for every problem at once.
pub fn from_str_with_path<T: DeserializeOwned>(text: &str) -> Result<T, ConfigIssue> {
    from_str_collecting(text).map_err(|mut issues| issues.swap_remove(0))
}

/// Deserialize JSON text, reporting every problem found (up to [`MAX_ISSUES`]), each
/// with its field path, the bad value and what is expected. Never an empty list.
pub fn from_str_collecting<T: DeserializeOwned>(text: &str) -> Result<T, Vec<ConfigIssue>> {
    let (value, mut issues) = parse_value(text).map_err(|issue| vec![issue])?;
    let collected = collect::<T>(value);
    issues.extend(collected.issues);
    match collected.value {
        Some(value) if issues.is_empty() => Ok(value),
        _ => Err(issues),
    }
}

/// What [`collect`] found: the value deserialized with the offending fields taken out
/// (when that succeeded), the problems, and how to map a path of the repaired value
/// back to the original text.
pub(crate) struct Collected<T> {
    /// The value with every offending field at its default; `None` when it could not
    /// be repaired (a problem at the root, or too many problems).
    pub value: Option<T>,
    /// Every problem found, paths as in the original text.
    pub issues: Vec<ConfigIssue>,
    /// List elements taken out, in order: (the list's path then, the position then).
    removed: Vec<(Vec<PathPart>, usize)>,
}

impl<T> Collected<T> {
    /// A path of the repaired value as a path of the original text (list elements
    /// taken out shift the positions after them).
    pub fn original_path(&self, path: &str) -> String {
        format_path(&self.original_parts(crate::error::parse_path(path)))
    }

    fn original_parts(&self, mut parts: Vec<PathPart>) -> Vec<PathPart> {
        for (list, index) in self.removed.iter().rev() {
            if parts.len() > list.len()
                && parts.starts_with(list)
                && let PathPart::Index(i) = &mut parts[list.len()]
                && *i >= *index
            {
                *i += 1;
            }
        }
        parts
    }
}

/// Deserialize a value, collecting every structural problem: each failure is recorded,
/// the offending field (or list element) is taken out and the value is tried again.
pub(crate) fn collect<T: DeserializeOwned>(mut value: Value) -> Collected<T> {
    let mut collected = Collected {
        value: None,
        issues: Vec::new(),
        removed: Vec::new(),
    };
    loop {
        let err = match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(v) => {
                collected.value = Some(v);
                return collected;
            }
            Err(e) => e,
        };
        let at = parts_of(err.path());
        let message = err.inner().to_string();
        let mut issue = describe(&value, &at, &message, &|path| choices::<T>(&value, path));
        issue.path = format_path(&collected.original_parts(crate::error::parse_path(&issue.path)));
        // A required field taken out for a bad value comes back as missing: the bad
        // value was reported already, and its container is taken out next.
        if !collected
            .issues
            .iter()
            .any(|known| known.path == issue.path)
        {
            collected.issues.push(issue);
        }
        if collected.issues.len() >= MAX_ISSUES || !take_out(&mut value, &at, &mut collected) {
            return collected;
        }
    }
}

/// serde_path_to_error's path as parts.
fn parts_of(path: &serde_path_to_error::Path) -> Vec<PathPart> {
    use serde_path_to_error::Segment;
    path.iter()
        .map(|segment| match segment {
            Segment::Seq { index } => PathPart::Index(*index),
            Segment::Map { key } => PathPart::Key(key.clone()),
            Segment::Enum { variant } => PathPart::Key(variant.clone()),
            Segment::Unknown => PathPart::Key("?".to_owned()),
        })
        .collect()
}

/// Take the value at `at` out of `root` (a field: its default applies; a list
/// element: remembered so later paths are reported as in the original). False when
/// there is nothing that can be taken out (the root, or a path not in the value).
fn take_out<T>(root: &mut Value, at: &[PathPart], collected: &mut Collected<T>) -> bool {
    let Some((last, parent_path)) = at.split_last() else {
        return false;
    };
    let Some(parent) = get_mut(root, parent_path) else {
        return false;
    };
    match (parent, last) {
        (Value::Object(map), PathPart::Key(key)) => map.shift_remove(key).is_some(),
        (Value::Array(list), PathPart::Index(i)) if *i < list.len() => {
            list.remove(*i);
            collected.removed.push((parent_path.to_vec(), *i));
            true
        }
        _ => false,
    }
}

/// The value at a path.
fn get<'a>(root: &'a Value, at: &[PathPart]) -> Option<&'a Value> {
    at.iter().try_fold(root, |v, part| match (v, part) {
        (Value::Object(map), PathPart::Key(k)) => map.get(k),
        (Value::Array(list), PathPart::Index(i)) => list.get(*i),
        _ => None,
    })
}

/// The value at a path, for changing it.
fn get_mut<'a>(root: &'a mut Value, at: &[PathPart]) -> Option<&'a mut Value> {
    at.iter().try_fold(root, |v, part| match (v, part) {
        (Value::Object(map), PathPart::Key(k)) => map.get_mut(k),
        (Value::Array(list), PathPart::Index(i)) => list.get_mut(*i),
        _ => None,
    })
}

/// The allowed values of the choice (an enum) at `at`, as serde lists them when it
/// meets an empty string there: `one of evenly, strict, ...`.
fn choices<T: DeserializeOwned>(root: &Value, at: &[PathPart]) -> Option<String> {
    let (last, parent_path) = at.split_last()?;
    let mut probe = root.clone();
    match (get_mut(&mut probe, parent_path)?, last) {
        (Value::Object(map), PathPart::Key(k)) => {
            map.insert(k.clone(), Value::String(String::new()));
        }
        (Value::Array(list), PathPart::Index(i)) => {
            *list.get_mut(*i)? = Value::String(String::new())
        }
        _ => return None,
    }
    let err = serde_path_to_error::deserialize::<_, T>(&probe).err()?;
    let message = err.inner().to_string();
    message
        .strip_prefix("unknown variant ``, expected ")
        .map(one_of)
}

/// serde's list of names (`one of `a`, `b``, `` `a` or `b` ``, `` `a` ``) as
/// `one of a, b`.
fn one_of(list: &str) -> String {
    let list = list.strip_prefix("one of ").unwrap_or(list);
    let names: Vec<&str> = list
        .split(", ")
        .flat_map(|part| part.split(" or "))
        .map(|name| name.trim_matches('`'))
        .collect();
    format!("one of {}", names.join(", "))
}

/// A JSON value as shown in a message: compact JSON, or its kind when long.
fn show(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= 60 {
        return text;
    }
    match value {
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "an object".to_owned(),
        _ => {
            let head: String = text.chars().take(57).collect();
            format!("{head}...")
        }
    }
}

/// What a field expects, in the contract's words, known from its name and place.
fn field_words(at: &[PathPart]) -> Option<String> {
    let key = |back: usize| match at.len().checked_sub(back + 1).map(|i| &at[i]) {
        Some(PathPart::Key(k)) => Some(k.as_str()),
        _ => None,
    };
    let index = |back: usize| {
        matches!(
            at.len().checked_sub(back + 1).map(|i| &at[i]),
            Some(PathPart::Index(_))
        )
    };
    if key(2) == Some("weekly") && index(0) {
        return Some("an interval: two times of day, e.g. [\"09:00\", \"18:00\"]".to_owned());
    }
    if key(3) == Some("weekly") && index(1) && index(0) {
        return Some("a time of day, e.g. \"09:00\"".to_owned());
    }
    if key(1) == Some("weekly") {
        return Some(
            "a list of intervals, e.g. [[\"09:00\", \"12:00\"], [\"13:00\", \"18:00\"]]".to_owned(),
        );
    }
    Some(
        match key(0)? {
            "dialog" => "a dialog id (a whole number, e.g. 7)",
            "score" => "a score from 1 to 5",
            "at" => RFC3339,
            k if k.ends_with("_secs") => "a whole number of seconds",
            k if k.ends_with("_days") => "a whole number of days",
            _ => return None,
        }
        .to_owned(),
    )
}

/// What serde's `expected` (a Rust type or a description) means in the contract's words.
fn type_words(expected: &str, got: Option<&Value>, choices: &dyn Fn() -> Option<String>) -> String {
    let max: Option<i128> = match expected {
        "u8" => Some(u8::MAX.into()),
        "u16" => Some(u16::MAX.into()),
        "u32" => Some(u32::MAX.into()),
        "u64" | "usize" => Some(u64::MAX.into()),
        _ => None,
    };
    let whole = got.is_some_and(|v| v.is_i64() || v.is_u64());
    if let Some(max) = max {
        return if whole {
            format!("a whole number from 0 to {max}")
        } else {
            "a whole number (0 or more)".to_owned()
        };
    }
    match expected {
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number".to_owned(),
        "f32" | "f64" => "a number".to_owned(),
        "a string" | "a borrowed string" | "a char" => "a string".to_owned(),
        "a boolean" => "true or false".to_owned(),
        "a sequence" => "a list".to_owned(),
        "a map" => "an object".to_owned(),
        e if e.starts_with("struct ") || e.starts_with("internally tagged enum") => {
            "an object".to_owned()
        }
        e if e.starts_with("one of ") || e.starts_with('`') => one_of(e),
        "string or map" | "variant identifier" | "unit variant" => {
            choices().unwrap_or_else(|| "one of the allowed values".to_owned())
        }
        e => match e
            .strip_prefix("an array of length ")
            .or_else(|| e.strip_prefix("a tuple of size "))
        {
            Some(n) => format!("a list of {n} items"),
            None => e.replace('`', ""),
        },
    }
}

/// The first backticked name in a serde message (`unknown field `x`, ...` -> `x`).
fn ticked(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}

/// One serde failure at `at` in `root` as an issue in the contract's words: the kind,
/// the full path, the bad value and what is expected.
fn describe(
    root: &Value,
    at: &[PathPart],
    message: &str,
    choices: &dyn Fn(&[PathPart]) -> Option<String>,
) -> ConfigIssue {
    let mut path = at.to_vec();
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let name = ticked(rest).unwrap_or_default();
        if path.last() != Some(&PathPart::Key(name.to_owned())) {
            path.push(PathPart::Key(name.to_owned()));
        }
        let expected = match rest.split_once(", expected ") {
            Some((_, list)) => format!(", expected {}", one_of(list)),
            None => ", there are no fields here".to_owned(),
        };
        return ConfigIssue::new(
            IssueKind::UnknownField,
            format_path(&path),
            format!("unknown field \"{name}\"{expected}"),
        );
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        path.push(PathPart::Key(ticked(rest).unwrap_or_default().to_owned()));
        let words = field_words(&path).or_else(|| choices(&path));
        let text = match words {
            Some(w) => format!("is required: {w}"),
            None => "is required".to_owned(),
        };
        return ConfigIssue::new(IssueKind::MissingField, format_path(&path), text);
    }
    let got = get(root, at);
    let (kind, expected) = if let Some(rest) = message.strip_prefix("unknown variant ") {
        let list = rest.split_once(", expected ").map(|(_, l)| one_of(l));
        (IssueKind::InvalidValue, list)
    } else if let Some(rest) = message.strip_prefix("invalid type: ") {
        let expected = rest.rsplit_once(", expected ").map(|(_, e)| e);
        (
            IssueKind::InvalidType,
            expected.map(|e| type_words(e, got, &|| choices(at))),
        )
    } else if let Some(rest) = message.strip_prefix("invalid value: ") {
        let expected = rest.rsplit_once(", expected ").map(|(_, e)| e);
        let number = got.is_some_and(Value::is_number);
        let kind = if number {
            IssueKind::OutOfRange
        } else {
            IssueKind::InvalidValue
        };
        (kind, expected.map(|e| type_words(e, got, &|| choices(at))))
    } else if let Some(rest) = message.strip_prefix("invalid length ") {
        let expected = rest.split_once(", expected ").map(|(_, e)| e);
        (
            IssueKind::InvalidValue,
            expected.map(|e| type_words(e, got, &|| None)),
        )
    } else {
        (IssueKind::InvalidValue, None)
    };
    // The field's own words win over the type's: `a whole number of seconds`, not `u64`.
    let expected = field_words(at).or(expected);
    let text = match (got, expected) {
        (Some(v), Some(words)) => format!("{} is not {words}", show(v)),
        (None, Some(words)) => format!("must be {words}"),
        (Some(v), None) => format!(
            "{} is not allowed here: {}",
            show(v),
            message.replace('`', "\"")
        ),
        (None, None) => message.replace('`', "\""),
    };
    ConfigIssue::new(kind, format_path(&path), text)
}

/// Issues as JSON in the shape Python's pydantic made familiar:
/// `[{"loc": ["lines", 0, "queue", "distribution"], "msg": "...", "type": "invalid_value"}]`
/// (`loc` items are field names and list positions; the root is `[]`).
pub fn issues_json(issues: &[ConfigIssue]) -> String {
    let list: Vec<Value> = issues
        .iter()
        .map(|issue| {
            let loc: Vec<Value> = issue
                .path_parts()
                .into_iter()
                .map(|part| match part {
                    PathPart::Key(k) => Value::String(k),
                    PathPart::Index(i) => Value::from(i),
                })
                .collect();
            serde_json::json!({"loc": loc, "msg": issue.message, "type": issue.kind.as_str()})
        })
        .collect();
    Value::Array(list).to_string()
}

/// serde ignores the extra fields of a unit variant of an internally tagged enum, so
/// `{"type": "tick"}` refuses them here, like every other input does.
fn tick_has_no_fields(text: &str) -> Result<(), Error> {
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).unwrap_or_default();
    match map.keys().find(|k| k.as_str() != "type") {
        Some(k) => Err(input_error(ConfigIssue::new(
            IssueKind::UnknownField,
            k.as_str(),
            format!("unknown field \"{k}\", a tick has no field but \"type\""),
        ))),
        None => Ok(()),
    }
}

/// Parse one input from its JSON form; errors are `invalid_input` naming the field
/// (with the one problem in [`Error::issues`]).
pub fn input_from_str(text: &str) -> Result<Input, Error> {
    // The hot path: a valid input is read straight from the text (serde refuses a field
    // given twice there too); only a refused one is read again to say why.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Ok(input) = serde_json::from_str::<Input>(text) {
        if matches!(input, Input::Tick) {
            tick_has_no_fields(text)?;
        }
        return Ok(input);
    }
    let (value, twice) = parse_value(text).map_err(input_error)?;
    if let Some(issue) = twice.into_iter().next() {
        return Err(input_error(issue));
    }
    if !value.is_object() {
        return Err(input_error(ConfigIssue::new(
            IssueKind::InvalidType,
            "(root)",
            format!("{} is not an object", show(&value)),
        )));
    }
    match serde_path_to_error::deserialize::<_, Input>(&value) {
        Ok(input) => Ok(input),
        Err(e) => {
            let at = parts_of(e.path());
            let message = e.inner().to_string();
            let issue = nested_issue(&value).unwrap_or_else(|| {
                let at = if at.is_empty() {
                    locate(&value, &message)
                } else {
                    at
                };
                describe(&value, &at, &message, &|path| {
                    choices::<Input>(&value, path)
                })
            });
            Err(input_error(issue))
        }
    }
}

/// An `invalid_input` error for one issue (the root's path is left out of the message).
fn input_error(issue: ConfigIssue) -> Error {
    let message = if issue.path == "(root)" {
        issue.message.clone()
    } else {
        issue.to_string()
    };
    let mut error = Error::new(ErrorKind::InvalidInput, message);
    error.issues = vec![issue];
    error
}

/// Inputs that carry a whole structure (`client_message`'s fields, `set_line`'s
/// `line`, `set_operator`'s `operator`): its first problem with the path inside
/// (`crm.found`, `line.queue.distribution`). serde loses the path of a field inside
/// a tagged input, so the structure is read again on its own.
fn nested_issue(value: &Value) -> Option<ConfigIssue> {
    let map = value.as_object()?;
    match map.get("type")?.as_str()? {
        "client_message" => {
            let mut fields = map.clone();
            fields.shift_remove("type");
            first_issue::<crate::input::ClientMessage>(Value::Object(fields), "")
        }
        "set_line" => first_issue::<crate::config::LineConfig>(map.get("line")?.clone(), "line"),
        "set_operator" => {
            first_issue::<crate::config::OperatorConfig>(map.get("operator")?.clone(), "operator")
        }
        _ => None,
    }
}

/// The first problem of reading `value` as a `T`, its path under `prefix`.
fn first_issue<T: DeserializeOwned>(value: Value, prefix: &str) -> Option<ConfigIssue> {
    let mut issue = collect::<T>(value).issues.into_iter().next()?;
    if !prefix.is_empty() {
        issue.path = if issue.path == "(root)" {
            prefix.to_owned()
        } else {
            format!("{prefix}.{}", issue.path)
        };
    }
    Some(issue)
}

/// Internally tagged inputs lose the field path: find the field a message is about
/// (by the name or the value it quotes).
fn locate(value: &Value, message: &str) -> Vec<PathPart> {
    let Value::Object(map) = value else {
        return Vec::new();
    };
    let tag_ok = map.get("type").is_some_and(Value::is_string);
    if message.starts_with("unknown field ")
        && let Some(name) = ticked(message)
    {
        return vec![PathPart::Key(name.to_owned())];
    }
    if message.starts_with("missing field ") {
        return Vec::new();
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let bad = ticked(rest).unwrap_or_default();
        let tag_bad = map.get("type").and_then(Value::as_str) == Some(bad);
        let field = map
            .iter()
            .find(|(k, v)| (k.as_str() != "type" || tag_bad) && v.as_str() == Some(bad));
        return field
            .map(|(k, _)| vec![PathPart::Key(k.clone())])
            .unwrap_or_default();
    }
    if !tag_ok {
        return vec![PathPart::Key("type".to_owned())];
    }
    let got = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))
        .and_then(|rest| rest.rsplit_once(", expected "))
        .map_or("", |(got, _)| got);
    map.iter()
        .find(|(k, v)| k.as_str() != "type" && serde_names(v) == got)
        .map(|(k, _)| vec![PathPart::Key(k.clone())])
        .unwrap_or_default()
}

/// How serde names a JSON value in `invalid type: X, expected ...`.
fn serde_names(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) if n.is_f64() => format!("floating point `{n}`"),
        Value::Number(n) => format!("integer `{n}`"),
        Value::String(s) => format!("string {s:?}"),
        Value::Array(_) => "sequence".to_owned(),
        Value::Object(_) => "map".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn input_message(json: &str) -> String {
        input_from_str(json).unwrap_err().message
    }

    #[test]
    fn unknown_enum_value_names_path_and_choices() {
        // before: unknown value "evenlyy", expected one of evenly, ...
        let err = Config::from_json(r#"{"lines":[{"id":"s","queue":{"distribution":"evenlyy"}}]}"#)
            .unwrap_err();
        assert_eq!(
            err[0].to_string(),
            "lines[0].queue.distribution: \"evenlyy\" is not one of evenly, strict, all, least_busy, longest_idle"
        );
        assert_eq!(err[0].kind, IssueKind::InvalidValue);
        // A number where a choice goes lists the choices too (before: `expected value`).
        let err =
            Config::from_json(r#"{"lines":[{"id":"s","queue":{"distribution":3}}]}"#).unwrap_err();
        assert_eq!(
            err[0].to_string(),
            "lines[0].queue.distribution: 3 is not one of evenly, strict, all, least_busy, longest_idle"
        );
        assert_eq!(err[0].kind, IssueKind::InvalidType);
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
        assert_eq!(err[0].kind, IssueKind::UnknownField);
    }

    #[test]
    fn wrong_type_is_named() {
        let err = Config::from_json(r#"{"operators":[{"id":"a","max_dialogs":"3"}]}"#).unwrap_err();
        assert_eq!(err[0].path, "operators[0].max_dialogs");
        // before: must be a number, got the string "3"
        assert_eq!(err[0].message, "\"3\" is not a whole number (0 or more)");
        assert_eq!(err[0].kind, IssueKind::InvalidType);
    }

    #[test]
    fn every_structural_and_semantic_problem_in_one_pass() {
        // Before, only the first (`max_dialogs`) was reported.
        let text = r#"{"operators":[{"id":"ann","max_dialogs":"3","skils":[]}],
 "lines":[{"id":"s","queue":{"operators":["ann","bob"],"distribution":"evenlyy"},
   "schedule":{"timezone":"UTC","weekly":{"mon":[["09:00","12:00","13:00"]]}},
   "greting":{}, "auto_close": {"after_secs": 1.5}}]}"#;
        let issues = Config::from_json(text).unwrap_err();
        let got: Vec<(String, &str)> = issues
            .iter()
            .map(|i| (i.to_string(), i.kind.as_str()))
            .collect();
        let want = [
            (
                "operators[0].max_dialogs: \"3\" is not a whole number (0 or more)",
                "invalid_type",
            ),
            (
                "operators[0].skils: unknown field \"skils\", expected one of id, max_dialogs, skills, languages, presence",
                "unknown_field",
            ),
            (
                "lines[0].queue.distribution: \"evenlyy\" is not one of evenly, strict, all, least_busy, longest_idle",
                "invalid_value",
            ),
            (
                "lines[0].schedule.weekly.mon[0]: [\"09:00\",\"12:00\",\"13:00\"] is not an interval: two times of day, e.g. [\"09:00\", \"18:00\"]",
                "invalid_value",
            ),
            (
                "lines[0].greting: unknown field \"greting\", expected one of id, active, queue, crm, schedule, greeting, consent, unanswered, nobody_available_text, queue_position, auto_close, closing, rating, bot, kpi",
                "unknown_field",
            ),
            (
                "lines[0].auto_close.after_secs: 1.5 is not a whole number of seconds",
                "invalid_type",
            ),
            (
                "lines[0].queue.operators[1]: unknown operator \"bob\" (not in operators)",
                "unknown_reference",
            ),
        ];
        let want: Vec<(String, &str)> = want.iter().map(|(m, k)| ((*m).to_owned(), *k)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn removed_list_elements_keep_the_original_positions() {
        // operators[1] is taken out; the duplicate at operators[2] keeps its position,
        // and the semantic check does not report the repaired element again.
        let text = r#"{"operators":[{"id":"a"},"b",{"id":"a"}],"lines":[{"id":5}]}"#;
        let got: Vec<String> = Config::from_json(text)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            got,
            [
                "operators[1]: \"b\" is not an object",
                "lines[0].id: 5 is not a string",
                "operators[2].id: duplicate operator id \"a\"",
            ]
        );
    }

    #[test]
    fn syntax_errors_have_line_and_column() {
        // before: lines[0].?: trailing comma
        let err = Config::from_json("{\"lines\": [\n  {\"id\": \"s\",}\n]}").unwrap_err();
        assert_eq!(
            err[0].to_string(),
            "(root): line 2, column 14: trailing comma"
        );
        assert_eq!(err[0].kind, IssueKind::Syntax);
        // before: expected value
        let err = Config::from_json(r#"{"limits": {"max_id_len": NaN}}"#).unwrap_err();
        assert!(
            err[0]
                .message
                .starts_with("line 1, column 27: expected a JSON value: a number,"),
            "{}",
            err[0]
        );
    }

    #[test]
    fn a_field_given_twice_is_a_problem() {
        // before: the second "queue" silently replaced the first
        let text = r#"{"lines": [{"id": "s", "queue": {"operators": ["ann"]}, "queue": {}, "greting": 1}]}"#;
        let got: Vec<String> = Config::from_json(text)
            .unwrap_err()
            .iter()
            .map(|i| format!("{i} [{}]", i.kind))
            .collect();
        assert_eq!(
            got[0],
            "lines[0].queue: given twice in the same object [duplicate]"
        );
        assert!(
            got[1].starts_with("lines[0].greting: unknown field"),
            "{got:?}"
        );
        assert_eq!(got.len(), 2);
        assert_eq!(
            input_message(r#"{"type": "accept", "dialog": 1, "dialog": 2, "operator": "a"}"#),
            "dialog: given twice in the same object"
        );
    }

    #[test]
    fn the_end_of_the_text_is_named_by_its_last_character() {
        // before: `?: EOF while parsing an object` (serde_json: line 2, column 0)
        let err = Config::from_json("{\"lines\": [{\"id\": \"s\"}]\n").unwrap_err();
        assert_eq!(
            err[0].message,
            "line 1, column 23: the text ends inside an object"
        );
        let err = Config::from_json(" \n").unwrap_err();
        assert_eq!(err[0].message, "line 1, column 1: the text is empty");
    }

    #[test]
    fn a_byte_order_mark_is_accepted() {
        // before: a config is a JSON object
        let config = Config::from_json("\u{feff}{\"lines\":[{\"id\":\"s\"}]}").unwrap();
        assert_eq!(config.lines[0].id, "s");
        assert!(input_from_str("\u{feff}{\"type\":\"tick\"}").is_ok());
    }

    #[test]
    fn wrong_types_in_the_contracts_words() {
        let cases = [
            // before: dialog: must be a number, got the string "1"
            (
                r#"{"type":"accept","dialog":"1","operator":"ann"}"#,
                "dialog: \"1\" is not a dialog id (a whole number, e.g. 7)",
            ),
            (
                r#"{"type":"accept","dialog":1.5,"operator":"ann"}"#,
                "dialog: 1.5 is not a dialog id (a whole number, e.g. 7)",
            ),
            (
                r#"{"type":"accept","dialog":-1,"operator":"ann"}"#,
                "dialog: -1 is not a dialog id (a whole number, e.g. 7)",
            ),
            (
                r#"{"type":"accept","operator":"ann"}"#,
                "dialog: is required: a dialog id (a whole number, e.g. 7)",
            ),
            (
                r#"{"type":"accept","dialog":1,"operator":7}"#,
                "operator: 7 is not a string",
            ),
            (
                r#"{"type":"pin","dialog":1,"operator":"a","pinned":"yes"}"#,
                "pinned: \"yes\" is not true or false",
            ),
            (
                r#"{"type":"client_message","line":"s","client":"c","skills":"x"}"#,
                "skills: \"x\" is not a list",
            ),
            // before: expected u8
            (
                r#"{"type":"rate","dialog":1,"score":256}"#,
                "score: 256 is not a score from 1 to 5",
            ),
            // before: expected variant identifier
            (
                r#"{"type":5}"#,
                "type: 5 is not one of client_message, operator_message, accept, skip, transfer, \
                 close, pin, rate, presence, bot_handoff, bot_resolved, set_line, set_operator, \
                 forget_client, tick",
            ),
            (
                r#"{"type":"wave"}"#,
                "type: \"wave\" is not one of client_message, operator_message, accept, skip, \
                 transfer, close, pin, rate, presence, bot_handoff, bot_resolved, set_line, \
                 set_operator, forget_client, tick",
            ),
            (
                r#"{"dialog":1}"#,
                "type: is required: one of client_message, operator_message, accept, skip, \
                 transfer, close, pin, rate, presence, bot_handoff, bot_resolved, set_line, \
                 set_operator, forget_client, tick",
            ),
            (
                r#"{"type":"presence","operator":"a","status":"busy"}"#,
                "status: \"busy\" is not one of online, away, break, offline, vacation, dismissed",
            ),
            (
                r#"{"type":"accept","dialog":1,"operator":"a","note":"x"}"#,
                "note: unknown field \"note\", expected one of dialog, operator",
            ),
            // before: reported at client_message
            (
                r#"{"type":"client_message","line":"s","client":"c","crm":{"found":true,"owner":"x"}}"#,
                "crm.owner: unknown field \"owner\", expected one of found, responsible",
            ),
            ("[1]", "[1] is not an object"),
        ];
        for (json, want) in cases {
            assert_eq!(input_message(json), want, "{json}");
        }
        let err = Config::from_json(r#"{"lines":[{"id":"s","queue":"x"}]}"#).unwrap_err();
        assert_eq!(err[0].to_string(), "lines[0].queue: \"x\" is not an object");
    }

    #[test]
    fn numbers_out_of_range_name_the_range() {
        let err = Config::from_json(r#"{"forget_clients_after_days": -1}"#).unwrap_err();
        assert_eq!(
            err[0].to_string(),
            "forget_clients_after_days: -1 is not a whole number of days"
        );
        assert_eq!(err[0].kind, IssueKind::OutOfRange);
        let err = Config::from_json(r#"{"limits": {"max_skills": -1}}"#).unwrap_err();
        assert_eq!(
            err[0].to_string(),
            "limits.max_skills: -1 is not a whole number from 0 to 18446744073709551615"
        );
    }

    #[test]
    fn input_errors_are_invalid_input_with_the_issue() {
        let err = input_from_str(r#"{"type":"accept","dialog":"x","operator":"ann"}"#).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput);
        assert_eq!(err.issues.len(), 1);
        assert_eq!(err.issues[0].path, "dialog");
        assert_eq!(err.issues[0].kind, IssueKind::InvalidType);
        let err = input_from_str("{\"type\": \"tick\",\n}").unwrap_err();
        assert_eq!(err.message, "line 2, column 1: trailing comma");
    }

    #[test]
    fn nested_config_errors_name_the_path_inside() {
        assert_eq!(
            input_message(r#"{"type":"set_line","line":{"id":"s","queue":{"distribution":3}}}"#),
            "line.queue.distribution: 3 is not one of evenly, strict, all, least_busy, longest_idle"
        );
        assert_eq!(
            input_message(r#"{"type":"set_operator","operator":{"id":"a","max_dialogs":-1}}"#),
            "operator.max_dialogs: -1 is not a whole number from 0 to 4294967295"
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
        assert_eq!(
            input_message(r#"{"type":"tick"} x"#),
            "line 1, column 17: more text after the end of the JSON value"
        );
    }

    #[test]
    fn issues_as_json_have_loc_msg_and_type() {
        let issues = Config::from_json(r#"{"lines":[{"id":"s","queue":{"distribution":"x"}}]}"#)
            .unwrap_err();
        assert_eq!(
            issues_json(&issues),
            r#"[{"loc":["lines",0,"queue","distribution"],"msg":"\"x\" is not one of evenly, strict, all, least_busy, longest_idle","type":"invalid_value"}]"#
        );
        let issues = Config::from_json("{").unwrap_err();
        assert!(issues_json(&issues).starts_with(r#"[{"loc":[],"msg":"line 1, column 1: "#));
    }

    #[test]
    fn issue_count_is_bounded() {
        let fields: Vec<String> = (0..150).map(|i| format!("\"f{i}\": 1")).collect();
        let text = format!("{{{}}}", fields.join(","));
        assert_eq!(Config::from_json(&text).unwrap_err().len(), MAX_ISSUES);
    }
}
