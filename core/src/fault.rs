//! What a user's code can throw at the runtime: boxed errors and panic
//! payloads, turned into values every part can store and report.

use std::any::Any;

/// A boxed error from a user's action, cleanup step or worker.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

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
