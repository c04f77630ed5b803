//! The committed JSON Schemas (`schema/*.json`) are what the engine's types give today:
//! a change to a config, input or action type that is not followed by
//! `openlines schema` fails here (and in CI's `git diff --exit-code schema/`).

use std::path::PathBuf;

use openlines_cli::schema;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schema")
}

#[test]
fn the_committed_schemas_are_fresh() {
    for file in schema::files() {
        let path = dir().join(file.name);
        let committed = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run `openlines schema`)", path.display()));
        assert!(
            committed == file.text,
            "{} is stale: run `cargo run -p openlines-cli -- schema` and commit schema/",
            path.display()
        );
    }
    assert!(schema::run(&dir(), true).is_ok());
}

#[test]
fn check_mode_names_a_stale_file_and_writes_nothing() {
    let tmp = std::env::temp_dir().join(format!("openlines-schema-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::write(tmp.join("config.schema.json"), "{}\n").unwrap();
    let err = schema::run(&tmp, true).unwrap_err();
    assert!(
        err.contains("config.schema.json") && err.contains("input.schema.json"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(tmp.join("config.schema.json")).unwrap(),
        "{}\n"
    );
    let written = schema::run(&tmp, false).unwrap();
    assert!(written.contains("written"), "{written}");
    assert!(schema::run(&tmp, true).is_ok());
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn the_schemas_describe_the_contracts_shapes() {
    let files = schema::files();
    let get = |name: &str| -> serde_json::Value {
        let f = files.iter().find(|f| f.name == name).expect(name);
        serde_json::from_str(&f.text).expect("JSON")
    };
    let config = get("config.schema.json");
    assert_eq!(
        config["additionalProperties"], false,
        "unknown config fields are refused"
    );
    assert_eq!(
        config["$defs"]["QueueConfig"]["properties"]["forward_after_secs"]["default"],
        60
    );
    assert!(config["properties"]["$schema"].is_object());
    let tags = |v: &serde_json::Value| -> Vec<String> {
        v["oneOf"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                o["properties"]["type"]["const"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    let inputs = tags(&get("input.schema.json"));
    assert!(inputs.contains(&"client_message".to_owned()) && inputs.contains(&"tick".to_owned()));
    let actions = tags(&get("action.schema.json"));
    assert_eq!(actions.len(), 14, "{actions:?}");
    assert_eq!(
        get("scenario.schema.json")["properties"]["config"]["$ref"],
        "config.schema.json"
    );
}
