//! How long each phase of a run took (`xacct lint --timings`): where a large run's time goes,
//! told by the product itself rather than by a patched build, so that a slow organisation can
//! be reported with numbers and the bench can say which phase moved.

use std::time::{Duration, Instant};

/// Phases in the order they ran, each with its wall time.
#[derive(Clone, Debug, Default)]
pub struct Phases {
    entries: Vec<(&'static str, Duration)>,
}

impl Phases {
    /// Records that the phase `name` ran from `since` until now, and restarts `since`: the
    /// next phase begins where this one ended.
    pub fn mark(&mut self, name: &'static str, since: &mut Instant) {
        let now = Instant::now();
        self.entries.push((name, now - *since));
        *since = now;
    }

    /// Appends another run's phases (the workspace phases after the CLI's own).
    pub fn extend(&mut self, other: Phases) {
        self.entries.extend(other.entries);
    }

    /// The phases, in order.
    pub fn entries(&self) -> &[(&'static str, Duration)] {
        &self.entries
    }

    /// One line: `discover 39.2 ms, configs 19.8 ms, …, total 830.1 ms`.
    pub fn line(&self) -> String {
        let total: Duration = self.entries.iter().map(|(_, d)| *d).sum();
        let mut parts: Vec<String> = self
            .entries
            .iter()
            .map(|(name, d)| format!("{name} {:.1} ms", d.as_secs_f64() * 1e3))
            .collect();
        parts.push(format!("total {:.1} ms", total.as_secs_f64() * 1e3));
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_run_back_to_back_and_sum_to_the_total() {
        let mut phases = Phases::default();
        let mut since = Instant::now() - Duration::from_millis(5);
        phases.mark("walk", &mut since);
        let after_first = since;
        phases.mark("read", &mut since);
        assert!(since >= after_first);
        let names: Vec<&str> = phases.entries().iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["walk", "read"]);
        assert!(phases.entries()[0].1 >= Duration::from_millis(5));
        let line = phases.line();
        assert!(line.starts_with("walk "), "{line}");
        assert!(line.contains(", read "), "{line}");
        assert!(line.contains(" ms, total "), "{line}");
    }
}
