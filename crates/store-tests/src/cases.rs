//! The cases. Each takes a fresh, empty store and panics on failure.

use chitieu_domain::*;
use chitieu_store::{Counts, ImportSummary, Store, StoreError};
use chrono::NaiveDate;

use crate::sample::{self, date, dec, observation};

async fn load(store: &dyn Store) -> Dataset {
    store
        .load()
        .await
        .unwrap_or_else(|e| panic!("load failed: {e}"))
}

async fn import(store: &dyn Store, data: &Dataset) -> ImportSummary {
    store
        .import(data)
        .await
        .unwrap_or_else(|e| panic!("import failed: {e}"))
}

/// Compares collection by collection so that a failure names what differs.
fn assert_same(got: &Dataset, want: &Dataset) {
    assert_eq!(got.units, want.units, "units");
    assert_eq!(got.terms, want.terms, "terms");
    assert_eq!(got.resolutions, want.resolutions, "resolutions");
    assert_eq!(got.indicators, want.indicators, "indicators");
    assert_eq!(got.targets, want.targets, "targets");
    assert_eq!(got.adjustments, want.adjustments, "adjustments");
    assert_eq!(got.documents, want.documents, "documents");
    assert_eq!(got.tasks, want.tasks, "tasks");
    assert_eq!(got.reorganisations, want.reorganisations, "reorganisations");
    assert_eq!(got.observations, want.observations, "observations");
    assert_eq!(
        sample::decimal_texts(got),
        sample::decimal_texts(want),
        "decimal scales"
    );
    assert_eq!(got, want);
}

fn invalid(result: Result<ImportSummary, StoreError>) -> Vec<ValidationError> {
    match result {
        Err(StoreError::Invalid(errors)) => {
            assert!(!errors.is_empty(), "Invalid with no errors");
            errors
        }
        Err(other) => panic!("expected StoreError::Invalid, got {other:?}"),
        Ok(summary) => panic!("expected a refusal, but the store accepted it: {summary}"),
    }
}

fn location(collection: &'static str, index: usize, field: &'static str) -> Location {
    Location {
        collection,
        index,
        field,
    }
}

pub async fn empty_store_loads_empty(store: &dyn Store) {
    assert_eq!(load(store).await, Dataset::default());
    let summary = import(store, &Dataset::default()).await;
    assert_eq!(summary, ImportSummary::default());
    assert!(summary.is_noop());
    assert_eq!(load(store).await, Dataset::default());
}

/// Every field of every entity comes back as it went in.
pub async fn import_then_load_roundtrips(store: &dyn Store) {
    let data = sample::sample();
    assert!(
        data.validate().is_empty(),
        "the sample must be valid: {:?}",
        data.validate()
    );
    // What the sample must hold for this to cover the schema.
    let kinds: Vec<ReorganisationKind> = data.reorganisations.iter().map(|r| r.kind).collect();
    assert!(ReorganisationKind::ALL.iter().all(|k| kinds.contains(k)));
    assert!(data
        .reorganisations
        .iter()
        .any(|r| r.kind == ReorganisationKind::Split
            && r.parts
                .iter()
                .map(|p| p.share.to_string())
                .eq(["0.6", "0.40"])));
    assert!(data.targets.iter().any(|t| t.allocated_from.is_some()));
    let ops: Vec<CompareOp> = data
        .indicators
        .iter()
        .filter_map(|i| match i.aggregation {
            Aggregation::CountWhere { op, .. } => Some(op),
            _ => None,
        })
        .collect();
    assert_eq!(ops, CompareOp::ALL);
    let summary = import(store, &data).await;
    assert_eq!(summary.added, Counts::of(&data));
    assert_eq!(summary.skipped, Counts::default());
    assert_same(&load(store).await, &data);
}

/// Each collection comes back in insertion order, not key order, across imports; a child
/// may come before its parent.
pub async fn insertion_order_preserved(store: &dyn Store) {
    let mut first = Dataset::default();
    for (id, parent) in [
        ("z-child", Some("m-parent")),
        ("m-parent", None),
        ("a-root", None),
    ] {
        first.units.push(sample::unit(
            id,
            &format!("Đơn vị {id}"),
            Level::Commune,
            parent,
        ));
    }
    import(store, &first).await;
    let mut second = Dataset::default();
    for id in ["b", "y", "c"] {
        second
            .units
            .push(sample::unit(id, "Đơn vị", Level::Village, Some("a-root")));
    }
    import(store, &second).await;
    let ids: Vec<String> = load(store).await.units.into_iter().map(|u| u.id).collect();
    assert_eq!(ids, ["z-child", "m-parent", "a-root", "b", "y", "c"]);

    let mut third = sample::sample();
    third.targets.reverse();
    third.documents.reverse();
    third.reorganisations.reverse();
    third.observations.reverse();
    import(store, &third).await;
    let got = load(store).await;
    assert_eq!(got.targets, third.targets);
    assert_eq!(got.documents, third.documents);
    assert_eq!(got.reorganisations, third.reorganisations);
    assert_eq!(got.observations, third.observations);
}

/// A bundle may refer to what an earlier import stored.
pub async fn import_extends_what_is_stored(store: &dyn Store) {
    let base = sample::base();
    assert_eq!(import(store, &base).await.added, Counts::of(&base));
    let rest = sample::rest();
    let summary = import(store, &rest).await;
    assert_eq!(summary.added, Counts::of(&rest));
    assert_same(&load(store).await, &sample::sample());
}

pub async fn reimport_adds_nothing(store: &dyn Store) {
    let data = sample::sample();
    import(store, &data).await;
    let summary = import(store, &data).await;
    assert!(summary.is_noop(), "re-import added {}", summary.added);
    assert_eq!(summary.skipped, Counts::of(&data));
    // A partial re-import of what is there is skipped too.
    let summary = import(store, &sample::base()).await;
    assert_eq!(summary.skipped, Counts::of(&sample::base()));
    assert_same(&load(store).await, &data);
}

/// Same key, other content: refused, pointing at the entity, and nothing changes.
pub async fn conflicting_reimport_refused(store: &dyn Store) {
    let data = sample::sample();
    import(store, &data).await;
    let before = load(store).await;

    let mut changed = data.clone();
    changed.units[1].name = "Huyện Lục Ngạn (mới)".into();
    // Something genuinely new in the same bundle must not land either.
    changed.units.push(sample::unit(
        "new-unit",
        "Đơn vị mới",
        Level::Commune,
        Some("luc-ngan"),
    ));
    let errors = invalid(store.import(&changed).await);
    assert_eq!(errors[0].location, location("units", 1, "id"), "{errors:?}");
    assert_same(&load(store).await, &before);

    let mut changed = data.clone();
    changed.targets[0].milestones[1].value = dec("40.56");
    let errors = invalid(store.import(&changed).await);
    assert_eq!(
        errors[0].location,
        location("targets", 0, "code"),
        "{errors:?}"
    );
    assert_same(&load(store).await, &before);

    let mut changed = data.clone();
    changed.reorganisations[1].parts[0].share = dec("0.5");
    changed.reorganisations[1].parts[1].share = dec("0.5");
    let errors = invalid(store.import(&changed).await);
    assert_eq!(
        errors[0].location,
        location("reorganisations", 1, "id"),
        "{errors:?}"
    );
    assert_same(&load(store).await, &before);
}

/// A broken reference: refused with its location, nothing written.
pub async fn invalid_bundle_refused(store: &dyn Store) {
    let mut data = sample::sample();
    data.targets[2].indicator = "no_such_indicator".into();
    let errors = invalid(store.import(&data).await);
    assert!(
        errors
            .iter()
            .any(|e| e.location == location("targets", 2, "indicator")),
        "{errors:?}"
    );
    assert_eq!(load(store).await, Dataset::default());
}

/// The first half of the bundle is fine and only its last entity is wrong: the units,
/// terms and everything before it must not be written.
pub async fn late_invalid_entity_writes_nothing(store: &dyn Store) {
    let mut data = sample::sample();
    let last = data.observations.len() - 1;
    data.observations[last].unit = "khong-ton-tai".into();
    let errors = invalid(store.import(&data).await);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].location, location("observations", last, "unit"));
    let stored = load(store).await;
    assert!(
        stored.units.is_empty(),
        "units were written: {:?}",
        stored.units
    );
    assert_eq!(stored, Dataset::default());

    // The same on a store that already holds data.
    import(store, &sample::base()).await;
    let mut rest = sample::rest();
    rest.units
        .push(sample::unit("late", "Đơn vị", Level::Village, None));
    let n = rest.documents.len();
    rest.documents[n - 1]
        .targets
        .push("luc-ngan-xxiv/KHONG".into());
    invalid(store.import(&rest).await);
    assert_same(&load(store).await, &sample::base());
}

/// The domain accepts the bundle but the database refuses a row written after others (a
/// period whose text could never be read back): the transaction rolls back whole.
pub async fn database_error_rolls_back(store: &dyn Store) {
    let mut data = sample::sample();
    assert!(data.validate().is_empty());
    let last = data.observations.len() - 1;
    data.observations[last].period = Period::Year(12345);
    match store.import(&data).await {
        Err(StoreError::Database { .. }) => {}
        other => panic!("expected a database error, got {other:?}"),
    }
    assert_eq!(load(store).await, Dataset::default());

    import(store, &sample::base()).await;
    let mut obs = vec![observation(
        "luc-ngan",
        "forest_area",
        "2019",
        "1",
        Standing::Final,
        ReviewState::Approved,
        None,
    )];
    obs.push(Observation {
        period: Period::Month(2019, 13),
        ..obs[0].clone()
    });
    assert!(store.add_observations(&obs).await.is_err());
    assert_same(&load(store).await, &sample::base());
}

pub async fn add_observations_appends_and_skips_duplicates(store: &dyn Store) {
    let data = sample::sample();
    import(store, &data).await;
    let new = vec![
        observation(
            "bac-giang",
            "forest_cover",
            "2019",
            "41.35",
            Standing::Preliminary,
            ReviewState::Submitted,
            None,
        ),
        data.observations[0].clone(),
        Observation {
            source: Some("Phiếu báo cáo".into()),
            ..observation(
                "kim",
                "new_members",
                "2019-Q3",
                "25",
                Standing::Final,
                ReviewState::Approved,
                Some(date(2019, 10, 5)),
            )
        },
    ];
    let summary = store
        .add_observations(&new)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        summary.added,
        Counts {
            observations: 2,
            ..Counts::default()
        }
    );
    assert_eq!(
        summary.skipped,
        Counts {
            observations: 1,
            ..Counts::default()
        }
    );
    let mut want = data;
    want.observations.push(new[0].clone());
    want.observations.push(new[2].clone());
    assert_same(&load(store).await, &want);

    let summary = store
        .add_observations(&[])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(summary.is_noop());
}

pub async fn add_observations_unknown_unit_refused(store: &dyn Store) {
    import(store, &sample::sample()).await;
    let before = load(store).await;
    let obs = [
        observation(
            "luc-ngan",
            "forest_cover",
            "2019",
            "41",
            Standing::Final,
            ReviewState::Approved,
            None,
        ),
        observation(
            "ha-noi",
            "forest_cover",
            "2019",
            "41",
            Standing::Final,
            ReviewState::Approved,
            None,
        ),
        observation(
            "luc-ngan",
            "gdp",
            "2019",
            "41",
            Standing::Final,
            ReviewState::Approved,
            None,
        ),
    ];
    let errors = invalid(store.add_observations(&obs).await);
    assert_eq!(
        errors
            .iter()
            .map(|e| e.location.clone())
            .collect::<Vec<_>>(),
        [
            location("observations", 1, "unit"),
            location("observations", 2, "indicator")
        ]
    );
    assert_same(&load(store).await, &before);
}

/// A later figure for the same unit, indicator and period does not replace the earlier one.
pub async fn observation_history_kept(store: &dyn Store) {
    import(store, &sample::base()).await;
    let estimate = observation(
        "luc-ngan",
        "forest_area",
        "2018",
        "12000.5",
        Standing::Estimate,
        ReviewState::Approved,
        Some(date(2018, 11, 20)),
    );
    let final_ = Observation {
        value: dec("12010.25"),
        standing: Standing::Final,
        reported: Some(date(2019, 3, 15)),
        ..estimate.clone()
    };
    let bundle = Dataset {
        observations: vec![estimate.clone(), final_.clone()],
        ..Dataset::default()
    };
    assert_eq!(import(store, &bundle).await.added.observations, 2);
    // Same figure reported again on another date: another version, kept.
    let again = Observation {
        reported: Some(date(2019, 4, 1)),
        ..final_.clone()
    };
    assert_eq!(
        store
            .add_observations(std::slice::from_ref(&again))
            .await
            .map(|s| s.added.observations)
            .ok(),
        Some(1)
    );
    let got = load(store).await.observations;
    assert_eq!(got, [estimate, final_, again]);
}

/// Decimals come back exactly, with the scale they were written with: `0.30` stays `0.30`
/// and is not turned into `0.3` or `0.29999999999999998`.
pub async fn decimals_exact(store: &dyn Store) {
    import(store, &sample::base()).await;
    let texts = [
        "1234567890123.456789",
        "0.1",
        "0.2",
        "0.30",
        "0.3",
        "-2.50",
        "0",
        "0.000",
        "100",
        "1E+2",
        "79228162514264337593543950335",
        "-79228162514264337593543950335",
        "0.0000000000000000000000000001",
        "7.9228162514264337593543950335",
        "49.7",
        "98.000",
    ];
    let mut obs = Vec::new();
    for t in texts {
        // "1E+2" is written in scientific notation; from_scientific gives 100.
        let value = if t.contains('E') {
            Decimal::from_scientific(t).unwrap_or_else(|e| panic!("{e}"))
        } else {
            dec(t)
        };
        obs.push(Observation {
            value,
            ..observation(
                "luc-ngan",
                "forest_area",
                "2019",
                "0",
                Standing::Final,
                ReviewState::Approved,
                None,
            )
        });
    }
    let sum = dec("0.1") + dec("0.2");
    obs.push(Observation {
        value: sum,
        ..obs[0].clone()
    });
    store
        .add_observations(&obs)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let got = load(store).await.observations;
    let want: Vec<String> = obs.iter().map(|o| o.value.to_string()).collect();
    let got_texts: Vec<String> = got.iter().map(|o| o.value.to_string()).collect();
    assert_eq!(got_texts, want);
    assert_eq!(
        got.last().map(|o| o.value.to_string()).as_deref(),
        Some("0.3")
    );
    assert_eq!(got, obs);
}

pub async fn dates_roundtrip(store: &dyn Store) {
    let dates = [
        date(1, 1, 1),
        date(1900, 2, 28),
        date(2000, 2, 29),
        date(2025, 7, 1),
        date(9999, 12, 31),
    ];
    let mut data = Dataset::default();
    for (i, d) in dates.iter().enumerate() {
        data.units.push(Unit {
            valid_from: Some(*d),
            valid_to: Some(*d),
            ..sample::unit(
                &format!("u{i}"),
                "Đơn vị",
                Level::Custom("tổ dân phố".into()),
                None,
            )
        });
        data.terms.push(Term {
            id: format!("t{i}"),
            start: *d,
            end: *d,
        });
    }
    import(store, &data).await;
    assert_same(&load(store).await, &data);
}

/// Two imports of the same bundle at once: one adds it, the other finds it there; neither
/// fails on a duplicate key and nothing is stored twice.
pub async fn concurrent_imports_add_once(store: &dyn Store) {
    let data = sample::sample();
    let (a, b) = tokio::join!(store.import(&data), store.import(&data));
    let (a, b) = (
        a.unwrap_or_else(|e| panic!("first: {e}")),
        b.unwrap_or_else(|e| panic!("second: {e}")),
    );
    assert_eq!(
        a.added.total() + b.added.total(),
        Counts::of(&data).total(),
        "{a} / {b}"
    );
    assert!(a.is_noop() || b.is_noop(), "both imports wrote: {a} / {b}");
    assert_same(&load(store).await, &data);
}

/// A refused import leaves no lock behind: the imports after it do not wait for it.
pub async fn failed_import_releases_write_lock(store: &dyn Store) {
    let within = std::time::Duration::from_secs(20);
    let mut refused = sample::sample();
    refused.targets[0].unit = "khong-ton-tai".into();
    let mut broken = sample::sample();
    let last = broken.observations.len() - 1;
    broken.observations[last].period = Period::Quarter(2019, 5);
    for _ in 0..3 {
        let outcome = tokio::time::timeout(within, store.import(&refused)).await;
        assert!(
            matches!(outcome, Ok(Err(StoreError::Invalid(_)))),
            "{outcome:?}"
        );
        let outcome = tokio::time::timeout(within, store.import(&broken)).await;
        assert!(
            matches!(outcome, Ok(Err(StoreError::Database { .. }))),
            "{outcome:?}"
        );
    }
    let data = sample::sample();
    let both = tokio::time::timeout(within, async {
        tokio::join!(store.import(&data), store.import(&data))
    })
    .await;
    let (a, b) = both.unwrap_or_else(|_| {
        panic!("imports still waiting after {within:?}: a lock was left behind")
    });
    assert!(a.is_ok() && b.is_ok(), "{a:?} / {b:?}");
    assert_same(&load(store).await, &data);
}

pub async fn backend_is_named(store: &dyn Store) {
    assert!(
        ["sqlite", "postgres"].contains(&store.backend()),
        "{}",
        store.backend()
    );
}

/// Not in [`store_suite!`](crate::store_suite): a backend's upgrade test calls it on a store
/// opened on a database that held [`sample::first_schema`] under the first schema only. The
/// data survives the upgrade, and what the second schema adds can be stored next to it.
pub async fn first_schema_data_survives_upgrade(store: &dyn Store) {
    let old = sample::first_schema();
    assert_same(&load(store).await, &old);
    assert!(import(store, &old).await.is_noop());
    let new = sample::after_upgrade();
    assert_eq!(import(store, &new).await.added, Counts::of(&new));
    let mut want = old;
    want.extend(new);
    assert_same(&load(store).await, &want);
}

// ---------------------------------------------------------------------------------------------
// Streaming import and the roll-up read

/// Rows from memory, as the CSV reader gives them; row `i` is at line `i + 2` (after a
/// header). `fail_at` makes the source fail instead of giving that row.
struct Rows {
    rows: Vec<Observation>,
    next: usize,
    fail_at: Option<usize>,
}

impl Rows {
    fn new(rows: Vec<Observation>) -> Self {
        Rows {
            rows,
            next: 0,
            fail_at: None,
        }
    }
}

impl chitieu_store::ObservationSource for Rows {
    fn next_row(&mut self) -> Option<Result<chitieu_store::ObservationRow<'_>, StoreError>> {
        let i = self.next;
        self.next += 1;
        if self.fail_at == Some(i) {
            return Some(Err(StoreError::Source("f.csv:9: column value: bad".into())));
        }
        let o = self.rows.get(i)?;
        Some(Ok(chitieu_store::ObservationRow::of(o, i + 2)))
    }
}

async fn stream(store: &dyn Store, rows: Vec<Observation>) -> ImportSummary {
    store
        .import_observations(&mut Rows::new(rows))
        .await
        .unwrap_or_else(|e| panic!("streaming import failed: {e}"))
}

fn counted(n: usize) -> Counts {
    Counts {
        observations: n,
        ..Counts::default()
    }
}

/// The streaming import follows `add_observations`' rules: new figures appended in order,
/// exact duplicates of stored figures skipped, a new version of a figure kept beside the old.
pub async fn stream_import_appends_skips_duplicates_keeps_history(store: &dyn Store) {
    let data = sample::sample();
    import(store, &data).await;
    let new = observation(
        "bac-giang",
        "forest_cover",
        "2019",
        "41.35",
        Standing::Preliminary,
        ReviewState::Submitted,
        None,
    );
    // Same figure, other value scale: equal as a number, so a duplicate.
    let same = Observation {
        value: dec("40.1"),
        ..data.observations[1].clone()
    };
    assert_eq!(same, data.observations[1]);
    let version = Observation {
        value: dec("40.2"),
        reported: Some(date(2018, 9, 1)),
        ..data.observations[1].clone()
    };
    let with_texts = Observation {
        source: Some("Nguồn mới".into()),
        reported_by: Some("Văn phòng Huyện ủy".into()),
        ..new.clone()
    };
    let rows = vec![
        new.clone(),
        data.observations[0].clone(),
        same,
        version.clone(),
        with_texts.clone(),
        new.clone(),
    ];
    let summary = stream(store, rows).await;
    // Duplicates within the import itself are kept, as add_observations keeps them.
    assert_eq!(summary.added, counted(4), "{summary}");
    assert_eq!(summary.skipped, counted(2), "{summary}");
    let mut want = data;
    want.observations
        .extend([new.clone(), version, with_texts, new]);
    assert_same(&load(store).await, &want);
    // Again: everything is stored now.
    let summary = stream(store, want.observations.clone()).await;
    assert_eq!(summary.added, Counts::default());
    assert_eq!(summary.skipped, counted(want.observations.len()));
    assert_same(&load(store).await, &want);
}

/// A bad row after thousands of good ones (more than one chunk): refused at its line, nothing
/// written; the write lock is released.
pub async fn stream_import_refuses_late_unknown_unit_whole(store: &dyn Store) {
    import(store, &sample::base()).await;
    let before = load(store).await;
    let mut rows: Vec<Observation> = (0..5000)
        .map(|k| {
            observation(
                "luc-ngan",
                "forest_area",
                &format!("{}", 1000 + k),
                &format!("{k}.5"),
                Standing::Final,
                ReviewState::Approved,
                None,
            )
        })
        .collect();
    rows.push(Observation {
        unit: "khong-ton-tai".into(),
        ..rows[0].clone()
    });
    match store
        .import_observations(&mut Rows::new(rows.clone()))
        .await
    {
        Err(StoreError::Row {
            line,
            field,
            message,
        }) => {
            assert_eq!((line, field), (5002, "unit"));
            assert!(message.contains("khong-ton-tai"), "{message}");
        }
        other => panic!("expected a refused row, got {other:?}"),
    }
    assert_same(&load(store).await, &before);
    rows.pop();
    rows.push(Observation {
        indicator: "gdp".into(),
        ..rows[0].clone()
    });
    match store
        .import_observations(&mut Rows::new(rows.clone()))
        .await
    {
        Err(StoreError::Row { line, field, .. }) => assert_eq!((line, field), (5002, "indicator")),
        other => panic!("expected a refused row, got {other:?}"),
    }
    assert_same(&load(store).await, &before);
    // A period that cannot be stored is the database's refusal, as before.
    rows.pop();
    rows.push(Observation {
        period: Period::Quarter(2019, 5),
        ..rows[0].clone()
    });
    assert!(matches!(
        store
            .import_observations(&mut Rows::new(rows.clone()))
            .await,
        Err(StoreError::Database { .. })
    ));
    assert_same(&load(store).await, &before);
    // The lock was released: the same rows without the bad one go in.
    rows.pop();
    let within = std::time::Duration::from_secs(20);
    let summary = tokio::time::timeout(within, store.import_observations(&mut Rows::new(rows)))
        .await
        .unwrap_or_else(|_| panic!("a lock was left behind"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary.added, counted(5000));
}

/// The source failing late (a CSV line that does not parse) writes nothing and comes back as
/// the source wrote it.
pub async fn stream_import_source_error_writes_nothing(store: &dyn Store) {
    import(store, &sample::sample()).await;
    let before = load(store).await;
    let rows: Vec<Observation> = (0..3000)
        .map(|k| {
            observation(
                "kim",
                "new_members",
                &format!("{}", 1000 + k),
                "1",
                Standing::Final,
                ReviewState::Approved,
                None,
            )
        })
        .collect();
    let mut source = Rows::new(rows);
    source.fail_at = Some(2500);
    match store.import_observations(&mut source).await {
        Err(e @ StoreError::Source(_)) => assert_eq!(e.to_string(), "f.csv:9: column value: bad"),
        other => panic!("expected the source's error, got {other:?}"),
    }
    assert_same(&load(store).await, &before);
}

/// Values beyond a 64-bit mantissa, and every scale, come back exactly.
pub async fn stream_import_wide_decimals_round_trip(store: &dyn Store) {
    import(store, &sample::base()).await;
    let texts = [
        "79228162514264337593543950335",
        "-79228162514264337593543950335",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "0.0000000000000000000000000001",
        "7.9228162514264337593543950335",
        "0.000",
        "0.30",
        "-2.50",
    ];
    let rows: Vec<Observation> = texts
        .iter()
        .enumerate()
        .map(|(k, t)| {
            observation(
                "luc-ngan",
                "forest_area",
                &format!("{}", 2000 + k),
                t,
                Standing::Final,
                ReviewState::Approved,
                None,
            )
        })
        .collect();
    assert_eq!(
        stream(store, rows.clone()).await.added,
        counted(texts.len())
    );
    let got = load(store).await.observations;
    let got_texts: Vec<String> = got.iter().map(|o| o.value.to_string()).collect();
    assert_eq!(got_texts, texts);
    assert_eq!(got, rows);
}

pub async fn stream_import_into_empty_store(store: &dyn Store) {
    let summary = stream(store, Vec::new()).await;
    assert!(summary.is_noop());
    let rows = vec![observation(
        "luc-ngan",
        "forest_area",
        "2019",
        "1",
        Standing::Final,
        ReviewState::Approved,
        None,
    )];
    match store.import_observations(&mut Rows::new(rows)).await {
        Err(StoreError::Row {
            line: 2,
            field: "unit",
            ..
        }) => {}
        other => panic!("expected an unknown unit, got {other:?}"),
    }
    assert_eq!(load(store).await, Dataset::default());
}

/// `load_figures` applies the rule of `version::figures`: per unit, indicator and period,
/// the figure known last by the date (the later stored on a tie), approved only unless
/// asked; positions are those of `load`'s units and indicators.
pub async fn load_figures_chooses_the_figure_in_force(store: &dyn Store) {
    use chitieu_domain::version::FigureFilter;
    import(store, &sample::base()).await;
    let o = |unit: &str, period: &str, value: &str, state, reported: Option<NaiveDate>| {
        observation(
            unit,
            "forest_area",
            period,
            value,
            Standing::Final,
            state,
            reported,
        )
    };
    let rows = vec![
        o(
            "luc-ngan",
            "2019",
            "10",
            ReviewState::Approved,
            Some(date(2020, 1, 10)),
        ),
        o(
            "luc-ngan",
            "2019",
            "11",
            ReviewState::Approved,
            Some(date(2020, 3, 1)),
        ),
        // Stored later but reported earlier: not in force once the one above is known.
        o(
            "luc-ngan",
            "2019",
            "12",
            ReviewState::Approved,
            Some(date(2020, 2, 1)),
        ),
        // A draft: in force only when unapproved figures count.
        o(
            "luc-ngan",
            "2019",
            "13",
            ReviewState::Draft,
            Some(date(2020, 4, 1)),
        ),
        // Known from the start of its period; two on the same day: the later stored wins.
        o("bac-giang", "2019-Q2", "5", ReviewState::Approved, None),
        o("bac-giang", "2019-Q2", "6.50", ReviewState::Approved, None),
        o(
            "bac-giang",
            "2020",
            "79228162514264337593543950335",
            ReviewState::Approved,
            None,
        ),
        o("bac-giang", "2018", "1", ReviewState::Approved, None),
    ];
    stream(store, rows).await;
    let data = load(store).await;
    let check = |known_by: NaiveDate, include_unapproved: bool| {
        let data = &data;
        async move {
            let q = chitieu_store::FigureQuery {
                first_year: 2019,
                last_year: 2020,
                known_by,
                include_unapproved,
                units: None,
                indicators: None,
            };
            let got = store
                .load_figures(&q)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let filter = FigureFilter {
                known_by,
                include_unapproved,
            };
            // What the domain says is in force, for each series.
            let mut want: Vec<(u32, u32, Period, String, Standing)> = Vec::new();
            for (ui, u) in data.units.iter().enumerate() {
                for (ii, i) in data.indicators.iter().enumerate() {
                    for f in chitieu_domain::version::figures(data, &u.id, &i.id, filter) {
                        if (2019..=2020).contains(&f.period.year()) {
                            want.push((
                                ui as u32,
                                ii as u32,
                                f.period,
                                f.value.to_string(),
                                f.standing,
                            ));
                        }
                    }
                }
            }
            let mut got_rows: Vec<(u32, u32, Period, String, Standing)> = (0..got.len())
                .map(|k| {
                    (
                        got.unit[k],
                        got.indicator[k],
                        got.period[k],
                        got.value(k).map(|v| v.to_string()).unwrap_or_default(),
                        got.standing[k],
                    )
                })
                .collect();
            let key = |r: &(u32, u32, Period, String, Standing)| (r.0, r.1, r.2.to_string());
            want.sort_by_key(key);
            got_rows.sort_by_key(key);
            assert_eq!(
                got_rows, want,
                "known by {known_by}, unapproved {include_unapproved}"
            );
            got_rows
        }
    };
    let at = |rows: &[(u32, u32, Period, String, Standing)], unit: &str, period: &str| {
        let u = data
            .units
            .iter()
            .position(|x| x.id == unit)
            .unwrap_or(usize::MAX) as u32;
        let p: Period = period.parse().unwrap_or(Period::Year(0));
        rows.iter()
            .find(|r| r.0 == u && r.2 == p)
            .map(|r| r.3.clone())
    };
    let rows = check(date(2020, 2, 15), false).await;
    assert_eq!(at(&rows, "luc-ngan", "2019").as_deref(), Some("12"));
    assert_eq!(at(&rows, "bac-giang", "2019-Q2").as_deref(), Some("6.50"));
    // Outside the years asked.
    assert_eq!(at(&rows, "bac-giang", "2018"), None);
    // Known from the first day of 2020.
    assert_eq!(
        at(&rows, "bac-giang", "2020").as_deref(),
        Some("79228162514264337593543950335")
    );
    let rows = check(date(2020, 12, 31), false).await;
    assert_eq!(at(&rows, "luc-ngan", "2019").as_deref(), Some("11"));
    assert_eq!(
        at(&rows, "bac-giang", "2020").as_deref(),
        Some("79228162514264337593543950335")
    );
    let rows = check(date(2020, 12, 31), true).await;
    assert_eq!(at(&rows, "luc-ngan", "2019").as_deref(), Some("13"));
    let rows = check(date(2019, 1, 1), true).await;
    assert!(rows.is_empty(), "{rows:?}");
}

/// A judgement made from the bulk read (`load_structure`, `load_figures`, `InForce`) is the
/// one made from the whole dataset: every series of every unit and indicator, every review and
/// every status table, at dates before, across and after the reorganisations, with and without
/// unapproved figures, for units present in the tree of the date and units outside it.
pub async fn judgement_from_bulk_read_equals_whole_dataset(store: &dyn Store) {
    use chitieu_domain::review::{self, ReviewOptions, Scope};
    use chitieu_domain::rollup::Rollups;
    use chitieu_domain::status::StatusOptions;
    use chitieu_store::in_force::{judge, InForce};
    import(store, &sample::sample()).await;
    // A figure of a later period known early, an unapproved one, a superseded one.
    let extra = vec![
        observation(
            "luc-ngan",
            "forest_area",
            "2027",
            "12.5",
            Standing::Estimate,
            ReviewState::Approved,
            Some(date(2019, 3, 1)),
        ),
        observation(
            "bac-giang",
            "forest_area",
            "2019",
            "7",
            Standing::Preliminary,
            ReviewState::Submitted,
            Some(date(2019, 12, 1)),
        ),
        observation(
            "luc-ngan",
            "forest_area",
            "2019",
            "8",
            Standing::Final,
            ReviewState::Approved,
            Some(date(2020, 1, 5)),
        ),
        observation(
            "luc-ngan",
            "forest_area",
            "2019",
            "9",
            Standing::Final,
            ReviewState::Approved,
            Some(date(2020, 2, 5)),
        ),
    ];
    store
        .add_observations(&extra)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut compared = 0;
    // First with the sample's formula naming a missing indicator (`judge` takes the exact
    // path), then with that indicator and its figures (the bulk read).
    for bulk_path in [false, true] {
        if bulk_path {
            let mut more = Dataset {
                indicators: vec![Indicator {
                    id: "natural_area".into(),
                    name: "Diện tích tự nhiên".into(),
                    name_en: None,
                    measure: "ha".into(),
                    direction: Direction::Higher,
                    aggregation: Aggregation::Base(AggregationMethod::Sum),
                }],
                ..Dataset::default()
            };
            for (unit, value) in [("luc-ngan", "100"), ("bac-giang", "400")] {
                for period in ["2018", "2019", "2024"] {
                    more.observations.push(observation(
                        unit,
                        "natural_area",
                        period,
                        value,
                        Standing::Final,
                        ReviewState::Approved,
                        None,
                    ));
                }
            }
            import(store, &more).await;
        }
        let full = load(store).await;
        let structure = store
            .load_structure()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(structure.observations.is_empty());
        let unit_ids: Vec<&str> = full.units.iter().map(|u| u.id.as_str()).collect();

        let mut series = 0;
        for as_of in [
            date(2018, 6, 25),
            date(2019, 12, 31),
            date(2020, 3, 1),
            date(2024, 12, 31),
            date(2025, 7, 1),
            date(2026, 12, 1),
        ] {
            for include_unapproved in [false, true] {
                let opts = StatusOptions {
                    as_of,
                    include_unapproved,
                };
                let whole = opts.rollups(&full);
                let at = format!("as of {as_of}, unapproved {include_unapproved}");
                // The bulk read itself, where the catalogue resolves (the sample's formulas may
                // name missing indicators: then `judge` takes the exact path).
                if let Ok(InForce {
                    tree,
                    catalogue,
                    figures,
                    outside,
                    filter,
                    ..
                }) = InForce::read(store, &structure, opts.filter(), as_of, None).await
                {
                    let bulk = Rollups::from_figures_with_fallback(
                        tree, catalogue, &figures, &outside, filter, None,
                    )
                    .unwrap_or_else(|e| panic!("{e}"));
                    for u in &full.units {
                        for i in &full.indicators {
                            assert_eq!(
                                bulk.series(&u.id, &i.id),
                                whole.series(&u.id, &i.id),
                                "{} {} {at}",
                                u.id,
                                i.id
                            );
                            series += 1;
                        }
                    }
                    // One unit asked: its part of the database only, the same series for it.
                    for u in &full.units {
                        let InForce {
                            tree,
                            catalogue,
                            figures,
                            outside,
                            filter,
                            ..
                        } = InForce::read(
                            store,
                            &structure,
                            opts.filter(),
                            as_of,
                            Some(&Scope {
                                units: vec![u.id.clone()],
                                indicators: full.indicators.iter().map(|i| i.id.clone()).collect(),
                            }),
                        )
                        .await
                        .unwrap_or_else(|e| panic!("{e}"));
                        let one = Rollups::from_figures_with_fallback(
                            tree, catalogue, &figures, &outside, filter, None,
                        )
                        .unwrap_or_else(|e| panic!("{e}"));
                        for i in &full.indicators {
                            assert_eq!(
                                one.series(&u.id, &i.id),
                                whole.series(&u.id, &i.id),
                                "{} alone, {} {at}",
                                u.id,
                                i.id
                            );
                        }
                    }
                }
                // Every unit, and what each review and status table reads.
                let asked = |ds: &Dataset| {
                    let mut scope = Scope {
                        units: unit_ids.iter().map(|u| u.to_string()).collect(),
                        indicators: Vec::new(),
                    };
                    for u in &unit_ids {
                        let s = Scope::of_review(ds, u, as_of);
                        scope.indicators.extend(s.indicators);
                    }
                    scope
                };
                let judged = |ds: &Dataset, rollups: &Rollups| {
                    let reviews: Vec<_> = full
                        .units
                        .iter()
                        .map(|u| {
                            let r = ReviewOptions {
                                unit: &u.id,
                                as_of,
                                include_unapproved,
                            };
                            review::build_with(ds, rollups, r).map_err(|e| e.to_string())
                        })
                        .collect();
                    let tables: Vec<_> = full
                        .resolutions
                        .iter()
                        .map(|r| {
                            review::status_table_with(ds, rollups, &r.id, None, opts)
                                .map_err(|e| e.to_string())
                        })
                        .collect();
                    (reviews, tables)
                };
                let got = judge(store, opts.filter(), as_of, asked, judged)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                let want = judged(&full, &whole);
                assert_eq!(got.0, want.0, "reviews {at}");
                assert_eq!(got.1, want.1, "status tables {at}");
                compared += got.0.len() + got.1.len();
                // Each question as the CLI asks it: reading only its own scope.
                for (u, want) in full.units.iter().zip(&want.0) {
                    let r = ReviewOptions {
                        unit: &u.id,
                        as_of,
                        include_unapproved,
                    };
                    let got = judge(
                        store,
                        opts.filter(),
                        as_of,
                        |ds| Scope::of_review(ds, &u.id, as_of),
                        |ds, rollups| review::build_with(ds, rollups, r).map_err(|e| e.to_string()),
                    )
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                    assert_eq!(&got, want, "review of {} in its scope {at}", u.id);
                }
                for (res, want) in full.resolutions.iter().zip(&want.1) {
                    let got = judge(
                        store,
                        opts.filter(),
                        as_of,
                        |ds| Scope::of_status_table(ds, &res.id, None),
                        |ds, rollups| {
                            review::status_table_with(ds, rollups, &res.id, None, opts)
                                .map_err(|e| e.to_string())
                        },
                    )
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                    assert_eq!(&got, want, "status of {} in its scope {at}", res.id);
                }
                if !include_unapproved {
                    let got = judge(
                        store,
                        opts.filter(),
                        as_of,
                        Scope::of_allocations,
                        |ds, rollups| chitieu_domain::allocation::check_with(ds, rollups, as_of),
                    )
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                    assert_eq!(
                        got,
                        chitieu_domain::allocation::check(&full, as_of),
                        "allocations {at}"
                    );
                    assert!(!got.is_empty(), "the sample has shares");
                }
            }
        }
        assert_eq!(series > 0, bulk_path, "{series} series compared");
    }
    assert!(compared > 100, "{compared} series compared");
}

/// `load_figures` of some units and indicators returns exactly those rows of the whole read.
pub async fn load_figures_of_some_units_and_indicators(store: &dyn Store) {
    import(store, &sample::sample()).await;
    let data = load(store).await;
    let query =
        |units: Option<Vec<u32>>, indicators: Option<Vec<u32>>| chitieu_store::FigureQuery {
            first_year: 0,
            last_year: 9999,
            known_by: date(2030, 1, 1),
            include_unapproved: true,
            units,
            indicators,
        };
    let rows = |c: &chitieu_store::FigureColumns| -> Vec<(u32, u32, Period, Option<Decimal>)> {
        (0..c.len())
            .map(|k| (c.unit[k], c.indicator[k], c.period[k], c.value(k)))
            .collect()
    };
    let all = rows(
        &store
            .load_figures(&query(None, None))
            .await
            .unwrap_or_else(|e| panic!("{e}")),
    );
    assert!(!all.is_empty());
    let position = |id: &str| data.units.iter().position(|u| u.id == id).unwrap_or(0) as u32;
    let units = vec![position("luc-ngan"), position("phuong-son")];
    let (u0, i0) = (all[0].0, all[0].1);
    for (u, i) in [
        (Some(units.clone()), None),
        (None, Some(vec![i0])),
        (Some(vec![u0]), Some(vec![i0])),
        (Some(Vec::new()), None),
    ] {
        let got = rows(
            &store
                .load_figures(&query(u.clone(), i.clone()))
                .await
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let want: Vec<_> = all
            .iter()
            .filter(|r| u.as_ref().is_none_or(|u| u.contains(&r.0)))
            .filter(|r| i.as_ref().is_none_or(|i| i.contains(&r.1)))
            .cloned()
            .collect();
        assert_eq!(got, want, "units {u:?}, indicators {i:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// The revision

async fn revision(store: &dyn Store) -> u64 {
    store
        .revision()
        .await
        .unwrap_or_else(|e| panic!("revision failed: {e}"))
}

/// The sample a collection at a time (in the order of [`Dataset`]'s fields, but tasks before
/// the adjustments that name them): each step is the previous one and one more collection, so
/// importing it adds that collection alone.
fn collection_by_collection() -> Vec<(&'static str, Dataset)> {
    let all = sample::sample();
    let mut steps = Vec::new();
    let mut acc = Dataset::default();
    macro_rules! step {
        ($($field:ident),*) => {$(
            acc.$field = all.$field.clone();
            steps.push((stringify!($field), acc.clone()));
        )*};
    }
    step!(
        units,
        terms,
        resolutions,
        indicators,
        targets,
        tasks,
        adjustments,
        documents,
        reorganisations,
        observations
    );
    steps
}

/// Every write that changes what is stored raises the revision, whatever it writes and by
/// whichever method; a write that adds nothing, and a write refused or failed, leave it. A
/// write path that forgets the revision makes a cache serve what is no longer stored.
pub async fn every_write_raises_the_revision(store: &dyn Store) {
    let mut last = revision(store).await;
    let mut raised = |what: &str, now: u64| {
        assert!(now > last, "{what}: the revision stayed at {last}");
        last = now;
    };
    for (collection, data) in collection_by_collection() {
        assert!(
            !Counts::of(&data).entries().iter().all(|(_, n)| *n == 0),
            "{collection}: the sample has none"
        );
        let s = import(store, &data).await;
        assert!(!s.is_noop(), "{collection}: {s}");
        raised(&format!("import of {collection}"), revision(store).await);
    }
    let figure = |value: &str| {
        observation(
            "luc-ngan",
            "forest_area",
            "2019",
            value,
            Standing::Final,
            ReviewState::Approved,
            None,
        )
    };
    store
        .add_observations(&[figure("101")])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    raised("add_observations", revision(store).await);
    stream(store, vec![figure("102")]).await;
    raised("import_observations", revision(store).await);
    let adjustment = Dataset {
        adjustments: vec![Adjustment {
            reason: "another reason".into(),
            ..sample::sample().adjustments[0].clone()
        }],
        ..Dataset::default()
    };
    assert!(!import(store, &adjustment).await.is_noop());
    raised("import of an adjustment", revision(store).await);

    // Nothing new, refused, failed: the same revision.
    let unchanged = |what: &str, now: u64| assert_eq!(now, last, "{what}");
    assert!(import(store, &sample::sample()).await.is_noop());
    unchanged("import of what is stored", revision(store).await);
    assert!(store
        .add_observations(&[figure("101")])
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .is_noop());
    unchanged("add_observations of a stored figure", revision(store).await);
    assert!(stream(store, vec![figure("102")]).await.is_noop());
    unchanged(
        "import_observations of a stored figure",
        revision(store).await,
    );
    let mut refused = sample::sample();
    refused.targets[0].unit = "khong-ton-tai".into();
    invalid(store.import(&refused).await);
    unchanged("a refused import", revision(store).await);
    let unknown = Observation {
        unit: "khong-ton-tai".into(),
        ..figure("103")
    };
    assert!(store
        .add_observations(std::slice::from_ref(&unknown))
        .await
        .is_err());
    unchanged("refused observations", revision(store).await);
    assert!(store
        .import_observations(&mut Rows::new(vec![figure("104"), unknown]))
        .await
        .is_err());
    unchanged("a refused streaming import", revision(store).await);
    let mut failing = Rows::new(vec![figure("105"), figure("106")]);
    failing.fail_at = Some(1);
    assert!(store.import_observations(&mut failing).await.is_err());
    unchanged(
        "a streaming import whose source failed",
        revision(store).await,
    );
}

/// Two stores on one database (two processes, two web instances): what one writes raises the
/// revision the other reads, at once, and the other reads the write.
pub async fn another_instances_write_raises_the_revision(store: &dyn Store, other: &dyn Store) {
    let before = revision(other).await;
    assert_eq!(revision(store).await, before);
    import(store, &sample::base()).await;
    let after = revision(other).await;
    assert!(after > before, "{after} after {before}");
    assert_eq!(revision(store).await, after);
    assert_same(&load(other).await, &sample::base());
    let figure = observation(
        "luc-ngan",
        "forest_area",
        "2019",
        "99",
        Standing::Final,
        ReviewState::Approved,
        None,
    );
    other
        .add_observations(&[figure])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(revision(store).await > after);
}

/// A write reads only the stored figures of the keys it brings: what it adds and skips is what
/// the domain's merge of the whole stored dataset says, with many figures stored around them
/// (every unit, indicator and quarter, several versions, streamed in several blocks).
pub async fn add_observations_merges_as_the_whole_dataset_would(store: &dyn Store) {
    let data = sample::sample();
    import(store, &data).await;
    let units: Vec<String> = data.units.iter().map(|u| u.id.clone()).collect();
    let indicators: Vec<String> = data.indicators.iter().map(|i| i.id.clone()).collect();
    let mut around = Vec::new();
    for (k, u) in units.iter().enumerate() {
        for (j, i) in indicators.iter().enumerate() {
            for q in 1..=4 {
                around.push(observation(
                    u,
                    i,
                    &format!("2021-Q{q}"),
                    &format!("{}.{}", k * 10 + j, q),
                    Standing::Estimate,
                    ReviewState::Approved,
                    Some(date(2021, 12, 31)),
                ));
            }
        }
    }
    stream(store, around.clone()).await;
    // Second versions of every other figure, in blocks of their own.
    let later: Vec<Observation> = around
        .iter()
        .step_by(2)
        .map(|o| Observation {
            standing: Standing::Final,
            reported: Some(date(2022, 3, 1)),
            ..o.clone()
        })
        .collect();
    stream(store, later.clone()).await;

    let mid = around.len() / 2;
    let incoming = vec![
        around[mid].clone(),
        later[later.len() / 3].clone(),
        Observation {
            value: dec("999"),
            ..around[mid + 1].clone()
        },
        Observation {
            source: Some("Phiếu báo cáo".into()),
            ..around[3].clone()
        },
        data.observations[0].clone(),
        around[mid].clone(),
    ];
    let stored = load(store).await;
    let delta = stored
        .merge_delta(&Dataset {
            observations: incoming.clone(),
            ..Dataset::default()
        })
        .unwrap_or_else(|e| panic!("{e:?}"));
    let summary = store
        .add_observations(&incoming)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        summary.added,
        counted(delta.observations.len()),
        "{summary}"
    );
    assert_eq!(
        summary.skipped,
        counted(incoming.len() - delta.observations.len())
    );
    assert_eq!(
        delta.observations.len(),
        2,
        "the new value and the new source"
    );
    let mut want = stored;
    want.observations.extend(delta.observations);
    assert_same(&load(store).await, &want);
}

/// The office's text for a review: saved, read back exactly (Vietnamese, line breaks, every
/// optional field), replaced by a later save, kept apart by date, removed by an empty save,
/// refused for an unknown unit; the revision moves only when what is stored changes.
pub async fn review_text_saved_replaced_and_removed(store: &dyn Store) {
    import(store, &sample::sample()).await;
    let day = date(2018, 6, 25);
    assert_eq!(store.review_text("luc-ngan", day).await.ok(), Some(None));
    let text = ReviewText {
        number: Some("45-BC/HU".into()),
        layout: Some(Layout::Party),
        issuer: Some("HUYỆN ỦY LỤC NGẠN".into()),
        superior: Some("ĐẢNG BỘ TỈNH BẮC GIANG".into()),
        place: Some("Lục Ngạn".into()),
        causes: "Nguyên nhân khách quan: thời tiết diễn biến phức tạp.\n\nNguyên nhân chủ quan: …"
            .into(),
        directions: "Tập trung chỉ đạo xây dựng nông thôn mới.".into(),
        recipients: vec![
            "Ban Thường vụ Tỉnh ủy (b/c),".into(),
            "Lưu Văn phòng Huyện ủy.".into(),
        ],
        signer: Some("Nguyễn Văn A".into()),
        signer_title: Some("PHÓ BÍ THƯ".into()),
        ..ReviewText::new("luc-ngan", day)
    };
    let before = revision(store).await;
    store
        .save_review_text(&text)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        store.review_text("luc-ngan", day).await.ok(),
        Some(Some(text.clone()))
    );
    let saved = revision(store).await;
    assert!(saved > before, "saving a text raises the revision");

    store
        .save_review_text(&text)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        revision(store).await,
        saved,
        "saving the same text changes nothing"
    );

    let redrafted = ReviewText {
        layout: None,
        number: None,
        causes: "Bản sửa.".into(),
        recipients: vec![],
        ..text.clone()
    };
    store
        .save_review_text(&redrafted)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        store.review_text("luc-ngan", day).await.ok(),
        Some(Some(redrafted.clone()))
    );
    assert!(revision(store).await > saved);

    let other_day = date(2020, 6, 30);
    assert_eq!(
        store.review_text("luc-ngan", other_day).await.ok(),
        Some(None)
    );

    match store
        .save_review_text(&ReviewText::new("nowhere", day))
        .await
    {
        Err(StoreError::NotFound { what: "unit", id }) => assert_eq!(id, "nowhere"),
        other => panic!("expected the unknown unit to be refused, got {other:?}"),
    }

    store
        .save_review_text(&ReviewText::new("luc-ngan", day))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(store.review_text("luc-ngan", day).await.ok(), Some(None));
}
