//! Time. The engine's clock is the stream's: every input carries its own `at`, and a
//! worker never feeds the engine a time of its own. Timers fire when the tenant's
//! next input arrives (`handle` fires what is due first) or on a tick input on the
//! stream. Producers may publish ticks; a worker publishes one for a tenant whose
//! deadline passed (by the wall clock) while its partition was idle, with the deadline
//! as the tick's `at` and an idempotency key, so two workers' ticks count once. The
//! tick then travels through the stream like any input: a replay sees it at the same
//! place and derives the same actions.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// When a worker puts a tick on the stream.
#[derive(Debug, Clone, Copy)]
pub struct TickPolicy {
    /// How long a deadline must be past, and the partition idle, before the tick is
    /// published; zero turns the worker's ticks off (producers tick themselves).
    pub after: Duration,
}

impl TickPolicy {
    /// Should a tick for `deadline` be published now? Not when ticks are off, not
    /// when one was already published for it, not before `after` has passed since
    /// the deadline and since the partition's last input.
    pub fn due(
        &self,
        deadline: DateTime<Utc>,
        already_published: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
        idle: Duration,
    ) -> bool {
        if self.after.is_zero() || already_published.is_some_and(|p| p >= deadline) {
            return false;
        }
        let after = chrono::Duration::from_std(self.after).unwrap_or(chrono::Duration::MAX);
        deadline + after <= now && idle >= self.after
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn ticks_once_after_the_deadline_and_an_idle_pause() {
        let policy = TickPolicy {
            after: Duration::from_secs(2),
        };
        let deadline = t("2026-11-23T09:00:00Z");
        let idle = Duration::from_secs(5);
        assert!(!policy.due(deadline, None, t("2026-11-23T09:00:01Z"), idle));
        assert!(policy.due(deadline, None, t("2026-11-23T09:00:02Z"), idle));
        assert!(!policy.due(deadline, Some(deadline), t("2026-11-23T09:00:09Z"), idle));
        assert!(!policy.due(
            deadline,
            None,
            t("2026-11-23T09:00:09Z"),
            Duration::from_secs(1)
        ));
    }

    #[test]
    fn zero_turns_ticks_off() {
        let policy = TickPolicy {
            after: Duration::ZERO,
        };
        let deadline = t("2026-11-23T09:00:00Z");
        assert!(!policy.due(deadline, None, t("2027-01-01T00:00:00Z"), Duration::MAX));
    }
}
