//! The handle of the heartbeat monitor thread (its loop lives with the
//! failure handling in `supervise.rs`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;

use super::worker::WorkerId;

/// The running monitor thread: its stop flag and its handle, which gives
/// back the exit receiver when the thread ends.
pub(super) struct Monitor {
    stop: Arc<AtomicBool>,
    handle: JoinHandle<Option<Receiver<WorkerId>>>,
}

impl Monitor {
    pub(super) fn new(
        stop: Arc<AtomicBool>,
        handle: JoinHandle<Option<Receiver<WorkerId>>>,
    ) -> Self {
        Monitor { stop, handle }
    }

    /// Whether the thread is still running.
    pub(super) fn is_running(&self) -> bool {
        !self.handle.is_finished()
    }

    /// Joins the thread; its exit receiver, unless it was lost.
    pub(super) fn join(self) -> Option<Receiver<WorkerId>> {
        self.handle.join().ok().flatten()
    }

    /// Asks the thread to end and wakes it (a dummy exit notice).
    pub(super) fn signal(&self, exits: &Sender<WorkerId>) {
        self.stop.store(true, Ordering::Release);
        let _ = exits.send(WorkerId(u32::MAX));
    }
}
