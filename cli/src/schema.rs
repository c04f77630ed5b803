//! `openlines schema`: the JSON Schemas of the config, the inputs, the actions and the
//! scenario files, generated from the engine's own Rust types (schemars), so that an
//! editor completes and validates a config and no binding's types drift from the engine.
//!
//! The files are committed under `schema/` and checked fresh by CI
//! (`openlines schema --check`, then `git diff --exit-code schema/`).

use std::path::Path;

use openlines::{Action, Config, ErrorKind, Input};
use serde_json::{Value, json};

/// The draft every generated schema declares.
const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// One generated schema file: its name under `schema/` and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaFile {
    /// The file name, e.g. `config.schema.json`.
    pub name: &'static str,
    /// The file's text: pretty-printed JSON ending with a newline.
    pub text: String,
}

/// Every schema file, in a stable order: config, input, action, scenario.
pub fn files() -> Vec<SchemaFile> {
    let mut config =
        serde_json::to_value(schemars::schema_for!(Config)).expect("a schema is plain JSON");
    // A config file may name its schema (`"$schema": "schema/config.schema.json"`);
    // `Config::from_json` ignores that key, so the schema must allow it.
    if let Some(props) = config.get_mut("properties").and_then(Value::as_object_mut) {
        props.insert(
            "$schema".to_owned(),
            json!({
                "description": "The JSON Schema this file follows (for editors); ignored by the engine.",
                "type": "string"
            }),
        );
    }
    let input = serde_json::to_value(schemars::schema_for!(Input)).expect("plain JSON");
    let action = serde_json::to_value(schemars::schema_for!(Action)).expect("plain JSON");
    vec![
        file("config.schema.json", config),
        file("input.schema.json", input),
        file("action.schema.json", action),
        file("scenario.schema.json", scenario()),
    ]
}

/// The scenario file's schema (`openlines replay`): written here rather than derived,
/// because a scenario keeps its config, inputs and expectations as raw JSON so that it
/// can report their problems itself; it refers to the three generated schemas.
fn scenario() -> Value {
    let kinds: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
    json!({
        "$schema": DRAFT,
        "title": "Scenario",
        "description": "A scenario file of `openlines replay`: a config and timed steps with expectations.",
        "type": "object",
        "additionalProperties": false,
        "required": ["config", "steps"],
        "properties": {
            "$schema": {"description": "The JSON Schema this file follows (for editors).", "type": "string"},
            "description": {"description": "What the scenario shows (free text).", "type": "string"},
            "config": {"$ref": "config.schema.json"},
            "strict_order": {"description": "Expected actions must appear in the listed order.", "type": "boolean", "default": false},
            "steps": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["at"],
                    "properties": {
                        "at": {"description": "When the input happens (RFC 3339 with a zone).", "type": "string", "format": "date-time"},
                        "input": {"$ref": "input.schema.json"},
                        "expect": {
                            "description": "Expected actions, each matching an action on the fields it lists.",
                            "type": "array",
                            "items": {"type": "object", "required": ["type"]}
                        },
                        "expect_absent": {"description": "Action types the step must not emit.", "type": "array", "items": {"type": "string"}},
                        "expect_error": {"description": "The error kind the input must be rejected with.", "enum": kinds},
                        "note": {"description": "A note for readers.", "type": "string"}
                    }
                }
            }
        }
    })
}

fn file(name: &'static str, value: Value) -> SchemaFile {
    let mut text = serde_json::to_string_pretty(&value).expect("plain JSON");
    text.push('\n');
    SchemaFile { name, text }
}

/// Write every schema file into `dir` (created if missing), or with `check`, write
/// nothing and list the files that are missing or differ. Returns what it did, one
/// line per file.
pub fn run(dir: &Path, check: bool) -> Result<String, String> {
    let mut out = String::new();
    let mut stale = Vec::new();
    if !check {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    for f in files() {
        let path = dir.join(f.name);
        let current = std::fs::read_to_string(&path).ok();
        let fresh = current.as_deref() == Some(f.text.as_str());
        if check {
            if !fresh {
                stale.push(path.display().to_string());
            }
            continue;
        }
        if !fresh {
            std::fs::write(&path, &f.text)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        let what = if fresh { "unchanged" } else { "written" };
        out.push_str(&format!("{}: {what}\n", path.display()));
    }
    if !stale.is_empty() {
        return Err(format!(
            "stale or missing (run `openlines schema` to regenerate): {}",
            stale.join(", ")
        ));
    }
    if check {
        out.push_str(&format!("{}: every schema is fresh\n", dir.display()));
    }
    Ok(out)
}
