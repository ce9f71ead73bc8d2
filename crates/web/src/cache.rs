//! What the server keeps in memory to be fast: the structure (`load_structure`'s dataset) and
//! the answers to recent questions, all of one store revision (a [`Generation`]). The store
//! stays the only truth: a request reads the stored revision first
//! ([`chitieu_store::Store::revision`]) and is answered from the generation of that revision,
//! made anew when the revision differs, so a write by this instance or any other counts in
//! the next request. Answers are bounded in number (the least recently used goes first), and
//! concurrent requests for one missing answer wait for one computation instead of each
//! making it.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use chitieu_domain::version::FigureFilter;
use chitieu_domain::Dataset;
use chrono::NaiveDate;
use tokio::sync::OnceCell;

/// What determines an answer, besides the revision: the question (`"dashboard"`), its own
/// arguments (ids, language, an indicator chosen), the figures it counts and the date of its
/// tree. Two questions whose answers have different types must have different names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    question: &'static str,
    args: Vec<String>,
    known_by: NaiveDate,
    include_unapproved: bool,
    tree_date: NaiveDate,
}

impl Key {
    pub fn new(
        question: &'static str,
        args: Vec<String>,
        filter: FigureFilter,
        tree_date: NaiveDate,
    ) -> Key {
        Key {
            question,
            args,
            known_by: filter.known_by,
            include_unapproved: filter.include_unapproved,
            tree_date,
        }
    }
}

type Answer = Arc<dyn Any + Send + Sync>;

/// What the cache holds for one revision.
pub struct Generation {
    revision: u64,
    structure: OnceCell<Arc<Dataset>>,
    answers: Mutex<Answers>,
    capacity: usize,
}

#[derive(Default)]
struct Answers {
    slots: HashMap<Key, Slot>,
    /// Advances on every use, so the smallest `used` is the least recently used.
    clock: u64,
}

struct Slot {
    cell: Arc<OnceCell<Answer>>,
    used: u64,
}

/// The answer was stored under a key whose question gives another type: two questions share
/// a name.
#[derive(Debug, thiserror::Error)]
#[error("the cached answer to `{0}` is not of the type asked for")]
pub struct WrongType(&'static str);

impl Generation {
    fn new(revision: u64, capacity: usize) -> Generation {
        Generation {
            revision,
            structure: OnceCell::new(),
            answers: Mutex::new(Answers::default()),
            capacity,
        }
    }

    /// The structure, read by `load` the first time it is asked for in this generation.
    pub async fn structure<E, F>(&self, load: impl FnOnce() -> F) -> Result<Arc<Dataset>, E>
    where
        F: Future<Output = Result<Dataset, E>>,
    {
        self.structure
            .get_or_try_init(|| async { load().await.map(Arc::new) })
            .await
            .cloned()
    }

    /// The answer under `key`, computed by `compute` if this generation has none yet (an
    /// error is returned, not kept: the next request tries again).
    pub async fn answer<T, E, F>(&self, key: Key, compute: impl FnOnce() -> F) -> Result<Arc<T>, E>
    where
        T: Send + Sync + 'static,
        E: From<WrongType>,
        F: Future<Output = Result<T, E>>,
    {
        let question = key.question;
        let cell = self.slot(key);
        let answer = cell
            .get_or_try_init(|| async { compute().await.map(|t| Arc::new(t) as Answer) })
            .await?
            .clone();
        answer
            .downcast::<T>()
            .map_err(|_| E::from(WrongType(question)))
    }

    /// The cell of `key`, made empty if missing; the least recently used slot goes when the
    /// generation holds more than its capacity. A computation in flight in a slot that goes
    /// finishes for those waiting on it and is then forgotten.
    fn slot(&self, key: Key) -> Arc<OnceCell<Answer>> {
        let mut answers = self.answers.lock().unwrap_or_else(PoisonError::into_inner);
        answers.clock += 1;
        let now = answers.clock;
        let slot = answers.slots.entry(key).or_insert_with(|| Slot {
            cell: Arc::new(OnceCell::new()),
            used: now,
        });
        slot.used = now;
        let cell = slot.cell.clone();
        if answers.slots.len() > self.capacity {
            // A linear scan: evictions are rare and the map is small (hundreds of entries).
            let oldest = answers
                .slots
                .iter()
                .min_by_key(|(_, s)| s.used)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                answers.slots.remove(&k);
            }
        }
        cell
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.answers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .slots
            .len()
    }
}

/// The generation of the latest revision a request has seen.
pub struct Cache {
    current: Mutex<Arc<Generation>>,
    capacity: usize,
}

impl Cache {
    /// A cache that keeps up to `capacity` answers (and the structure).
    pub fn new(capacity: usize) -> Cache {
        Cache {
            // No revision is u64::MAX: the first request makes its own generation.
            current: Mutex::new(Arc::new(Generation::new(u64::MAX, capacity))),
            capacity: capacity.max(1),
        }
    }

    /// The generation of `revision`, the stored revision a request read before reading
    /// anything else. Another revision, newer or not (a database restored), makes a new,
    /// empty generation: what the old one held may no longer be stored.
    pub fn at(&self, revision: u64) -> Arc<Generation> {
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        if current.revision != revision {
            *current = Arc::new(Generation::new(revision, self.capacity));
        }
        current.clone()
    }
}

/// Reads of the stored revision shared by the requests that wait for one: one read at a time,
/// and a request takes the result of a read that *began after it arrived* — never an older
/// one, which could predate a write committed before the request — so sharing changes how
/// often the store is asked, not what a request sees. Requests arriving while a read is in
/// flight are all answered by the next one.
#[derive(Default)]
pub struct RevisionReads {
    /// How many reads have begun.
    begun: AtomicU64,
    /// The latest read that finished: its number and the revision it read. Held while a read
    /// is in flight, so reads run one at a time and waiters queue (fairly) behind it.
    last: tokio::sync::Mutex<Option<(u64, u64)>>,
}

impl RevisionReads {
    /// The stored revision, read by `read` after this call began (by this call or another).
    pub async fn read<E, F>(&self, read: impl FnOnce() -> F) -> Result<u64, E>
    where
        F: Future<Output = Result<u64, E>>,
    {
        let arrived = self.begun.load(Ordering::SeqCst);
        let mut last = self.last.lock().await;
        if let Some((n, revision)) = *last {
            if n > arrived {
                return Ok(revision);
            }
        }
        let n = self.begun.fetch_add(1, Ordering::SeqCst) + 1;
        let revision = read().await?;
        *last = Some((n, revision));
        Ok(revision)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[derive(Debug)]
    enum E {
        Wrong,
        Failed,
    }

    impl From<WrongType> for E {
        fn from(_: WrongType) -> E {
            E::Wrong
        }
    }

    fn key(question: &'static str, arg: &str) -> Key {
        let d = NaiveDate::from_ymd_opt(2024, 12, 31).unwrap();
        Key::new(
            question,
            vec![arg.to_string()],
            FigureFilter {
                known_by: d,
                include_unapproved: false,
            },
            d,
        )
    }

    #[tokio::test]
    async fn answers_are_kept_per_key_and_per_revision() {
        let cache = Cache::new(8);
        let computed = AtomicUsize::new(0);
        let ask = |g: Arc<Generation>, arg: &'static str| {
            let computed = &computed;
            async move {
                g.answer(key("q", arg), || async {
                    computed.fetch_add(1, Ordering::SeqCst);
                    Ok::<_, E>(arg.len())
                })
                .await
                .unwrap()
            }
        };
        assert_eq!(*ask(cache.at(1), "ab").await, 2);
        assert_eq!(*ask(cache.at(1), "ab").await, 2);
        assert_eq!(*ask(cache.at(1), "abc").await, 3);
        assert_eq!(computed.load(Ordering::SeqCst), 2);
        // A new revision forgets everything, and so does going back to an old one.
        ask(cache.at(2), "ab").await;
        ask(cache.at(1), "ab").await;
        assert_eq!(computed.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn errors_are_not_kept_and_types_are_checked() {
        let g = Cache::new(8).at(1);
        let failed = g
            .answer(key("q", "x"), || async { Err::<u32, _>(E::Failed) })
            .await;
        assert!(matches!(failed, Err(E::Failed)));
        let ok = g.answer(key("q", "x"), || async { Ok::<u32, E>(7) }).await;
        assert_eq!(*ok.unwrap(), 7);
        let wrong = g
            .answer(key("q", "x"), || async { Ok::<String, E>("no".into()) })
            .await;
        assert!(matches!(wrong, Err(E::Wrong)));
    }

    #[tokio::test]
    async fn the_least_recently_used_goes_first() {
        let g = Cache::new(2).at(1);
        let put =
            |arg: &'static str| g.answer(key("q", arg), move || async move { Ok::<_, E>(arg) });
        put("a").await.unwrap();
        put("b").await.unwrap();
        put("a").await.unwrap();
        put("c").await.unwrap();
        assert_eq!(g.len(), 2);
        // b was used least recently: a is kept, b is computed again.
        let a = g
            .answer(key("q", "a"), || async { Ok::<_, E>("recomputed") })
            .await
            .unwrap();
        assert_eq!(*a, "a");
        let b = g
            .answer(key("q", "b"), || async { Ok::<_, E>("recomputed") })
            .await
            .unwrap();
        assert_eq!(*b, "recomputed");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_misses_compute_once() {
        let g = Cache::new(8).at(1);
        let computed = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let (g, computed) = (g.clone(), computed.clone());
            tasks.push(tokio::spawn(async move {
                *g.answer(key("q", "x"), || async {
                    computed.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    Ok::<_, E>(1)
                })
                .await
                .unwrap()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), 1);
        }
        assert_eq!(computed.load(Ordering::SeqCst), 1);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod revision_tests {
    use super::*;
    use std::time::Duration;

    /// Many requests at once share few reads, and every request sees a write committed before
    /// it arrived, even while an older read is still in flight.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn shared_reads_never_predate_the_request() {
        let reads = Arc::new(RevisionReads::default());
        let stored = Arc::new(AtomicU64::new(1));
        let asked = Arc::new(AtomicU64::new(0));
        let read = |stored: Arc<AtomicU64>, asked: Arc<AtomicU64>| {
            move || async move {
                asked.fetch_add(1, Ordering::SeqCst);
                let seen = stored.load(Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20)).await;
                Ok::<_, ()>(seen)
            }
        };
        // A read of revision 1 in flight when revision 2 commits.
        let early = tokio::spawn({
            let (reads, stored, asked) = (reads.clone(), stored.clone(), asked.clone());
            async move { reads.read(read(stored, asked)).await.unwrap() }
        });
        tokio::time::sleep(Duration::from_millis(5)).await;
        stored.store(2, Ordering::SeqCst);
        let mut late = Vec::new();
        for _ in 0..32 {
            let (reads, stored, asked) = (reads.clone(), stored.clone(), asked.clone());
            late.push(tokio::spawn(async move {
                reads.read(read(stored, asked)).await.unwrap()
            }));
        }
        assert_eq!(early.await.unwrap(), 1);
        for r in late {
            assert_eq!(
                r.await.unwrap(),
                2,
                "a request saw a read older than itself"
            );
        }
        let n = asked.load(Ordering::SeqCst);
        assert!(n <= 3, "{n} reads for 33 requests");
    }

    #[tokio::test]
    async fn a_failed_read_is_not_shared() {
        let reads = RevisionReads::default();
        assert_eq!(
            reads.read(|| async { Err::<u64, _>("down") }).await,
            Err("down")
        );
        assert_eq!(reads.read(|| async { Ok::<_, &str>(7) }).await, Ok(7));
        // Sequential requests each read anew.
        assert_eq!(reads.read(|| async { Ok::<_, &str>(8) }).await, Ok(8));
    }
}
