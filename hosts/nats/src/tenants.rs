//! The engines of one partition and how a stream message is applied to them. Pure:
//! no I/O, so the worker and the tests run exactly this code.

use std::collections::BTreeMap;

use openlines::{Action, Engine, ErrorKind, Input};

use crate::envelope::{Envelope, Record, Rejection};
use crate::names::valid_tenant;

/// One tenant's engine and where it stands in the stream.
#[derive(Debug)]
pub struct Tenant {
    /// The tenant's engine.
    pub engine: Engine,
    /// The last stream sequence applied to (or rejected for) this tenant.
    pub last_seq: u64,
    /// Changed since the last checkpoint.
    pub dirty: bool,
}

/// What applying one stream message did.
#[derive(Debug, Default)]
pub struct Applied {
    /// The tenant the message named, when it named a valid one.
    pub tenant: Option<String>,
    /// The actions to publish, in order (index = position).
    pub actions: Vec<Action>,
    /// Why the message (or its input) was rejected: goes to the dead-letter subject.
    pub rejection: Option<Rejection>,
}

/// The engines of one partition, by tenant id (ordered: deterministic iteration).
#[derive(Debug, Default)]
pub struct Tenants {
    tenants: BTreeMap<String, Tenant>,
}

impl Tenants {
    /// No tenants.
    pub fn new() -> Self {
        Tenants::default()
    }

    /// Put back a tenant restored from a checkpoint taken after `last_seq`.
    pub fn restore(&mut self, tenant: String, engine: Engine, last_seq: u64) {
        let dirty = false;
        self.tenants.insert(
            tenant,
            Tenant {
                engine,
                last_seq,
                dirty,
            },
        );
    }

    /// The tenant's state, if it exists.
    #[cfg(test)]
    pub fn get(&self, tenant: &str) -> Option<&Tenant> {
        self.tenants.get(tenant)
    }

    /// Every tenant, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Tenant)> {
        self.tenants.iter()
    }

    /// The tenants changed since the last checkpoint.
    pub fn dirty(&self) -> impl Iterator<Item = (&String, &Tenant)> {
        self.tenants.iter().filter(|(_, t)| t.dirty)
    }

    /// Mark every tenant as saved.
    pub fn mark_clean(&mut self) {
        self.tenants.values_mut().for_each(|t| t.dirty = false);
    }

    /// How many tenants.
    pub fn len(&self) -> usize {
        self.tenants.len()
    }

    /// Apply the stream message at sequence `seq`: create a tenant, feed an input to
    /// its engine, or reject the message. Never fails: a rejection is data.
    pub fn apply(&mut self, seq: u64, payload: &[u8]) -> Applied {
        let envelope = match Envelope::parse(payload) {
            Ok(e) => e,
            Err(rejection) => return rejected(None, rejection),
        };
        if !valid_tenant(&envelope.tenant) {
            let why = format!(
                "tenant id {:?} is not 1-64 of [A-Za-z0-9_-]",
                envelope.tenant
            );
            return rejected(None, Rejection::new("invalid_tenant", why));
        }
        let tenant = envelope.tenant.clone();
        if self.tenants.get(&tenant).is_some_and(|t| seq <= t.last_seq) {
            // Already applied (at or below the tenant's checkpoint): nothing to do.
            return Applied::default();
        }
        let mut applied = match envelope.record() {
            Ok(Record::CreateTenant(config)) => self.create(&tenant, *config, seq),
            Ok(Record::Engine(input)) => self.feed(&tenant, &envelope, input),
            Err(rejection) => self.tick_then_reject(&tenant, &envelope, rejection),
        };
        if let Some(t) = self.tenants.get_mut(&tenant) {
            t.last_seq = seq;
            t.dirty = true;
        }
        applied.tenant = Some(tenant);
        applied
    }

    fn create(&mut self, tenant: &str, config: openlines::Config, seq: u64) -> Applied {
        if self.tenants.contains_key(tenant) {
            let why = format!("tenant {tenant} exists; change it with set_line / set_operator");
            return rejected(None, Rejection::new("tenant_exists", why));
        }
        match Engine::new(config) {
            Ok(engine) => {
                self.restore(tenant.to_owned(), engine, seq);
                Applied::default()
            }
            Err(e) => rejected(None, Rejection::new(e.kind.as_str(), e.message)),
        }
    }

    fn feed(&mut self, tenant: &str, envelope: &Envelope, input: Input) -> Applied {
        let Some(t) = self.tenants.get_mut(tenant) else {
            let why = format!("tenant {tenant} was never created (create_tenant first)");
            return rejected(None, Rejection::new("unknown_tenant", why));
        };
        let stale_tick = matches!(input, Input::Tick);
        let mut actions = Vec::new();
        // On a rejected input the buffer keeps what the due timers did (contract §1).
        let result = t.engine.handle_into(envelope.at, input, &mut actions);
        let rejection = match result {
            Err(e) if stale_tick && e.kind == ErrorKind::TimeWentBackwards => None,
            Err(e) => Some(Rejection::new(e.kind.as_str(), e.message)),
            Ok(()) => None,
        };
        Applied {
            actions,
            rejection,
            ..Applied::default()
        }
    }

    /// An input of a known tenant that cannot be read is refused like any other, after
    /// the tick to its time (`handle(at, x)` is `advance(at)` then `x`, as in
    /// `openlines replay`): the due timers' actions are published all the same.
    fn tick_then_reject(
        &mut self,
        tenant: &str,
        envelope: &Envelope,
        rejection: Rejection,
    ) -> Applied {
        let mut actions = Vec::new();
        if let Some(t) = self.tenants.get_mut(tenant) {
            // A time gone backwards changes nothing; the input's own rejection stands.
            let _ = t.engine.advance_into(envelope.at, &mut actions);
        }
        Applied {
            tenant: Some(tenant.to_owned()),
            actions,
            rejection: Some(rejection),
        }
    }
}

fn rejected(tenant: Option<String>, rejection: Rejection) -> Applied {
    Applied {
        tenant,
        rejection: Some(rejection),
        ..Applied::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn msg(tenant: &str, at: &str, input: serde_json::Value) -> Vec<u8> {
        json!({"tenant": tenant, "at": at, "input": input})
            .to_string()
            .into_bytes()
    }

    fn create(tenant: &str) -> Vec<u8> {
        let config = json!({"operators": [{"id": "ann"}],
                            "lines": [{"id": "sales", "queue": {"operators": ["ann"]}}]});
        msg(
            tenant,
            "2026-11-23T09:00:00Z",
            json!({"type": "create_tenant", "config": config}),
        )
    }

    fn hello(tenant: &str, at: &str) -> Vec<u8> {
        msg(
            tenant,
            at,
            json!({"type": "client_message", "line": "sales", "client": "tg:1"}),
        )
    }

    #[test]
    fn creates_a_tenant_then_routes_its_inputs() {
        let mut tenants = Tenants::new();
        let created = tenants.apply(1, &create("acme"));
        assert!(created.rejection.is_none() && created.actions.is_empty());
        let opened = tenants.apply(2, &hello("acme", "2026-11-23T09:00:01Z"));
        assert!(opened.rejection.is_none());
        assert_eq!(opened.actions[0].type_name(), "dialog_opened");
        assert_eq!(tenants.get("acme").unwrap().last_seq, 2);
        assert!(tenants.get("acme").unwrap().dirty);
    }

    #[test]
    fn bad_messages_are_rejected_with_a_reason_and_change_nothing() {
        let mut tenants = Tenants::new();
        tenants.apply(1, &create("acme"));
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"{not json".to_vec(), "malformed"),
            (hello("a.b", "2026-11-23T09:00:01Z"), "invalid_tenant"),
            (hello("nobody", "2026-11-23T09:00:01Z"), "unknown_tenant"),
            (create("acme"), "tenant_exists"),
            (
                msg(
                    "acme",
                    "2026-11-23T09:00:01Z",
                    json!({"type": "accept", "dialog": 9, "operator": "ann"}),
                ),
                "unknown_dialog",
            ),
            (
                msg("acme", "2026-11-23T09:00:01Z", json!({"type": "warp"})),
                "invalid_input",
            ),
            (
                msg(
                    "new",
                    "2026-11-23T09:00:01Z",
                    json!({"type": "create_tenant", "config": {"lines": "none"}}),
                ),
                "invalid_config",
            ),
        ];
        for (seq, (payload, reason)) in (2..).zip(cases) {
            let applied = tenants.apply(seq, &payload);
            assert_eq!(
                applied.rejection.as_ref().map(|r| r.reason.as_str()),
                Some(reason)
            );
            assert!(applied.actions.is_empty());
        }
        assert_eq!(tenants.len(), 1);
        assert!(
            tenants
                .get("acme")
                .unwrap()
                .engine
                .open_dialogs()
                .next()
                .is_none()
        );
    }

    #[test]
    fn replayed_sequences_are_ignored() {
        let mut tenants = Tenants::new();
        tenants.apply(1, &create("acme"));
        tenants.apply(2, &hello("acme", "2026-11-23T09:00:01Z"));
        let again = tenants.apply(2, &hello("acme", "2026-11-23T09:00:01Z"));
        assert!(again.actions.is_empty() && again.rejection.is_none() && again.tenant.is_none());
    }

    #[test]
    fn a_stale_tick_is_harmless_and_not_a_dead_letter() {
        let mut tenants = Tenants::new();
        tenants.apply(1, &create("acme"));
        tenants.apply(2, &hello("acme", "2026-11-23T09:00:05Z"));
        let tick = tenants.apply(
            3,
            &msg("acme", "2026-11-23T09:00:01Z", json!({"type": "tick"})),
        );
        assert!(tick.rejection.is_none() && tick.actions.is_empty());
        let late = tenants.apply(4, &hello("acme", "2026-11-23T09:00:01Z"));
        assert_eq!(late.rejection.unwrap().reason, "time_went_backwards");
    }

    #[test]
    fn restored_tenant_continues_exactly() {
        let mut a = Tenants::new();
        a.apply(1, &create("acme"));
        a.apply(2, &hello("acme", "2026-11-23T09:00:01Z"));
        let bytes = a.get("acme").unwrap().engine.snapshot_bytes();
        let mut b = Tenants::new();
        b.restore("acme".into(), Engine::restore_bytes(&bytes).unwrap(), 2);
        let later = msg("acme", "2026-11-23T09:10:00Z", json!({"type": "tick"}));
        let (x, y) = (a.apply(3, &later), b.apply(3, &later));
        assert!(!x.actions.is_empty());
        assert_eq!(x.actions, y.actions);
    }
}
