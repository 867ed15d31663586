//! Saturating time arithmetic for durations a user supplies: a timeout or an
//! interval of `Duration::MAX` means "never", not a panic.

use std::time::{Duration, Instant};

/// The instant `after` from `start`, or the latest instant this platform can
/// represent near that when the sum would overflow (centuries away).
pub(crate) fn saturating_instant(start: Instant, after: Duration) -> Instant {
    if let Some(deadline) = start.checked_add(after) {
        return deadline;
    }
    // Find the largest representable step, halving from `after`.
    let mut step = after;
    let mut deadline = start;
    while !step.is_zero() {
        match deadline.checked_add(step) {
            Some(later) => deadline = later,
            None => step /= 2,
        }
    }
    deadline
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_maximal_duration_saturates() {
        let now = Instant::now();
        let far = saturating_instant(now, Duration::MAX);
        assert!(far > now + Duration::from_secs(3600 * 24 * 365));
        assert_eq!(
            saturating_instant(now, Duration::from_secs(1)),
            now + Duration::from_secs(1)
        );
    }
}
