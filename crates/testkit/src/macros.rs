//! The macro that runs one test body on both engines.

/// Runs each async test fn on SQLite and on PostgreSQL.
///
/// Keeps the fn as written and adds a module of the same name (modules and fns live in
/// different namespaces) holding two tests, so they read `name::sqlite` and
/// `name::postgres`. The fn takes the [`Backend`](crate::Backend) and may return a
/// `Result`, which the tests then return.
///
/// ```ignore
/// use doorstep_testkit::{Backend, both_backends, fresh_database};
///
/// both_backends! {
///     /// Running the migrations twice changes nothing.
///     async fn migrations_are_idempotent(backend: Backend) {
///         let db = fresh_database(backend).await;
///         // ...
///     }
/// }
/// ```
#[macro_export]
macro_rules! both_backends {
    ($(
        $(#[$meta:meta])*
        $vis:vis async fn $name:ident($backend:ident : $backend_ty:ty) $(-> $ret:ty)? $body:block
    )*) => {$(
        $(#[$meta])*
        $vis async fn $name($backend: $backend_ty) $(-> $ret)? $body

        mod $name {
            // `#[tokio::test]` expands to paths starting with `tokio::`; this makes them
            // resolve to the kit's tokio, whatever the caller depends on or renames.
            use $crate::__tokio as tokio;
            // So that a return type naming the caller's imports resolves here too.
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() $(-> $ret)? {
                super::$name($crate::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() $(-> $ret)? {
                super::$name($crate::Backend::Postgres).await
            }
        }
    )*};
}
