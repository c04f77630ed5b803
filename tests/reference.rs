//! The user reference (`docs/reference.md`) stays in step with the engine:
//!
//! - every JSON example in it is parsed by the engine's own types (a block is fenced
//!   as `json config`, `json input`, `json action` or `json error`, and must parse as
//!   that; an action must also serialize back to the same JSON);
//! - every field the Rust types have is documented: the JSON Schemas in `schema/`
//!   (generated from the types, checked fresh by `cli/tests/schema.rs`) are walked, and
//!   every config field must appear by its full path (`lines[].queue.forward_after_secs`),
//!   every input and action type must have its own section with an example, and each
//!   of its fields must appear in that section; every enumeration value and every error
//!   kind must appear;
//! - the constants the host-loop and snapshot rules quote are the engine's;
//! - every README points to the reference, and no tracked file points outside the
//!   repository (to the team's contract).

use std::collections::BTreeSet;
use std::path::PathBuf;

use openlines::{Action, Config, ErrorKind};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn reference() -> String {
    std::fs::read_to_string(root().join("docs/reference.md")).expect("docs/reference.md")
}

fn schema(name: &str) -> Value {
    let path = root().join("schema").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("a schema is JSON")
}

/// The fenced code blocks of a markdown text: (info string, body, line of the fence).
fn blocks(text: &str) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(String, String, usize)> = None;
    for (n, line) in text.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => open = Some((info.trim().to_owned(), String::new(), n + 1)),
            (Some(_), Some(_)) => out.push(open.take().expect("open block")),
            (Some((_, body, _)), None) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "an unclosed code block");
    out
}

#[test]
fn every_json_example_parses_as_what_it_says() {
    let text = reference();
    let mut counts = std::collections::BTreeMap::new();
    for (info, body, line) in blocks(&text) {
        let mut words = info.split_whitespace();
        if words.next() != Some("json") {
            continue;
        }
        let kind = words.next().unwrap_or("");
        let at = format!("docs/reference.md:{line}");
        match kind {
            "config" => {
                if let Err(issues) = Config::from_json(&body) {
                    panic!("{at}: the config example is refused: {issues:?}");
                }
            }
            "input" => {
                if let Err(e) = openlines::json::input_from_str(&body) {
                    panic!("{at}: the input example is refused: {e}");
                }
            }
            "action" => {
                let action: Action = serde_json::from_str(&body)
                    .unwrap_or_else(|e| panic!("{at}: the action example does not parse: {e}"));
                let given: Value = serde_json::from_str(&body).expect("JSON");
                assert_eq!(
                    serde_json::to_value(&action).expect("JSON"),
                    given,
                    "{at}: the engine writes this action differently"
                );
            }
            "scenario" => {
                let scenario = openlines_cli::scenario::Scenario::parse(&body)
                    .unwrap_or_else(|e| panic!("{at}: the scenario example is refused: {e}"));
                let results = scenario.run().unwrap_or_else(|e| panic!("{at}: {e}"));
                let problems = scenario.check(&results);
                assert!(
                    problems.is_empty(),
                    "{at}: the scenario does not behave as it says: {problems:?}"
                );
            }
            "error" => {
                let error: openlines::Error = serde_json::from_str(&body)
                    .unwrap_or_else(|e| panic!("{at}: the error example does not parse: {e}"));
                assert!(!error.message.is_empty(), "{at}");
            }
            other => panic!(
                "{at}: a JSON block must say what it is (```json config|input|action|error|scenario), got {other:?}"
            ),
        }
        *counts.entry(kind.to_owned()).or_insert(0) += 1;
    }
    for kind in ["config", "input", "action", "error", "scenario"] {
        assert!(
            counts.get(kind).is_some_and(|&n| n > 0),
            "no {kind} example: {counts:?}"
        );
    }
}

/// Resolve a `$ref` into the schema's `$defs`.
fn resolve<'a>(schema: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.rsplit('/').next().expect("a ref");
            resolve(schema, &schema["$defs"][name])
        }
        None => node,
    }
}

/// The object schema a property holds, if it holds one (directly, by `$ref`, as an
/// optional `anyOf [T, null]`, or as the items of an array).
fn object_of<'a>(schema: &'a Value, node: &'a Value) -> Option<&'a Value> {
    let node = resolve(schema, node);
    if node.get("properties").is_some() {
        return Some(node);
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(options) = node.get(key).and_then(Value::as_array)
            && let Some(found) = options.iter().find_map(|o| object_of(schema, o))
        {
            return Some(found);
        }
    }
    node.get("items").and_then(|items| object_of(schema, items))
}

/// Every field path of the config: `operators`, `operators[].id`,
/// `lines[].queue.no_answer.text`, `limits.max_id_len`, ...
fn config_paths(schema: &Value, node: &Value, prefix: &str, out: &mut Vec<String>) {
    let Some(props) = node.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, prop) in props {
        let path = format!("{prefix}{name}");
        out.push(path.clone());
        let prop_resolved = resolve(schema, prop);
        let is_array = prop_resolved.get("type").and_then(Value::as_str) == Some("array");
        if let Some(inner) = object_of(schema, prop) {
            let sep = if is_array { "[]." } else { "." };
            config_paths(schema, inner, &format!("{path}{sep}"), out);
        }
    }
}

#[test]
fn every_config_field_is_documented_by_its_path() {
    let text = reference();
    let schema = schema("config.schema.json");
    let mut paths = Vec::new();
    config_paths(&schema, &schema, "", &mut paths);
    assert!(paths.len() > 60, "the walk found too few fields: {paths:?}");
    for must in [
        "lines[].queue.forward_after_secs",
        "operators[].presence",
        "limits.max_skills",
    ] {
        assert!(paths.iter().any(|p| p == must), "the walk missed {must}");
    }
    let missing: Vec<&String> = paths
        .iter()
        .filter(|p| !text.contains(&format!("`{p}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "config fields not in docs/reference.md: {missing:?}"
    );
}

/// The markdown between the heading "### `tag`" and the next heading of level 2 or 3.
fn section<'a>(text: &'a str, tag: &str) -> Option<&'a str> {
    let heading = format!("\n### `{tag}`\n");
    let start = text.find(&heading)? + heading.len();
    let rest = &text[start..];
    let end = rest
        .find("\n## ")
        .into_iter()
        .chain(rest.find("\n### "))
        .min()
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

/// The tagged variants of an input or action schema: (tag, the variant's object).
fn variants(schema: &Value) -> Vec<(String, &Value)> {
    let options = schema["oneOf"]
        .as_array()
        .expect("a tagged enum is a oneOf");
    options
        .iter()
        .map(|option| {
            let tag = option["properties"]["type"]["const"]
                .as_str()
                .expect("each variant has a const type")
                .to_owned();
            (tag, option)
        })
        .collect()
}

/// The field names of a variant: its own properties and those of the object it wraps
/// (an `allOf`/`$ref` newtype), and of nested objects that are not config objects
/// (`crm.found` of a client message, `stats.rating` of `dialog_closed`).
fn variant_fields(
    schema: &Value,
    node: &Value,
    config_defs: &BTreeSet<String>,
    out: &mut BTreeSet<String>,
) {
    let node = resolve(schema, node);
    if let Some(props) = node.get("properties").and_then(Value::as_object) {
        for (name, prop) in props {
            if name == "type" {
                continue;
            }
            out.insert(name.clone());
            let nested_ref = [prop.get("$ref")]
                .into_iter()
                .chain(
                    prop.get("anyOf")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .map(|o| o.get("$ref")),
                )
                .flatten()
                .filter_map(Value::as_str)
                .next();
            if let Some(r) = nested_ref {
                let def = r.rsplit('/').next().expect("a ref");
                if !config_defs.contains(def) {
                    variant_fields(schema, &schema["$defs"][def], config_defs, out);
                }
            }
        }
    }
    if let Some(all) = node.get("allOf").and_then(Value::as_array) {
        for part in all {
            variant_fields(schema, part, config_defs, out);
        }
    }
}

fn check_tagged(file: &str, kind: &str) {
    let text = reference();
    let schema = schema(file);
    let config_defs: BTreeSet<String> = schema_defs("config.schema.json");
    let found = variants(&schema);
    assert!(found.len() >= 14, "{file}: too few variants");
    for (tag, node) in found {
        let Some(body) = section(&text, &tag) else {
            panic!("docs/reference.md has no section \"### `{tag}`\" ({kind})");
        };
        assert!(
            body.contains(&format!("```json {kind}"))
                && body.contains(&format!("\"type\": \"{tag}\"")),
            "the section of `{tag}` has no {kind} example of it"
        );
        let mut fields = BTreeSet::new();
        variant_fields(&schema, node, &config_defs, &mut fields);
        for field in fields {
            assert!(
                body.contains(&format!("`{field}`")) || body.contains(&format!(".{field}`")),
                "the section of `{tag}` does not document its field `{field}`"
            );
        }
    }
}

fn schema_defs(file: &str) -> BTreeSet<String> {
    schema(file)["$defs"]
        .as_object()
        .expect("$defs")
        .keys()
        .cloned()
        .collect()
}

#[test]
fn every_input_and_its_fields_are_documented() {
    check_tagged("input.schema.json", "input");
}

#[test]
fn every_action_and_its_fields_are_documented() {
    check_tagged("action.schema.json", "action");
}

fn enum_values(node: &Value, out: &mut BTreeSet<String>) {
    match node {
        Value::Object(map) => {
            if let Some(values) = map.get("enum").and_then(Value::as_array) {
                out.extend(values.iter().filter_map(Value::as_str).map(str::to_owned));
            }
            if let Some(v) = map.get("const").and_then(Value::as_str) {
                out.insert(v.to_owned());
            }
            map.values().for_each(|v| enum_values(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| enum_values(v, out)),
        _ => {}
    }
}

#[test]
fn every_enumeration_value_and_error_kind_is_documented() {
    let text = reference();
    let mut values = BTreeSet::new();
    for file in [
        "config.schema.json",
        "input.schema.json",
        "action.schema.json",
    ] {
        enum_values(&schema(file), &mut values);
    }
    assert!(values.contains("longest_idle") && values.contains("rating_window"));
    let missing: Vec<&String> = values
        .iter()
        .filter(|v| !text.contains(&format!("`{v}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "values not in docs/reference.md: {missing:?}"
    );
    let errors = &text[text.find("\n## Errors\n").expect("an Errors section")..];
    for kind in ErrorKind::ALL {
        assert!(
            errors.contains(&format!("| `{kind}` |")),
            "error kind {kind} is not in the table"
        );
    }
}

#[test]
fn the_constants_quoted_are_the_engines() {
    let text = reference();
    let version = format!("`SNAPSHOT_VERSION` = {}", openlines::SNAPSHOT_VERSION);
    assert!(
        text.contains(&version),
        "docs/reference.md must say {version}"
    );
    let bound = format!(
        "at most {} times inside the gap (`MAX_OFFER_EXPIRIES_PER_CATCH_UP`)",
        openlines::MAX_OFFER_EXPIRIES_PER_CATCH_UP
    );
    assert!(text.contains(&bound), "docs/reference.md must say {bound}");
    assert!(text.contains(&format!("at most {}", openlines::config::MAX_SECS)));
}

#[test]
fn a_config_may_name_its_schema() {
    let config = Config::from_json(
        r#"{"$schema": "../schema/config.schema.json", "lines": [{"id": "sales"}]}"#,
    )
    .expect("a $schema string is ignored");
    assert_eq!(config.lines.len(), 1);
    // Only at the top level, and only a string: anything else is still refused.
    let issues = Config::from_json(r#"{"$schema": 1, "lines": []}"#).unwrap_err();
    assert_eq!(issues[0].path, "$schema", "{issues:?}");
    let issues = Config::from_json(r#"{"lines": [{"id": "s", "$schema": "x"}]}"#).unwrap_err();
    assert_eq!(issues[0].path, "lines[0].$schema", "{issues:?}");
    // The example configs name theirs, and the path they give exists.
    for file in [
        "examples/c/config.json",
        "examples/simulation/support.json",
        "examples/simulation/least-busy-3.json",
    ] {
        let path = root().join(file);
        let text = std::fs::read_to_string(&path).expect(file);
        let value: Value = serde_json::from_str(&text).expect(file);
        let named = value["$schema"]
            .as_str()
            .unwrap_or_else(|| panic!("{file} has no \"$schema\""));
        let target = path.parent().expect("a dir").join(named);
        assert!(
            target.is_file(),
            "{file}: \"$schema\" {named} does not exist"
        );
        Config::from_json(&text).unwrap_or_else(|e| panic!("{file}: {e:?}"));
    }
}

fn tracked_files() -> Vec<String> {
    let out = std::process::Command::new("git")
        .args(["ls-files"])
        .current_dir(root())
        .output()
        .expect("git ls-files");
    String::from_utf8(out.stdout)
        .expect("UTF-8")
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_readme_points_to_the_reference() {
    let files = tracked_files();
    if files.is_empty() {
        return; // not a git checkout (a packaged crate): nothing to check
    }
    for file in files.iter().filter(|f| f.ends_with("README.md")) {
        let text = std::fs::read_to_string(root().join(file)).expect("readable");
        assert!(
            text.contains("docs/reference.md"),
            "{file} does not point to docs/reference.md"
        );
    }
}

#[test]
fn nothing_points_outside_the_repository() {
    let files = tracked_files();
    // Built from parts, so that this file does not match itself.
    let outside = ["../", "shared/"].concat();
    let contract = ["DES", "IGN"].concat();
    let mut found = Vec::new();
    for file in &files {
        let Ok(text) = std::fs::read_to_string(root().join(file)) else {
            continue; // binary
        };
        for (n, line) in text.lines().enumerate() {
            if line.contains(&outside) || line.contains(&contract) {
                found.push(format!("{file}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "pointers outside the repository:\n{}",
        found.join("\n")
    );
}
