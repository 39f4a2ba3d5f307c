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
mod tests;
