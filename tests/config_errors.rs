//! Property tests of config parsing that reports every problem in one pass: whatever
//! JSON is put anywhere into a valid config, parsing terminates without panicking,
//! accepts exactly what serde and `Config::validate` accept (the same config), and
//! refuses with a non-empty, bounded list whose first problem is where serde stops.

use openlines::Config;
use openlines::json::MAX_ISSUES;
use proptest::prelude::*;
use serde_json::{Value, json};

fn base() -> Value {
    json!({
        "operators": [{"id": "ann", "max_dialogs": 2, "skills": ["de"]}, {"id": "bob"}],
        "lines": [{
            "id": "sales",
            "queue": {"operators": ["ann", "bob"], "distribution": "strict", "load_excludes": ["answered"],
                      "no_answer": {"action": "send_text", "text": "sorry"}},
            "schedule": {"timezone": "Europe/Berlin", "weekly": {"mon": [["09:00", "18:00"]]},
                         "holidays": ["01.01"]},
            "rating": {"enabled": true, "window_secs": 60},
            "kpi": {"notify": ["boss"]}
        }],
        "limits": {"max_skills": 8}
    })
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        prop_oneof![
            Just("evenly"),
            Just("x"),
            Just(""),
            Just("09:00"),
            Just("ann"),
            Just("zz"),
            Just("send_form")
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id"),
                    Just("text"),
                    Just("bogus"),
                    Just("after_secs"),
                    Just("mon")
                ]
                .prop_map(str::to_owned),
                inner,
                0..3
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every place in a value (as a list of keys / positions), for choosing where to write.
fn places(value: &Value, here: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    out.push(here.clone());
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                here.push(Value::from(k.as_str()));
                places(v, here, out);
                here.pop();
            }
        }
        Value::Array(list) => {
            for (i, v) in list.iter().enumerate() {
                here.push(Value::from(i));
                places(v, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

/// Put `new` at `place`, or under a new key `key` when the place is an object.
fn write(root: &mut Value, place: &[Value], key: Option<&str>, new: Value) {
    let mut v = root;
    for step in place {
        v = match step {
            Value::String(k) => &mut v[k.as_str()],
            _ => &mut v[step.as_u64().unwrap() as usize],
        };
    }
    match (key, v.as_object_mut()) {
        (Some(k), Some(map)) => {
            map.insert(k.to_owned(), new);
        }
        _ => *v = new,
    }
}

/// One edit: where (an index into the places), an optional new key there, the new value.
fn edit() -> impl Strategy<Value = (prop::sample::Index, (Option<&'static str>, Value))> {
    let key = prop::option::of(prop_oneof![
        Just("id"),
        Just("greting"),
        Just("queue"),
        Just("window_secs"),
        Just("weekly"),
    ]);
    (any::<prop::sample::Index>(), (key, any_json()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn parsing_collects_problems_and_agrees_with_serde(edits in prop::collection::vec(edit(), 1..4)) {
        let mut value = base();
        for (index, (key, new)) in edits {
            let mut all = Vec::new();
            places(&value, &mut Vec::new(), &mut all);
            let place = all[index.index(all.len())].clone();
            write(&mut value, &place, key, new);
        }
        let text = value.to_string();
        let direct: Result<Config, _> =
            serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(&text));
        match Config::from_json(&text) {
            Ok(config) => {
                let direct = direct.expect("accepted, so serde reads it too");
                prop_assert_eq!(&config, &direct);
                prop_assert!(direct.validate().is_ok());
            }
            Err(issues) => {
                prop_assert!(!issues.is_empty() && issues.len() <= MAX_ISSUES);
                match direct {
                    Err(e) => {
                        let path = e.path().to_string();
                        if value.is_object() && !path.contains('?') {
                            prop_assert!(
                                issues[0].path == path || issues[0].path.starts_with(&format!("{path}.")),
                                "serde stops at {} ({}), the first problem is {}", path, e.inner(), issues[0]
                            );
                        }
                    }
                    // A config must be an object (serde would read a list as the struct).
                    Ok(direct) => prop_assert!(!value.is_object() || direct.validate().is_err()),
                }
                for issue in &issues {
                    prop_assert!(!issue.message.contains(" u64") && !issue.message.contains(" u32")
                        && !issue.message.contains("struct ") && !issue.message.contains('`'),
                        "a Rust type name leaks: {}", issue);
                }
            }
        }
    }
}
