//! Why a dashboard could not start: [`DashboardError`].

/// Why [`DashboardBuilder::serve`](crate::DashboardBuilder::serve) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DashboardError {
    /// The address could not be bound.
    #[error("could not bind the dashboard to {address}: {source}")]
    Bind {
        /// The address asked for.
        address: String,
        /// Why.
        source: std::io::Error,
    },
    /// The dashboard's runtime or thread could not be started.
    #[error("could not start the dashboard's runtime: {0}")]
    Runtime(std::io::Error),
}
