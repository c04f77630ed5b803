//! The wire format of the input stream: one JSON object per message,
//! `{"tenant": "acme", "at": "2026-11-23T09:00:00Z", "input": {...}}`.
//!
//! `input` is an engine input (contract section 3, `{"type": "tick"}` for a clock
//! tick) or one of this host's own records: `{"type": "create_tenant", "config": {...}}`.
//! Config changes are engine inputs (`set_line`, `set_operator`), so a replay
//! re-applies them in stream order.

use chrono::{DateTime, Utc};
use openlines::{Config, ConfigIssue, Input};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The `type` of the host record that creates a tenant.
pub const CREATE_TENANT: &str = "create_tenant";

/// One message of the input stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    /// The tenant (one engine) the input is for.
    pub tenant: String,
    /// When the input happened: the engine's clock, supplied by the producer.
    pub at: DateTime<Utc>,
    /// The input, kept as JSON until the tenant is known.
    pub input: Value,
}

/// What an envelope asks the host to do.
#[derive(Debug, Clone)]
pub enum Record {
    /// Create the tenant's engine with this config.
    CreateTenant(Box<Config>),
    /// Feed this input to the tenant's engine.
    Engine(Input),
}

/// Why a stream message was not applied (the dead-letter reason).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    /// A stable reason: `malformed`, `invalid_tenant`, `unknown_tenant`, `tenant_exists`,
    /// or one of the engine's error kinds (`invalid_config`, `not_allowed`, ...).
    pub reason: String,
    /// What is wrong, for a person.
    pub message: String,
}

impl Rejection {
    /// A rejection with a reason and a message.
    pub fn new(reason: &str, message: impl Into<String>) -> Self {
        Rejection {
            reason: reason.to_owned(),
            message: message.into(),
        }
    }
}

impl Envelope {
    /// Parse a stream message; anything that is not an envelope is `malformed`.
    pub fn parse(payload: &[u8]) -> Result<Envelope, Rejection> {
        serde_json::from_slice(payload).map_err(|e| Rejection::new("malformed", e.to_string()))
    }

    /// The `type` of the input, if it has one.
    pub fn input_type(&self) -> Option<&str> {
        self.input.get("type").and_then(Value::as_str)
    }

    /// True when the input creates a tenant.
    pub fn is_create_tenant(&self) -> bool {
        self.input_type() == Some(CREATE_TENANT)
    }

    /// Decode the input: a tenant creation or an engine input.
    pub fn record(&self) -> Result<Record, Rejection> {
        if self.is_create_tenant() {
            let config = self
                .input
                .get("config")
                .ok_or_else(|| Rejection::new("invalid_config", "create_tenant needs a config"))?;
            // The engine's own readers, so a rejection says what is wrong in the
            // contract's words (every config problem at once), as in every binding.
            return Config::from_json(&config.to_string())
                .map(|c| Record::CreateTenant(Box::new(c)))
                .map_err(|issues| {
                    Rejection::new("invalid_config", ConfigIssue::into_error(&issues).message)
                });
        }
        openlines::json::input_from_str(&self.input.to_string())
            .map(Record::Engine)
            .map_err(|e| Rejection::new("invalid_input", e.message))
    }

    /// The envelope as one JSON line.
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The tenant named by a message that may not be a valid envelope: used by producers
/// to pick the partition even of a message the workers will reject.
pub fn tenant_of(payload: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(payload).ok()?;
    value.get("tenant")?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_an_engine_input() {
        let line = br#"{"tenant":"acme","at":"2026-11-23T09:00:00Z","input":{"type":"client_message","line":"sales","client":"tg:1"}}"#;
        let env = Envelope::parse(line).unwrap();
        assert_eq!(env.tenant, "acme");
        assert!(matches!(
            env.record().unwrap(),
            Record::Engine(Input::ClientMessage(_))
        ));
    }

    #[test]
    fn parses_a_tenant_creation() {
        let env = Envelope {
            tenant: "acme".into(),
            at: "2026-11-23T09:00:00Z".parse().unwrap(),
            input: json!({"type": "create_tenant", "config": {"lines": [{"id": "sales"}]}}),
        };
        let Record::CreateTenant(config) = env.record().unwrap() else {
            panic!("not a creation")
        };
        assert_eq!(config.lines[0].id, "sales");
        let round = Envelope::parse(env.to_line().as_bytes()).unwrap();
        assert_eq!(round, env);
    }

    #[test]
    fn rejects_what_is_not_an_envelope() {
        for bad in [
            &b"not json"[..],
            br#"{"tenant":"a"}"#,
            br#"{"tenant":"a","at":"yesterday","input":{}}"#,
        ] {
            assert_eq!(Envelope::parse(bad).unwrap_err().reason, "malformed");
        }
        let env = Envelope::parse(
            br#"{"tenant":"a","at":"2026-11-23T09:00:00Z","input":{"type":"fly"}}"#,
        )
        .unwrap();
        assert_eq!(env.record().unwrap_err().reason, "invalid_input");
        let env = Envelope::parse(
            br#"{"tenant":"a","at":"2026-11-23T09:00:00Z","input":{"type":"create_tenant"}}"#,
        )
        .unwrap();
        assert_eq!(env.record().unwrap_err().reason, "invalid_config");
    }

    #[test]
    fn rejections_say_what_is_wrong_in_the_contracts_words() {
        let env = |input: serde_json::Value| Envelope {
            tenant: "a".into(),
            at: "2026-11-23T09:00:00Z".parse().unwrap(),
            input,
        };
        let fly = env(json!({"type": "fly"})).record().unwrap_err();
        assert!(
            fly.message
                .starts_with(r#"type: "fly" is not one of client_message, operator_message"#),
            "{}",
            fly.message
        );
        let bad = env(json!({"type": "accept", "dialog": "1", "operator": "ann"}))
            .record()
            .unwrap_err();
        assert!(
            bad.message.starts_with(r#"dialog: "1" is not a dialog id"#),
            "{}",
            bad.message
        );
        let config = env(json!({"type": "create_tenant", "config": {"lines": [
            {"id": "s", "queue": {"distribution": "evenlyy"}, "greting": {}}]}}))
        .record()
        .unwrap_err();
        assert_eq!(config.reason, "invalid_config");
        assert!(
            config
                .message
                .contains(r#"lines[0].queue.distribution: "evenlyy" is not one of"#)
                && config
                    .message
                    .contains(r#"lines[0].greting: unknown field"#),
            "every problem at once: {}",
            config.message
        );
    }

    #[test]
    fn finds_the_tenant_of_a_partial_message() {
        assert_eq!(
            tenant_of(br#"{"tenant":"acme","at":1}"#).as_deref(),
            Some("acme")
        );
        assert_eq!(tenant_of(b"{oops"), None);
    }
}
