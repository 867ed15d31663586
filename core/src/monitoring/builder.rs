//! The typestate builder of the [`MonitoringCoordinator`]: each stage offers
//! only the next part, so the init order cannot be broken.

use super::{MonitoringCoordinator, MonitoringError};
use crate::buffer::BufferManager;
use crate::coordinator::{ComponentCoordinator, CoordinatorConfig};
use crate::pool::{ResourcePool, ResourcePoolBuilder};

/// The first stage: nothing built; next, the pool.
#[derive(Debug, Default)]
#[must_use]
pub struct MonitoringBuilder {
    _private: (),
}

/// The second stage: the pool exists; next, the component coordinator.
#[derive(Debug)]
#[must_use]
pub struct WithPool {
    pool: ResourcePool,
}

/// The third stage: pool and component coordinator exist; next, the buffers.
#[derive(Debug)]
#[must_use]
pub struct WithComponents {
    pool: ResourcePool,
    components: ComponentCoordinator,
}

impl MonitoringBuilder {
    /// Creates the pool the system owns.
    pub fn pool(self, pool: ResourcePoolBuilder) -> Result<WithPool, MonitoringError> {
        Ok(WithPool {
            pool: pool.build()?,
        })
    }
}

impl WithPool {
    /// Builds the component coordinator, injecting the pool.
    pub fn components(self, config: CoordinatorConfig) -> WithComponents {
        let components = ComponentCoordinator::new(self.pool.clone(), config);
        WithComponents {
            pool: self.pool,
            components,
        }
    }
}

impl WithComponents {
    /// Builds the buffer manager of `buffer_size`-byte buffers on the pool's
    /// byte budget, and finishes the system.
    pub fn buffers(self, buffer_size: usize) -> Result<MonitoringCoordinator, MonitoringError> {
        let buffers = BufferManager::new(&self.pool, buffer_size)?;
        Ok(MonitoringCoordinator::assemble(
            self.pool,
            self.components,
            buffers,
        ))
    }
}
