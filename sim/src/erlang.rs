//! Erlang C: the M/M/c queue (Poisson arrivals, exponential handling, `c` servers,
//! first come first served) that call-centre staffing calculators use. The staffing
//! search is checked against it; it is also shown beside the simulated figures.

use crate::target::{Measure, Stat, Target};

/// Probability that an arrival waits, with `servers` servers and `load` Erlangs
/// (arrival rate times mean handling time). 1 when the queue is unstable.
pub fn wait_probability(servers: u32, load: f64) -> f64 {
    if load <= 0.0 {
        return 0.0;
    }
    if f64::from(servers) <= load {
        return 1.0;
    }
    // Erlang B by its stable recursion, then C from B.
    let mut b = 1.0;
    for n in 1..=servers {
        b = load * b / (f64::from(n) + load * b);
    }
    let c = f64::from(servers);
    c * b / (c - load * (1.0 - b))
}

/// Mean wait (seconds) of M/M/c; infinite when unstable.
pub fn mean_wait(servers: u32, rate_per_sec: f64, handling_secs: f64) -> f64 {
    let load = rate_per_sec * handling_secs;
    let spare = f64::from(servers) / handling_secs - rate_per_sec;
    if spare <= 0.0 {
        return f64::INFINITY;
    }
    wait_probability(servers, load) / spare
}

/// The wait (seconds) that a share `q` (0..1) of arrivals do not exceed.
pub fn wait_quantile(servers: u32, rate_per_sec: f64, handling_secs: f64, q: f64) -> f64 {
    let load = rate_per_sec * handling_secs;
    let spare = f64::from(servers) / handling_secs - rate_per_sec;
    if spare <= 0.0 {
        return f64::INFINITY;
    }
    let waits = wait_probability(servers, load);
    if waits <= 1.0 - q {
        0.0
    } else {
        (waits / (1.0 - q)).ln() / spare
    }
}

/// The fewest operators, each holding `per_operator` independent chats (M/M/(c·k)),
/// that meet a wait target: `None` for targets on first response (not a queue figure)
/// or when `max_operators` do not suffice.
pub fn operators_needed(
    rate_per_sec: f64,
    handling_secs: f64,
    per_operator: u32,
    target: &Target,
    max_operators: u32,
) -> Option<u32> {
    if target.measure != Measure::Wait {
        return None;
    }
    if rate_per_sec <= 0.0 {
        return Some(0);
    }
    (1..=max_operators).find(|&c| {
        let servers = c.saturating_mul(per_operator.max(1));
        let value = match target.stat {
            Stat::Mean => mean_wait(servers, rate_per_sec, handling_secs),
            Stat::Percentile(p) => {
                wait_quantile(servers, rate_per_sec, handling_secs, f64::from(p) / 100.0)
            }
        };
        target.met(value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_needed_for_targets() {
        let t = |s: &str| s.parse::<Target>().unwrap();
        // 300 chats an hour of 120 s: 10 Erlangs; p90 wait 60 s needs 13 servers.
        let rate = 300.0 / 3600.0;
        assert_eq!(
            operators_needed(rate, 120.0, 1, &t("p90_wait<=60s"), 100),
            Some(13)
        );
        assert_eq!(
            operators_needed(rate, 120.0, 2, &t("p90_wait<=60s"), 100),
            Some(7)
        );
        assert_eq!(
            operators_needed(rate, 120.0, 1, &t("mean_wait<=20s"), 100),
            Some(13)
        );
        assert_eq!(
            operators_needed(rate, 120.0, 1, &t("p90_wait<=60s"), 12),
            None
        );
        assert_eq!(
            operators_needed(rate, 120.0, 1, &t("first_response<=60s"), 100),
            None
        );
        assert_eq!(
            operators_needed(0.0, 120.0, 1, &t("p90_wait<=60s"), 100),
            Some(0)
        );
    }

    #[test]
    fn textbook_values() {
        // One server (M/M/1): P(wait) = utilisation, mean wait = rho / (mu - lambda).
        assert!((wait_probability(1, 0.5) - 0.5).abs() < 1e-12);
        assert!((mean_wait(1, 0.5 / 60.0, 60.0) - 60.0).abs() < 1e-9);
        // Two servers, 1 Erlang: C = 1/3.
        assert!((wait_probability(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
        // A classic table value: 10 Erlangs on 12 servers waits with probability 0.4494.
        assert!((wait_probability(12, 10.0) - 0.4494).abs() < 1e-4);
        assert_eq!(wait_probability(5, 5.0), 1.0);
        assert_eq!(wait_probability(5, 0.0), 0.0);
        assert_eq!(mean_wait(2, 1.0, 2.0), f64::INFINITY);
    }

    #[test]
    fn quantiles() {
        // M/M/1 at rho 0.5, mu = 1/60: P(W > t) = 0.5 exp(-t/120); the median is 0.
        let (rate, h) = (0.5 / 60.0, 60.0);
        assert_eq!(wait_quantile(1, rate, h, 0.5), 0.0);
        let p90 = wait_quantile(1, rate, h, 0.9);
        assert!((p90 - 120.0 * 5f64.ln()).abs() < 1e-9, "{p90}");
        // More servers never wait longer.
        let q = |c| wait_quantile(c, 10.0 / 60.0, 60.0, 0.9);
        assert!(q(11) > q(12) && q(12) > q(13) && q(10).is_infinite());
    }
}
