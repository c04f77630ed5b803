//! Publishing with idempotency keys, pipelined: messages go out at once and their
//! acknowledgements are collected later (before a checkpoint, or when too many are
//! outstanding). A message whose acknowledgement fails is sent again with the same
//! key, so JetStream stores it once.

use std::collections::VecDeque;
use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream::{self, context::PublishAckFuture};
use bytes::Bytes;

use crate::cluster::Result;

/// One message and its idempotency key.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// Subject.
    pub subject: String,
    /// `Nats-Msg-Id`; `None` publishes without one.
    pub id: Option<String>,
    /// Body.
    pub payload: Bytes,
}

/// Counts of what the server said about the published messages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Stored.
    pub stored: u64,
    /// Dropped by the server as a duplicate of an earlier message with the same key.
    pub duplicates: u64,
}

/// A sliding window of messages whose acknowledgements are not collected yet.
pub struct Publisher {
    js: jetstream::Context,
    window: VecDeque<(Outgoing, PublishAckFuture)>,
    limit: usize,
    /// Totals so far.
    pub counts: Counts,
}

impl Publisher {
    /// A publisher that keeps at most `limit` acknowledgements outstanding.
    pub fn new(js: jetstream::Context, limit: usize) -> Self {
        Publisher {
            js,
            window: VecDeque::new(),
            limit: limit.max(1),
            counts: Counts::default(),
        }
    }

    /// Send a message; when the window is full, first collect its oldest acknowledgement
    /// (the others stay in flight: the pipeline never drains).
    pub async fn send(&mut self, message: Outgoing) -> Result<()> {
        if self.window.len() >= self.limit {
            self.collect_oldest().await?;
        }
        let ack = self.start(&message).await?;
        self.window.push_back((message, ack));
        Ok(())
    }

    /// Wait until every message sent so far is stored (or known to be a duplicate).
    pub async fn flush(&mut self) -> Result<()> {
        while !self.window.is_empty() {
            self.collect_oldest().await?;
        }
        Ok(())
    }

    async fn collect_oldest(&mut self) -> Result<()> {
        let Some((message, ack)) = self.window.pop_front() else {
            return Ok(());
        };
        match ack.await {
            Ok(ack) => self.count(ack.duplicate),
            Err(_) => self.resend(&message).await?,
        }
        Ok(())
    }

    fn count(&mut self, duplicate: bool) {
        if duplicate {
            self.counts.duplicates += 1;
        } else {
            self.counts.stored += 1;
        }
    }

    async fn start(&self, message: &Outgoing) -> Result<PublishAckFuture> {
        let mut headers = HeaderMap::new();
        if let Some(id) = &message.id {
            headers.insert(async_nats::header::NATS_MESSAGE_ID, id.as_str());
        }
        let subject = message.subject.clone();
        Ok(self
            .js
            .publish_with_headers(subject, headers, message.payload.clone())
            .await?)
    }

    /// Send one message again until the server stores it (bounded: about a minute,
    /// enough for a server restart).
    async fn resend(&mut self, message: &Outgoing) -> Result<()> {
        let mut last_error = None;
        for attempt in 0..120u32 {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            match self.start(message).await {
                Ok(ack) => match ack.await {
                    Ok(ack) => {
                        self.count(ack.duplicate);
                        return Ok(());
                    }
                    Err(e) => last_error = Some(e.to_string()),
                },
                Err(e) => last_error = Some(e.to_string()),
            }
            crate::log::event(
                "publish_retry",
                serde_json::json!({"subject": message.subject, "attempt": attempt,
                                   "error": last_error}),
            );
        }
        Err(format!(
            "cannot publish to {}: {}",
            message.subject,
            last_error.unwrap_or_default()
        )
        .into())
    }
}
