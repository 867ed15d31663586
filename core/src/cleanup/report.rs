//! The result of a cleanup: one row per step.

use core::fmt;
use std::time::Duration;

use crate::recovery::StepOutcome;

/// What the step's verification said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Verification {
    /// The check passed.
    Passed,
    /// The check returned an error or panicked.
    Failed,
    /// The step declares no check.
    NotDeclared,
    /// The check did not run (the step was skipped or timed out).
    NotRun,
}

impl Verification {
    /// Notes a failed verification of a step that ended with `outcome`: a
    /// clean step becomes [`StepOutcome::Unverified`], and `problem` joins
    /// the step's context. Blocking and async cleanup report it alike.
    pub(crate) fn failed(
        outcome: &mut StepOutcome,
        context: &mut Option<String>,
        problem: String,
    ) -> Verification {
        if *outcome == StepOutcome::Ok {
            *outcome = StepOutcome::Unverified;
        }
        *context = Some(match context.take() {
            Some(first) => format!("{first}; {problem}"),
            None => problem,
        });
        Verification::Failed
    }
}

impl fmt::Display for Verification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verification::Passed => "passed",
            Verification::Failed => "failed",
            Verification::NotDeclared => "none",
            Verification::NotRun => "not run",
        })
    }
}

/// One row of a [`CleanupReport`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StepReport {
    /// The step's name.
    pub name: String,
    /// The component the step belongs to, if it was named.
    pub component: Option<String>,
    /// How the step ended.
    pub outcome: StepOutcome,
    /// What its verification said.
    pub verification: Verification,
    /// How long it ran (for a timed-out step: its timeout).
    pub duration: Duration,
    /// The error, panic message, or reason for a timeout or skip.
    pub context: Option<String>,
}

/// The result of [`CleanupCoordinator::cleanup`](crate::cleanup::CleanupCoordinator::cleanup):
/// one row per registered step that has finished, in the order they finished.
///
/// Print it (`{}` gives a table), match on the rows, or serialize it with
/// the `serde` feature.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CleanupReport {
    /// The rows, in the order the steps finished.
    pub steps: Vec<StepReport>,
}

impl CleanupReport {
    /// The row of the step named `name`.
    pub fn get(&self, name: &str) -> Option<&StepReport> {
        self.steps.iter().find(|row| row.name == name)
    }

    /// The outcome of the step named `name`.
    pub fn outcome(&self, name: &str) -> Option<StepOutcome> {
        self.get(name).map(|row| row.outcome)
    }

    /// Whether every step finished [`Ok`](StepOutcome::Ok).
    pub fn is_clean(&self) -> bool {
        self.steps.iter().all(|row| row.outcome.is_ok())
    }

    /// The rows that did not finish `Ok`.
    pub fn problems(&self) -> impl Iterator<Item = &StepReport> {
        self.steps.iter().filter(|row| !row.outcome.is_ok())
    }

    /// How many steps ended with `outcome`.
    pub fn count(&self, outcome: StepOutcome) -> usize {
        self.steps
            .iter()
            .filter(|row| row.outcome == outcome)
            .count()
    }
}

impl fmt::Display for CleanupReport {
    /// A table: step, outcome, verification, duration, context.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .steps
            .iter()
            .map(|row| row.name.len())
            .chain([4])
            .max()
            .unwrap_or(4);
        writeln!(
            f,
            "{:<width$}  {:<10}  {:<12}  {:>10}  context",
            "step", "outcome", "verification", "duration"
        )?;
        for row in &self.steps {
            writeln!(
                f,
                "{:<width$}  {:<10}  {:<12}  {:>10}  {}",
                row.name,
                row.outcome.name(),
                row.verification.to_string(),
                format!("{:.1?}", row.duration),
                row.context.as_deref().unwrap_or("")
            )?;
        }
        write!(
            f,
            "{} steps, {} ok, {} with problems",
            self.steps.len(),
            self.count(StepOutcome::Ok),
            self.problems().count()
        )
    }
}
