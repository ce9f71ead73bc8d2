//! One storage test suite, run against every backend, so that SQLite and PostgreSQL are held
//! to the same contract: the cases in [`cases`] take a `&dyn Store` and know nothing of the
//! backend; [`store_suite!`] writes one `#[tokio::test]` per case for a backend's fixture.
//! [`sample`] builds a small dataset that touches every field the schema must carry.
//!
//! This crate depends only on the domain and the `Store` trait; it must never depend on a
//! backend crate (the backends depend on it, as a dev-dependency).

pub mod cases;
pub mod sample;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chitieu_store::Store;

/// A boxed future, for teardowns and case closures.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A store made for one test, and what to do after the test, pass or fail (e.g. drop a
/// PostgreSQL database).
pub struct Fixture {
    pub store: Arc<dyn Store>,
    /// A second store on the same database (another process, another web instance), when the
    /// backend can open one: not for a private database in memory.
    pub other: Option<Arc<dyn Store>>,
    pub teardown: Option<BoxFuture<'static, ()>>,
}

impl Fixture {
    pub fn new(store: impl Store + 'static) -> Self {
        Fixture {
            store: Arc::new(store),
            other: None,
            teardown: None,
        }
    }
}

/// Runs one case on a fixture, then the fixture's teardown even if the case panicked, then
/// re-raises the panic. `None` means the backend is not available: the fixture has said why.
pub async fn run<C>(fixture: Option<Fixture>, case: C)
where
    C: for<'a> FnOnce(&'a dyn Store) -> BoxFuture<'a, ()> + Send + 'static,
{
    let Some(Fixture {
        store, teardown, ..
    }) = fixture
    else {
        return;
    };
    // A spawned task turns a panic into a JoinError, so the teardown still runs.
    let outcome = tokio::spawn(async move { case(store.as_ref()).await }).await;
    finish(outcome, teardown).await;
}

/// Runs the teardown, then re-raises the case's panic.
async fn finish(
    outcome: Result<(), tokio::task::JoinError>,
    teardown: Option<BoxFuture<'static, ()>>,
) {
    if let Some(teardown) = teardown {
        teardown.await;
    }
    if let Err(e) = outcome {
        match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(e) => panic!("test task failed: {e}"),
        }
    }
}

/// [`run`] for a case of two stores on one database; a fixture without a second store says
/// the case was skipped.
pub async fn run_pair<C>(fixture: Option<Fixture>, case: C)
where
    C: for<'a> FnOnce(&'a dyn Store, &'a dyn Store) -> BoxFuture<'a, ()> + Send + 'static,
{
    let Some(Fixture {
        store,
        other,
        teardown,
    }) = fixture
    else {
        return;
    };
    let Some(other) = other else {
        eprintln!("skipped: this store cannot be opened twice");
        if let Some(teardown) = teardown {
            teardown.await;
        }
        return;
    };
    let outcome = tokio::spawn(async move { case(store.as_ref(), other.as_ref()).await }).await;
    finish(outcome, teardown).await;
}

/// Writes one `#[tokio::test]` per case of [`cases`] for the backend whose fixture the
/// `async fn() -> Option<Fixture>` given makes. The calling crate needs `tokio` with the
/// `macros` and `rt-multi-thread` features.
///
/// ```ignore
/// async fn fixture() -> Option<chitieu_store_tests::Fixture> { ... }
/// chitieu_store_tests::store_suite!(fixture);
/// ```
#[macro_export]
macro_rules! store_suite {
    ($fixture:path) => {
        $crate::store_suite!(@cases $fixture;
            empty_store_loads_empty,
            import_then_load_roundtrips,
            insertion_order_preserved,
            import_extends_what_is_stored,
            reimport_adds_nothing,
            conflicting_reimport_refused,
            invalid_bundle_refused,
            late_invalid_entity_writes_nothing,
            database_error_rolls_back,
            add_observations_appends_and_skips_duplicates,
            add_observations_unknown_unit_refused,
            observation_history_kept,
            decimals_exact,
            dates_roundtrip,
            concurrent_imports_add_once,
            failed_import_releases_write_lock,
            backend_is_named,
            stream_import_appends_skips_duplicates_keeps_history,
            stream_import_refuses_late_unknown_unit_whole,
            stream_import_source_error_writes_nothing,
            stream_import_wide_decimals_round_trip,
            stream_import_into_empty_store,
            load_figures_chooses_the_figure_in_force,
            judgement_from_bulk_read_equals_whole_dataset,
            load_figures_of_some_units_and_indicators,
            every_write_raises_the_revision,
            add_observations_merges_as_the_whole_dataset_would,
            review_text_saved_replaced_and_removed,
        );
        $crate::store_suite!(@pairs $fixture;
            another_instances_write_raises_the_revision,
        );
    };
    (@pairs $fixture:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                $crate::run_pair($fixture().await, |store, other| {
                    Box::pin($crate::cases::$case(store, other))
                })
                .await;
            }
        )*
    };
    (@cases $fixture:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                $crate::run($fixture().await, |store| Box::pin($crate::cases::$case(store))).await;
            }
        )*
    };
}
