//! Background jobs: named periodic work, run by one instance of a deployment at a time.
//!
//! A [`Job`] is a name, an interval and an async function of a [`JobRun`] (which carries
//! `now`, read from the injected [`Clock`]). [`Jobs`] collects them and [`Jobs::start`] gives
//! each its own task:
//!
//! - the first run is at start, then one `interval` after each run ends; a job may also be
//!   woken early by a [`Notify`] (the outbox relay is woken by every commit that wrote events);
//! - a failed (or panicking) run is logged and counted, and the job runs again after
//!   `retry_after` (its interval unless set);
//! - on PostgreSQL each run takes `pg_try_advisory_xact_lock(<hash of the job's name>)` in a
//!   transaction held for the run; when another instance holds it, this run is skipped. On
//!   SQLite there is one process, so a run just runs;
//! - [`RunningJobs::shutdown`] cancels the waiting jobs and waits for the running ones to finish
//!   their run (a run can look at [`JobRun::shutting_down`] to cut a long loop short);
//! - each job's last run, last success and counts are kept ([`RunningJobs::stats`]) and reported
//!   to a [`JobObserver`] (the API's metrics), so this crate needs nothing of the API's.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::FutureExt;
use linli_kernel::ports::Clock;
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr, Statement,
    TransactionTrait,
};
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::db::Database;

type RunFn = Arc<dyn Fn(JobRun) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>> + Send + Sync>;

/// A named periodic job. Names are unique in a deployment: they name the job's lock and its
/// metric series.
pub struct Job {
    name: String,
    interval: Duration,
    /// How long after a failed run the next one comes; `interval` when unset.
    retry_after: Option<Duration>,
    wake: Option<Arc<Notify>>,
    run: RunFn,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("name", &self.name)
            .field("interval", &self.interval)
            .field("retry_after", &self.retry_after)
            .field("woken", &self.wake.is_some())
            .finish_non_exhaustive()
    }
}

impl Job {
    /// A job that runs `run` at start and then `interval` after each run ends.
    pub fn new<F, Fut>(name: impl Into<String>, interval: Duration, run: F) -> Self
    where
        F: Fn(JobRun) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        Self {
            name: name.into(),
            interval,
            retry_after: None,
            wake: None,
            run: Arc::new(move |job_run| Box::pin(run(job_run))),
        }
    }

    /// Also runs when `wake` is notified, without waiting for the interval. A notification
    /// that comes during a run is kept, and starts the next run as soon as this one ends.
    /// After a failed run, notifications wait for `retry_after`, so a burst of them cannot
    /// hammer a failing database.
    #[must_use]
    pub fn woken_by(mut self, wake: Arc<Notify>) -> Self {
        self.wake = Some(wake);
        self
    }

    /// After a failed run, the next one comes after `delay` instead of the interval.
    #[must_use]
    pub fn retry_after(mut self, delay: Duration) -> Self {
        self.retry_after = Some(delay);
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

/// What one run of a job is given.
#[derive(Debug, Clone)]
pub struct JobRun {
    /// The clock's time when the run began; the job's idea of "now" for the whole run.
    pub now: DateTime<Utc>,
    shutdown: CancellationToken,
}

impl JobRun {
    /// Whether shutdown has begun: a run that loops (a full batch, then another) should stop
    /// at the end of the step it is in. Shutdown waits for the run either way.
    pub fn shutting_down(&self) -> bool {
        self.shutdown.is_cancelled()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOutcome {
    Succeeded,
    /// The run returned an error or panicked.
    Failed,
    /// Another instance held the job's lock, so this one did not run.
    Skipped,
}

/// One run as an observer sees it.
#[derive(Debug, Clone)]
pub struct JobReport<'a> {
    pub job: &'a str,
    pub outcome: JobOutcome,
    /// The run's `now`.
    pub started_at: DateTime<Utc>,
    /// How long the run (or the attempt to take its lock) took.
    pub duration: Duration,
}

/// Told about every job and every run; the API's metrics implement it.
pub trait JobObserver: Send + Sync + 'static {
    /// Once per job, when the jobs start, so its series exist before its first run ends.
    fn job_registered(&self, job: &str) {
        let _ = job;
    }

    /// After each run (or skipped run) of a job on this instance.
    fn job_ran(&self, report: &JobReport<'_>);
}

/// A job's record on this instance since it started.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobStats {
    pub name: String,
    /// Runs that succeeded.
    pub successes: u64,
    /// Runs that returned an error or panicked.
    pub failures: u64,
    /// Runs skipped because another instance held the job's lock.
    pub skipped: u64,
    /// The `now` of the last run that ran (succeeded or failed).
    pub last_run: Option<DateTime<Utc>>,
    /// The `now` of the last run that succeeded.
    pub last_success: Option<DateTime<Utc>>,
}

impl JobStats {
    /// Runs that ran, succeeded or failed.
    pub fn runs(&self) -> u64 {
        self.successes + self.failures
    }
}

/// The jobs of an instance, before they start.
pub struct Jobs {
    clock: Arc<dyn Clock>,
    /// Where the jobs' advisory locks live; `None` runs every job without a lock (SQLite, tests).
    locks: Option<DatabaseConnection>,
    observer: Option<Arc<dyn JobObserver>>,
    jobs: Vec<Job>,
}

impl Jobs {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            locks: None,
            observer: None,
            jobs: Vec::new(),
        }
    }

    /// One instance at a time across the deployment: on PostgreSQL every run takes the job's
    /// advisory lock in `db`. On SQLite there is one process, and jobs just run.
    #[must_use]
    pub fn exclusive_on(mut self, db: &Database) -> Self {
        self.locks = (db.backend() == DatabaseBackend::Postgres).then(|| db.connection().clone());
        self
    }

    #[must_use]
    pub fn observed_by(mut self, observer: Arc<dyn JobObserver>) -> Self {
        self.observer = Some(observer);
        self
    }

    #[must_use]
    pub fn with(mut self, job: Job) -> Self {
        self.jobs.push(job);
        self
    }

    /// Starts every job on its own task. They stop when `shutdown` is cancelled (or
    /// [`RunningJobs::shutdown`] is called, or the handle is dropped); only `shutdown()`
    /// waits for running ones to finish.
    pub fn start(self, shutdown: &CancellationToken) -> RunningJobs {
        let cancel = shutdown.child_token();
        let mut tasks = Vec::with_capacity(self.jobs.len());
        let mut stats = Vec::with_capacity(self.jobs.len());
        for job in self.jobs {
            if let Some(observer) = &self.observer {
                observer.job_registered(&job.name);
            }
            let record = Arc::new(Mutex::new(JobStats {
                name: job.name.clone(),
                ..JobStats::default()
            }));
            stats.push(record.clone());
            let scheduled = Scheduled {
                lock_key: lock_key(&job.name),
                job,
                clock: self.clock.clone(),
                locks: self.locks.clone(),
                observer: self.observer.clone(),
                stats: record,
                cancel: cancel.clone(),
            };
            tasks.push(tokio::spawn(scheduled.drive()));
        }
        RunningJobs { cancel, tasks, stats }
    }
}

/// The started jobs. Dropping it stops them without waiting; [`RunningJobs::shutdown`] waits.
pub struct RunningJobs {
    cancel: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
    stats: Vec<Arc<Mutex<JobStats>>>,
}

impl RunningJobs {
    /// Each job's record, in the order they were added.
    pub fn stats(&self) -> Vec<JobStats> {
        self.stats
            .iter()
            .map(|s| s.lock().unwrap_or_else(PoisonError::into_inner).clone())
            .collect()
    }

    /// Stops every job: waiting ones at once, running ones when their run ends.
    pub async fn shutdown(mut self) {
        self.cancel.cancel();
        for task in std::mem::take(&mut self.tasks) {
            if let Err(e) = task.await {
                tracing::error!(error = %e, "a background job's task ended abnormally");
            }
        }
    }
}

impl Drop for RunningJobs {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// A job with everything its task needs.
struct Scheduled {
    job: Job,
    lock_key: i64,
    clock: Arc<dyn Clock>,
    locks: Option<DatabaseConnection>,
    observer: Option<Arc<dyn JobObserver>>,
    stats: Arc<Mutex<JobStats>>,
    cancel: CancellationToken,
}

impl Scheduled {
    async fn drive(self) {
        loop {
            if self.cancel.is_cancelled() {
                return;
            }
            let outcome = self.run_once().await;
            let (delay, wake) = match outcome {
                JobOutcome::Failed => (self.job.retry_after.unwrap_or(self.job.interval), None),
                JobOutcome::Succeeded | JobOutcome::Skipped => (self.job.interval, self.job.wake.as_deref()),
            };
            let woken = async {
                match wake {
                    Some(wake) => wake.notified().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                () = self.cancel.cancelled() => return,
                () = woken => {}
                () = tokio::time::sleep(delay) => {}
            }
        }
    }

    /// One run: takes the lock where there is one, runs, records and reports the outcome.
    async fn run_once(&self) -> JobOutcome {
        let now = self.clock.now();
        let began = tokio::time::Instant::now();
        let run = JobRun {
            now,
            shutdown: self.cancel.clone(),
        };
        let result = match &self.locks {
            None => self.call(run).await.map(|()| true),
            Some(conn) => match try_lock(conn, self.lock_key).await {
                Ok(Some(lock)) => {
                    let result = self.call(run).await;
                    // Nothing was written under the lock; ending the transaction releases it.
                    if let Err(e) = lock.rollback().await {
                        tracing::warn!(job = %self.job.name, error = %e, "releasing a job's lock failed");
                    }
                    result.map(|()| true)
                }
                Ok(None) => Ok(false),
                Err(e) => Err(anyhow::Error::new(e).context("taking the job's lock")),
            },
        };
        let outcome = match result {
            Ok(true) => JobOutcome::Succeeded,
            Ok(false) => JobOutcome::Skipped,
            Err(e) => {
                tracing::warn!(job = %self.job.name, error = format!("{e:#}"), "background job failed; retrying");
                JobOutcome::Failed
            }
        };
        self.record(outcome, now);
        if let Some(observer) = &self.observer {
            observer.job_ran(&JobReport {
                job: &self.job.name,
                outcome,
                started_at: now,
                duration: began.elapsed(),
            });
        }
        outcome
    }

    /// Runs the job's function; a panic is a failed run, not the end of the job.
    async fn call(&self, run: JobRun) -> anyhow::Result<()> {
        match AssertUnwindSafe((self.job.run)(run)).catch_unwind().await {
            Ok(result) => result,
            Err(_) => Err(anyhow::anyhow!("the run panicked")),
        }
    }

    fn record(&self, outcome: JobOutcome, now: DateTime<Utc>) {
        let mut stats = self.stats.lock().unwrap_or_else(PoisonError::into_inner);
        match outcome {
            JobOutcome::Succeeded => {
                stats.successes += 1;
                stats.last_run = Some(now);
                stats.last_success = Some(now);
            }
            JobOutcome::Failed => {
                stats.failures += 1;
                stats.last_run = Some(now);
            }
            JobOutcome::Skipped => stats.skipped += 1,
        }
    }
}

/// Takes the job's advisory lock for the life of a transaction; `None` when another
/// session holds it.
async fn try_lock(conn: &DatabaseConnection, key: i64) -> Result<Option<DatabaseTransaction>, DbErr> {
    let txn = conn.begin().await?;
    let locked = txn
        .query_one_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_try_advisory_xact_lock($1) AS locked",
            [key.into()],
        ))
        .await?
        .map(|row| row.try_get::<bool>("", "locked"))
        .transpose()?
        .unwrap_or(false);
    if locked {
        Ok(Some(txn))
    } else {
        txn.rollback().await?;
        Ok(None)
    }
}

/// The job's advisory lock key: FNV-1a (64 bits) of `linli:job:<name>`. Stable across builds
/// and Rust versions (unlike `DefaultHasher`), so instances of different releases agree.
fn lock_key(name: &str) -> i64 {
    i64::from_be_bytes(fnv1a("linli:job:".bytes().chain(name.bytes())).to_be_bytes())
}

fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes
        .into_iter()
        .fold(OFFSET, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(PRIME))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    use chrono::TimeZone;

    use super::*;
    use crate::db::guarded::testing::ScratchDatabase;

    /// Reads tokio's (paused) clock, so `now` follows the test's simulated time exactly.
    struct TokioClock {
        base: DateTime<Utc>,
        start: tokio::time::Instant,
    }

    impl Clock for TokioClock {
        fn now(&self) -> DateTime<Utc> {
            self.base + chrono::Duration::from_std(self.start.elapsed()).unwrap()
        }
    }

    /// What `outbox_relay` hashes to; a change here would let old and new instances relay at once.
    const LOCK_KEY_OUTBOX_RELAY: i64 = -3_786_675_151_952_623_861;

    fn base() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap()
    }

    fn clock() -> Arc<TokioClock> {
        Arc::new(TokioClock {
            base: base(),
            start: tokio::time::Instant::now(),
        })
    }

    fn at(seconds: i64) -> DateTime<Utc> {
        base() + chrono::Duration::seconds(seconds)
    }

    /// A job that records the `now` of each run.
    fn recording(name: &str, interval: Duration) -> (Job, Arc<Mutex<Vec<DateTime<Utc>>>>) {
        let runs = Arc::new(Mutex::new(Vec::new()));
        let seen = runs.clone();
        let job = Job::new(name, interval, move |run| {
            let seen = seen.clone();
            async move {
                seen.lock().unwrap().push(run.now);
                Ok(())
            }
        });
        (job, runs)
    }

    #[derive(Default)]
    struct Reports(Mutex<Vec<(String, JobOutcome, DateTime<Utc>)>>);

    impl JobObserver for Reports {
        fn job_ran(&self, report: &JobReport<'_>) {
            self.0
                .lock()
                .unwrap()
                .push((report.job.to_owned(), report.outcome, report.started_at));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_job_runs_at_start_then_at_its_interval_with_the_clocks_now() {
        let (job, runs) = recording("tick", Duration::from_secs(10));
        let jobs = Jobs::new(clock()).with(job).start(&CancellationToken::new());
        tokio::time::sleep(Duration::from_secs(25)).await;
        assert_eq!(*runs.lock().unwrap(), [at(0), at(10), at(20)]);
        let stats = jobs.stats();
        assert_eq!(
            stats,
            [JobStats {
                name: "tick".into(),
                successes: 3,
                failures: 0,
                skipped: 0,
                last_run: Some(at(20)),
                last_success: Some(at(20)),
            }]
        );
        jobs.shutdown().await;
    }

    #[tokio::test(start_paused = true)]
    async fn a_notify_wakes_a_job_before_its_interval_which_then_counts_from_that_run() {
        let (job, runs) = recording("woken", Duration::from_secs(3600));
        let wake = Arc::new(Notify::new());
        let jobs = Jobs::new(clock())
            .with(job.woken_by(wake.clone()))
            .start(&CancellationToken::new());
        tokio::time::sleep(Duration::from_secs(5)).await;
        wake.notify_one();
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(*runs.lock().unwrap(), [at(0), at(5)]);
        tokio::time::sleep(Duration::from_secs(3600)).await;
        assert_eq!(*runs.lock().unwrap(), [at(0), at(5), at(3605)]);
        jobs.shutdown().await;
    }

    #[tokio::test(start_paused = true)]
    async fn a_failing_run_is_counted_and_the_job_runs_again_next_time() {
        let calls = Arc::new(AtomicUsize::new(0));
        let job = Job::new("flaky", Duration::from_secs(10), {
            let calls = calls.clone();
            move |_run| {
                let call = calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    match call {
                        0 => anyhow::bail!("the database is away"),
                        1 => panic!("a bug in the job"),
                        _ => Ok(()),
                    }
                }
            }
        });
        let reports = Arc::new(Reports::default());
        let jobs = Jobs::new(clock())
            .observed_by(reports.clone())
            .with(job)
            .start(&CancellationToken::new());
        tokio::time::sleep(Duration::from_secs(25)).await;
        let stats = jobs.stats().remove(0);
        assert_eq!((stats.runs(), stats.successes, stats.failures), (3, 1, 2));
        assert_eq!((stats.last_run, stats.last_success), (Some(at(20)), Some(at(20))));
        assert_eq!(
            *reports.0.lock().unwrap(),
            [
                ("flaky".to_owned(), JobOutcome::Failed, at(0)),
                ("flaky".to_owned(), JobOutcome::Failed, at(10)),
                ("flaky".to_owned(), JobOutcome::Succeeded, at(20)),
            ]
        );
        jobs.shutdown().await;
    }

    #[tokio::test(start_paused = true)]
    async fn after_a_failure_the_job_waits_retry_after_and_notifications_do_not_hurry_it() {
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let wake = Arc::new(Notify::new());
        let job = Job::new("relay", Duration::from_secs(60), {
            let (calls, seen) = (calls.clone(), seen.clone());
            move |run| {
                seen.lock().unwrap().push(run.now);
                let call = calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    anyhow::ensure!(call > 0, "first run fails");
                    Ok(())
                }
            }
        })
        .retry_after(Duration::from_secs(3))
        .woken_by(wake.clone());
        let jobs = Jobs::new(clock()).with(job).start(&CancellationToken::new());
        tokio::time::sleep(Duration::from_secs(1)).await;
        wake.notify_one();
        tokio::time::sleep(Duration::from_secs(5)).await;
        // Failed at 0, the notification at 1 waited, retried at 3; the kept notification
        // then woke it at once.
        assert_eq!(*seen.lock().unwrap(), [at(0), at(3), at(3)]);
        jobs.shutdown().await;
    }

    #[tokio::test(start_paused = true)]
    async fn shutdown_waits_for_a_running_job_and_stops_waiting_ones_at_once() {
        let started = Arc::new(Notify::new());
        let finished = Arc::new(AtomicBool::new(false));
        let slow = Job::new("slow", Duration::from_secs(1), {
            let (started, finished) = (started.clone(), finished.clone());
            move |_run| {
                let (started, finished) = (started.clone(), finished.clone());
                async move {
                    started.notify_one();
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    finished.store(true, Ordering::SeqCst);
                    Ok(())
                }
            }
        });
        let (idle, idle_runs) = recording("idle", Duration::from_secs(3600));
        let reports = Arc::new(Reports::default());
        let jobs = Jobs::new(clock())
            .observed_by(reports.clone())
            .with(slow)
            .with(idle)
            .start(&CancellationToken::new());
        started.notified().await;
        let begun = tokio::time::Instant::now();
        jobs.shutdown().await;
        assert!(
            finished.load(Ordering::SeqCst),
            "the running job finished its run"
        );
        assert_eq!(begun.elapsed(), Duration::from_secs(30), "and no longer");
        let slow_runs = reports.0.lock().unwrap().iter().filter(|r| r.0 == "slow").count();
        assert_eq!(slow_runs, 1, "no run began after shutdown");
        assert_eq!(idle_runs.lock().unwrap().len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn cancelling_the_applications_token_stops_the_jobs() {
        let (job, runs) = recording("tick", Duration::from_secs(10));
        let app_shutdown = CancellationToken::new();
        let jobs = Jobs::new(clock()).with(job).start(&app_shutdown);
        tokio::time::sleep(Duration::from_secs(5)).await;
        app_shutdown.cancel();
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(runs.lock().unwrap().len(), 1);
        jobs.shutdown().await;
    }

    #[test]
    fn lock_keys_are_stable_and_differ_by_name() {
        // The published FNV-1a test vectors: instances of different releases must agree.
        assert_eq!(fnv1a(*b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(*b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(*b"foobar"), 0x8594_4171_f739_67e8);
        assert_eq!(lock_key("outbox_relay"), LOCK_KEY_OUTBOX_RELAY);
        assert_ne!(lock_key("outbox_relay"), lock_key("idempotency_key_purge"));
    }

    /// A job that notes when two runs of it overlap.
    fn contended(active: &Arc<AtomicUsize>, overlaps: &Arc<AtomicUsize>) -> Job {
        let (active, overlaps) = (active.clone(), overlaps.clone());
        Job::new("contended", Duration::from_millis(2), move |_run| {
            let (active, overlaps) = (active.clone(), overlaps.clone());
            async move {
                if active.fetch_add(1, Ordering::SeqCst) > 0 {
                    overlaps.fetch_add(1, Ordering::SeqCst);
                }
                tokio::time::sleep(Duration::from_millis(15)).await;
                active.fetch_sub(1, Ordering::SeqCst);
                Ok(())
            }
        })
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn on_postgres_two_schedulers_never_run_one_job_at_the_same_moment() {
        let Some(scratch) = ScratchDatabase::postgres().await else {
            eprintln!("LINLI_TEST_DATABASE_URL is not set: skipped");
            return;
        };
        let clock: Arc<dyn Clock> = Arc::new(linli_kernel::ports::SystemClock);
        let run_for = Duration::from_millis(1500);

        // The detector works: without the lock the two schedulers do overlap.
        let (active, overlaps) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let unlocked: Vec<_> = (0..2)
            .map(|_| {
                Jobs::new(clock.clone())
                    .with(contended(&active, &overlaps))
                    .start(&CancellationToken::new())
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(300)).await;
        for jobs in unlocked {
            jobs.shutdown().await;
        }
        assert!(overlaps.load(Ordering::SeqCst) > 0, "unlocked runs overlap");

        // Two instances, each with its own pool on one database.
        let (active, overlaps) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let mut instances = Vec::new();
        for _ in 0..2 {
            let db = scratch.connect(4).await;
            instances.push(
                Jobs::new(clock.clone())
                    .exclusive_on(&db)
                    .with(contended(&active, &overlaps))
                    .start(&CancellationToken::new()),
            );
        }
        tokio::time::sleep(run_for).await;
        let stats: Vec<JobStats> = instances.iter().map(|jobs| jobs.stats().remove(0)).collect();
        for jobs in instances {
            jobs.shutdown().await;
        }
        assert_eq!(overlaps.load(Ordering::SeqCst), 0, "{stats:?}");
        let ran: u64 = stats.iter().map(|s| s.successes).sum();
        let skipped: u64 = stats.iter().map(|s| s.skipped).sum();
        assert!(ran >= 20, "the job kept running: {stats:?}");
        assert!(skipped > 0, "the instances did contend for the lock: {stats:?}");
        assert!(stats.iter().all(|s| s.failures == 0), "{stats:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_sqlite_a_job_just_runs() {
        let scratch = ScratchDatabase::sqlite();
        let db = scratch.connect(2).await;
        let (job, runs) = recording("plain", Duration::from_secs(3600));
        let jobs = Jobs::new(Arc::new(linli_kernel::ports::SystemClock))
            .exclusive_on(&db)
            .with(job)
            .start(&CancellationToken::new());
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(runs.lock().unwrap().len(), 1);
        jobs.shutdown().await;
    }
}
