#![allow(clippy::unwrap_used)]

use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn unit(id: &str, level: Level, parent: Option<&str>) -> Unit {
    Unit {
        id: id.into(),
        name: id.into(),
        name_en: None,
        level,
        parent: parent.map(Into::into),
        code: None,
        valid_from: None,
        valid_to: None,
    }
}

fn resolution(id: &str, unit: &str) -> Resolution {
    Resolution {
        id: id.into(),
        unit: unit.into(),
        kind: ResolutionKind::Congress,
        congress: None,
        term: "t".into(),
        number: None,
        adopted: d("2020-10-01"),
        title: id.into(),
        issuer: None,
        body: BodyKind::Party,
    }
}

fn task(resolution: &str, code: &str, unit: &str, due: &str, state: TaskState) -> Task {
    Task {
        resolution: resolution.into(),
        code: code.into(),
        name: format!("task {code}"),
        unit: unit.into(),
        field: Field::Economy,
        due: Some(d(due)),
        state,
        done_on: (state == TaskState::Done).then(|| d("2022-06-30")),
        illustrative: false,
    }
}

/// A province resolution with tasks for two districts, and one district's own resolution.
fn dataset() -> Dataset {
    Dataset {
        units: vec![
            unit("p", Level::Province, None),
            unit("d1", Level::District, Some("p")),
            unit("c1", Level::Commune, Some("d1")),
            unit("d2", Level::District, Some("p")),
        ],
        terms: vec![Term {
            id: "t".into(),
            start: d("2020-10-01"),
            end: d("2025-09-30"),
        }],
        resolutions: vec![resolution("rp", "p"), resolution("rd1", "d1")],
        tasks: vec![
            task("rp", "1", "d1", "2023-12-31", TaskState::InProgress),
            task("rp", "2", "d2", "2023-12-31", TaskState::InProgress),
            task("rp", "3", "c1", "2021-12-31", TaskState::NotStarted),
            task("rd1", "1", "c1", "2024-12-31", TaskState::Done),
            task("rd1", "2", "d1", "2025-06-30", TaskState::NotStarted),
        ],
        ..Dataset::default()
    }
}

fn listed(tasks: &[TaskReview]) -> Vec<(String, String, TaskStatus)> {
    tasks
        .iter()
        .map(|t| (t.resolution.clone(), t.code.clone(), t.status))
        .collect()
}

fn s(r: &str, c: &str, st: TaskStatus) -> (String, String, TaskStatus) {
    (r.to_string(), c.to_string(), st)
}

#[test]
fn a_unit_answers_for_its_own_tasks_and_its_share_of_its_superiors() {
    let ds = dataset();
    // Its own resolution first; of the province's, those assigned to it or to its commune.
    assert_eq!(
        listed(&tasks_of(&ds, "d1", d("2022-01-01"))),
        vec![
            // Reported done, but on a later day than the question's.
            s("rd1", "1", TaskStatus::InProgress),
            s("rd1", "2", TaskStatus::NotStarted),
            s("rp", "1", TaskStatus::InProgress),
            s("rp", "3", TaskStatus::Overdue),
        ]
    );
    assert_eq!(
        listed(&tasks_of(&ds, "d1", d("2023-01-01")))[0],
        s("rd1", "1", TaskStatus::Done)
    );
    // The province answers for all of its own, none of a district's.
    assert_eq!(
        listed(&tasks_of(&ds, "p", d("2022-01-01")))
            .iter()
            .map(|t| (t.0.as_str(), t.1.as_str()))
            .collect::<Vec<_>>(),
        vec![("rp", "1"), ("rp", "2"), ("rp", "3")]
    );
    assert!(
        tasks_of(&ds, "d2", d("2019-01-01")).is_empty(),
        "before adoption"
    );
}

#[test]
fn the_review_lists_the_task_list() {
    let ds = dataset();
    let review = build(
        &ds,
        ReviewOptions {
            unit: "d1",
            as_of: d("2022-01-01"),
            include_unapproved: false,
        },
    )
    .unwrap();
    assert_eq!(review.tasks, tasks_of(&ds, "d1", d("2022-01-01")));
}
