//! `openlines staff --shifts`: the hourly need as a rota of shifts with the fewest
//! operator-hours that covers every hour (an exact integer program, solved by
//! `good_lp` with the pure-Rust `microlp` branch and bound).
//!
//! A shift kind is a length in hours with an optional one-hour break at a fixed offset
//! from its start (`8h/b4`: eight hours, the fifth one off); it may start at any
//! allowed local hour, also before the first planned hour or running past the last
//! (its hours outside the plan still count as worked). Minimise the hours worked
//! (length minus the break) subject to: in every planned hour, the operators on shifts
//! that are on duty then are at least the hour's need.

use good_lp::{Expression, Solution, SolverModel, Variable, microlp, variable, variables};
use serde::Serialize;

/// A kind of shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ShiftKind {
    /// Length in hours, break included.
    pub hours: u32,
    /// Offset of the one-hour break from the start, if any.
    pub break_at: Option<u32>,
}

impl ShiftKind {
    /// Whether an operator on this shift works in its `k`-th hour.
    pub fn on_duty(&self, k: i64) -> bool {
        k >= 0 && k < i64::from(self.hours) && self.break_at.is_none_or(|b| i64::from(b) != k)
    }

    /// Hours worked.
    pub fn worked(&self) -> u32 {
        self.hours - u32::from(self.break_at.is_some())
    }
}

/// Parse `4h,8h/b4`: lengths in hours, each with an optional break offset.
pub fn parse_kinds(text: &str) -> Result<Vec<ShiftKind>, String> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (len, brk) = match part.split_once('/') {
            Some((l, b)) => (l, Some(b)),
            None => (part, None),
        };
        let hours: u32 = len
            .trim_end_matches('h')
            .parse()
            .ok()
            .filter(|h| (1..=24).contains(h))
            .ok_or_else(|| format!("\"{part}\": a shift is HOURSh (1 to 24), e.g. 8h or 8h/b4"))?;
        let break_at = match brk {
            None => None,
            Some(b) => Some(
                b.strip_prefix('b')
                    .and_then(|n| n.parse::<u32>().ok())
                    .filter(|&n| n >= 1 && n + 1 < hours)
                    .ok_or_else(|| {
                        format!(
                            "\"{part}\": a break is /bK, K hours after the start (1 to {})",
                            hours.saturating_sub(2)
                        )
                    })?,
            ),
        };
        out.push(ShiftKind { hours, break_at });
    }
    if out.is_empty() {
        return Err("--shifts: give at least one shift length, e.g. 4h,8h".to_owned());
    }
    Ok(out)
}

/// Parse allowed start hours: `8-12,14` (local hours 0-23).
pub fn parse_starts(text: &str) -> Result<Vec<u32>, String> {
    let mut out = Vec::new();
    let hour = |s: &str| {
        s.trim()
            .parse::<u32>()
            .ok()
            .filter(|h| *h < 24)
            .ok_or_else(|| format!("\"{s}\": a start hour is 0 to 23"))
    };
    for part in text.split(',').filter(|p| !p.trim().is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (hour(a)?, hour(b)?);
                if a > b {
                    return Err(format!("\"{part}\": the range runs backwards"));
                }
                out.extend(a..=b);
            }
            None => out.push(hour(part)?),
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Some operators starting one kind of shift at one hour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shift {
    /// Start, as an offset in hours from the first planned hour (may be negative).
    pub offset: i64,
    /// Local start hour (0-23).
    pub local_hour: u32,
    /// The kind.
    pub kind: ShiftKind,
    /// Operators on it.
    pub operators: u32,
}

/// The rota.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rota {
    /// The shifts used.
    pub shifts: Vec<Shift>,
    /// Operators on duty in each planned hour.
    pub coverage: Vec<u32>,
    /// Hours worked in total (breaks excluded).
    pub operator_hours: u32,
    /// The hourly need it covers (the plan, raised where the whole-day check of an
    /// earlier rota missed an hour).
    pub need: Vec<u32>,
}

/// The fewest operator-hours covering `need[h]` in every hour `h`; `first_local_hour`
/// is the local hour of `need[0]` (hours are consecutive); `starts` the allowed local
/// start hours (empty: any).
pub fn solve(
    need: &[u32],
    first_local_hour: u32,
    kinds: &[ShiftKind],
    starts: &[u32],
) -> Result<Rota, String> {
    let n = need.len() as i64;
    let local = |offset: i64| (i64::from(first_local_hour) + offset).rem_euclid(24) as u32;
    let mut candidates: Vec<(i64, ShiftKind)> = Vec::new();
    for kind in kinds {
        for offset in (1 - i64::from(kind.hours))..n {
            let covers_some = (0..n).any(|h| kind.on_duty(h - offset) && need[h as usize] > 0);
            if covers_some && (starts.is_empty() || starts.contains(&local(offset))) {
                candidates.push((offset, *kind));
            }
        }
    }
    for (h, &k) in need.iter().enumerate() {
        if k > 0
            && !candidates
                .iter()
                .any(|(o, kind)| kind.on_duty(h as i64 - o))
        {
            return Err(format!(
                "no allowed shift covers planned hour {} (local {:02}:00)",
                h + 1,
                local(h as i64)
            ));
        }
    }
    let most = need.iter().copied().max().unwrap_or(0);
    let mut vars = variables!();
    let x: Vec<Variable> = candidates
        .iter()
        .map(|_| vars.add(variable().integer().min(0).max(f64::from(most))))
        .collect();
    let cost: Expression = x
        .iter()
        .zip(&candidates)
        .map(|(v, (_, kind))| f64::from(kind.worked()) * *v)
        .sum();
    let mut model = vars.minimise(cost).using(microlp);
    for (h, &k) in need.iter().enumerate() {
        if k == 0 {
            continue;
        }
        let on: Expression = x
            .iter()
            .zip(&candidates)
            .filter(|(_, (o, kind))| kind.on_duty(h as i64 - o))
            .map(|(v, _)| *v)
            .sum();
        model = model.with(on.geq(f64::from(k)));
    }
    let solution = model.solve().map_err(|e| format!("shift rota: {e}"))?;
    let mut shifts = Vec::new();
    for (v, (offset, kind)) in x.iter().zip(&candidates) {
        let count = solution.value(*v).round();
        if count >= 1.0 {
            shifts.push(Shift {
                offset: *offset,
                local_hour: local(*offset),
                kind: *kind,
                operators: count as u32,
            });
        }
    }
    let coverage: Vec<u32> = (0..n)
        .map(|h| {
            shifts
                .iter()
                .filter(|s| s.kind.on_duty(h - s.offset))
                .map(|s| s.operators)
                .sum()
        })
        .collect();
    if coverage.iter().zip(need).any(|(c, k)| c < k) {
        return Err("shift rota: the solver's answer does not cover every hour".to_owned());
    }
    Ok(Rota {
        operator_hours: shifts.iter().map(|s| s.operators * s.kind.worked()).sum(),
        shifts,
        coverage,
        need: need.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fewest operator-hours by brute force over every combination (tiny cases).
    fn brute(need: &[u32], kinds: &[ShiftKind], starts: &[u32], first: u32) -> u32 {
        let n = need.len() as i64;
        let mut cands = Vec::new();
        for kind in kinds {
            for o in (1 - i64::from(kind.hours))..n {
                let local = (i64::from(first) + o).rem_euclid(24) as u32;
                if starts.is_empty() || starts.contains(&local) {
                    cands.push((o, *kind));
                }
            }
        }
        let most = *need.iter().max().unwrap_or(&0);
        let mut best = u32::MAX;
        let mut counts = vec![0u32; cands.len()];
        loop {
            let ok = (0..n).all(|h| {
                cands
                    .iter()
                    .zip(&counts)
                    .filter(|((o, k), _)| k.on_duty(h - o))
                    .map(|(_, c)| c)
                    .sum::<u32>()
                    >= need[h as usize]
            });
            if ok {
                let cost = cands
                    .iter()
                    .zip(&counts)
                    .map(|((_, k), c)| k.worked() * c)
                    .sum();
                best = best.min(cost);
            }
            let mut i = 0;
            while i < counts.len() {
                counts[i] += 1;
                if counts[i] <= most {
                    break;
                }
                counts[i] = 0;
                i += 1;
            }
            if i == counts.len() {
                return best;
            }
        }
    }

    #[test]
    fn parses_kinds_and_starts() {
        let k = parse_kinds("4h, 8h/b4").unwrap();
        assert_eq!(
            k[0],
            ShiftKind {
                hours: 4,
                break_at: None
            }
        );
        assert_eq!(
            k[1],
            ShiftKind {
                hours: 8,
                break_at: Some(4)
            }
        );
        assert_eq!(k[1].worked(), 7);
        assert!(!k[1].on_duty(4) && k[1].on_duty(3) && k[1].on_duty(7) && !k[1].on_duty(8));
        assert!(parse_kinds("0h").is_err());
        assert!(parse_kinds("8h/b7").is_err());
        assert_eq!(parse_starts("8-10,14").unwrap(), vec![8, 9, 10, 14]);
        assert!(parse_starts("10-8").is_err());
    }

    #[test]
    fn the_rota_covers_every_hour_with_the_fewest_hours() {
        // One-hour shifts can match any need: the bound sum(need) is reached.
        let need = [1, 2, 3, 2, 1];
        let kinds = parse_kinds("1h,3h").unwrap();
        let rota = solve(&need, 8, &kinds, &[]).unwrap();
        assert!(rota.coverage.iter().zip(&need).all(|(c, k)| c >= k));
        assert_eq!(rota.operator_hours, 9);
        // Two-hour shifts only: an odd total cannot be matched, one hour over.
        let rota = solve(&[1, 1, 1], 8, &parse_kinds("2h").unwrap(), &[]).unwrap();
        assert_eq!(rota.operator_hours, 4);
        assert_eq!(
            rota.operator_hours,
            brute(&[1, 1, 1], &parse_kinds("2h").unwrap(), &[], 8)
        );
    }

    #[test]
    fn starts_and_breaks_constrain_the_rota_and_it_stays_optimal() {
        let need = [1, 2, 2, 1, 3];
        for (kinds, starts) in [
            ("3h", vec![8, 10]),
            ("4h/b2,2h", vec![8, 9, 11]),
            ("5h/b2", vec![]),
        ] {
            let kinds = parse_kinds(kinds).unwrap();
            let rota = solve(&need, 8, &kinds, &starts).unwrap();
            assert!(
                rota.coverage.iter().zip(&need).all(|(c, k)| c >= k),
                "{rota:?}"
            );
            assert!(
                rota.shifts
                    .iter()
                    .all(|s| starts.is_empty() || starts.contains(&s.local_hour))
            );
            assert_eq!(
                rota.operator_hours,
                brute(&need, &kinds, &starts, 8),
                "{rota:?}"
            );
        }
        assert!(solve(&need, 8, &parse_kinds("3h").unwrap(), &[20]).is_err());
    }
}
