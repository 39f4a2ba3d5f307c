use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use chrono::TimeZone;

use super::*;
use crate::db::testing::ScratchDatabase;

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
