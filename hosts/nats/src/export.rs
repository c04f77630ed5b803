//! `export`: what a single-process replay needs to check the workers. Per tenant,
//! the inputs the stream holds for it, as a scenario file for `openlines replay`
//! (its config is the tenant's `create_tenant` record; the steps are its later
//! records, in stream order) with the stream sequence of each step, and the actions
//! the workers published, de-duplicated by their idempotency key (one body per line,
//! `{"tenant", "seq", "index", "action"}`, in no particular order).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use async_nats::jetstream::consumer::{DeliverPolicy, pull};
use clap::Args;
use futures_util::StreamExt;
use openlines::Engine;
use serde_json::{Value, json};

use crate::cluster::{Cluster, Result};
use crate::envelope::Envelope;
use crate::names::{DEAD_STREAM, INPUT_STREAM, OUTPUT_STREAM, valid_tenant};

/// Arguments of `export`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The directory to write (`DIR/TENANT.json`, `.seqs.json`, `.actions.jsonl`, `DIR/summary.json`).
    pub dir: PathBuf,
}

/// A tenant's inputs as a scenario.
#[derive(Debug, Default)]
struct TenantInputs {
    config: Value,
    steps: Vec<Value>,
    seqs: Vec<u64>,
}

/// A tenant's published actions (message bodies), de-duplicated by message id.
#[derive(Debug, Default)]
struct TenantActions {
    bodies: BTreeMap<String, bytes::Bytes>,
    raw: u64,
}

/// Run `export`.
pub async fn run(cluster: &Cluster, args: ExportArgs) -> Result<ExitCode> {
    std::fs::create_dir_all(&args.dir)?;
    let inputs = read_stream(cluster, INPUT_STREAM).await?;
    let outputs = read_stream(cluster, OUTPUT_STREAM).await?;
    let dead = read_stream(cluster, DEAD_STREAM).await?;
    let scenarios = scenarios(&inputs);
    let actions = actions(&outputs);
    for (tenant, t) in &scenarios {
        write_tenant(&args.dir, tenant, t, actions.get(tenant))?;
    }
    let mut reasons: BTreeMap<String, u64> = BTreeMap::new();
    for stored in &dead {
        let letter: Value = serde_json::from_slice(&stored.payload)?;
        *reasons
            .entry(letter["reason"].as_str().unwrap_or("?").to_owned())
            .or_default() += 1;
    }
    let raw: u64 = actions.values().map(|a| a.raw).sum();
    let unique: u64 = actions.values().map(|a| a.bodies.len() as u64).sum();
    let summary = json!({"inputs": inputs.len(), "tenants": scenarios.len(),
                         "actions_raw": raw, "actions_unique": unique,
                         "duplicates": raw - unique, "dead_letters": dead.len(),
                         "dead_reasons": reasons});
    std::fs::write(args.dir.join("summary.json"), summary.to_string())?;
    println!("{summary}");
    Ok(ExitCode::SUCCESS)
}

/// One stored message.
struct Stored {
    seq: u64,
    subject: String,
    id: Option<String>,
    payload: bytes::Bytes,
}

/// Every message of a stream, in order.
async fn read_stream(cluster: &Cluster, name: &str) -> Result<Vec<Stored>> {
    let mut stream = cluster.js.get_stream(name).await?;
    let last = stream.info().await?.state.last_sequence;
    let mut all = Vec::new();
    if last == 0 {
        return Ok(all);
    }
    let consumer = stream
        .create_consumer(pull::OrderedConfig {
            deliver_policy: DeliverPolicy::All,
            ..Default::default()
        })
        .await?;
    let mut messages = consumer.messages().await?;
    while let Some(message) = messages.next().await {
        let message = message?;
        let seq = message.info()?.stream_sequence;
        let id = message
            .headers
            .as_ref()
            .and_then(|h| h.get(async_nats::header::NATS_MESSAGE_ID))
            .map(|v| v.to_string());
        all.push(Stored {
            seq,
            subject: message.subject.to_string(),
            id,
            payload: message.payload.clone(),
        });
        if seq >= last {
            break;
        }
    }
    Ok(all)
}

/// Group the input stream by tenant with the host's rules: records before a valid
/// `create_tenant`, and later `create_tenant`s, are not the tenant's inputs.
fn scenarios(inputs: &[Stored]) -> BTreeMap<String, TenantInputs> {
    let mut tenants: BTreeMap<String, TenantInputs> = BTreeMap::new();
    for Stored { seq, payload, .. } in inputs {
        let Ok(envelope) = Envelope::parse(payload) else {
            continue;
        };
        if !valid_tenant(&envelope.tenant) {
            continue;
        }
        match tenants.get_mut(&envelope.tenant) {
            Some(t) if !envelope.is_create_tenant() => {
                t.steps
                    .push(json!({"at": envelope.at, "input": envelope.input}));
                t.seqs.push(*seq);
            }
            Some(_) => {}
            None if creates(&envelope) => {
                let config = envelope.input["config"].clone();
                tenants.insert(
                    envelope.tenant,
                    TenantInputs {
                        config,
                        ..TenantInputs::default()
                    },
                );
            }
            None => {}
        }
    }
    tenants
}

fn creates(envelope: &Envelope) -> bool {
    envelope.is_create_tenant()
        && serde_json::from_value(envelope.input["config"].clone())
            .ok()
            .is_some_and(|config| Engine::new(config).is_ok())
}

/// Group the output stream by tenant (the subject's last token), de-duplicated by
/// message id (tenant, sequence, index). Bodies stay as published.
fn actions(outputs: &[Stored]) -> BTreeMap<String, TenantActions> {
    let mut tenants: BTreeMap<String, TenantActions> = BTreeMap::new();
    for stored in outputs {
        let tenant = stored.subject.rsplit('.').next().unwrap_or_default();
        let t = tenants.entry(tenant.to_owned()).or_default();
        t.raw += 1;
        let id = stored
            .id
            .clone()
            .unwrap_or_else(|| format!("seq:{}", stored.seq));
        t.bodies.entry(id).or_insert_with(|| stored.payload.clone());
    }
    tenants
}

fn write_tenant(
    dir: &Path,
    tenant: &str,
    inputs: &TenantInputs,
    actions: Option<&TenantActions>,
) -> Result<()> {
    let scenario = json!({"description": format!("tenant {tenant} as the input stream holds it"),
                          "config": inputs.config, "steps": inputs.steps});
    std::fs::write(dir.join(format!("{tenant}.json")), scenario.to_string())?;
    std::fs::write(
        dir.join(format!("{tenant}.seqs.json")),
        serde_json::to_string(&inputs.seqs)?,
    )?;
    let mut lines = Vec::new();
    for body in actions.map(|a| a.bodies.values()).into_iter().flatten() {
        lines.extend_from_slice(body);
        lines.push(b'\n');
    }
    std::fs::write(dir.join(format!("{tenant}.actions.jsonl")), lines)?;
    Ok(())
}
