//! What a user's code can throw at the runtime: boxed errors and panic
//! payloads, turned into values every part can store and report.

use std::any::Any;

/// A boxed error from a user's action, cleanup step or worker.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A shared error: what [`FireError::ActionFailed`](crate::FireError::ActionFailed)
/// carries. Shared rather than boxed because dropping an `Arc` is a
/// decrement and a rare out-of-line call, while dropping a boxed `dyn
/// Error` is an indirect call with unwinding cleanup: that made the drop of
/// every `Result` of `fire` too large to inline, so a loop that discards
/// the results (`let _ = m.fire(e)`) wrote each one to memory and called its
/// drop, even for moves that cannot fail (BENCHMARKS.md, issue 13 item 3).
pub type SharedError = std::sync::Arc<dyn std::error::Error + Send + Sync + 'static>;

/// The text of a panic payload (`&str` or `String`), or a placeholder.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&'static str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        String::from("<non-string panic payload>")
    }
}
