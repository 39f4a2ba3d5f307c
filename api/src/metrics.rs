//! Prometheus metrics: request counts and latencies by route template and status, and the
//! background jobs' runs by job name.

use std::sync::atomic::AtomicU64;

use linli_infra::jobs::{JobObserver, JobOutcome, JobReport};
use poem::http::Method;
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The method as a label: the standard ones by name, anything else `other`, so made-up
/// methods cannot add series (or megabytes) to `/metrics`.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// One of [`method_label`]'s.
    pub method: String,
    /// The route template (`/api/v1/grids/:id`), never the raw path, so ids do not
    /// explode the number of series.
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct JobLabels {
    pub job: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct JobRunLabels {
    pub job: String,
    pub outcome: RunOutcome,
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)] // the label values as Prometheus shows them
pub enum RunOutcome {
    ok,
    failed,
}

/// A Unix time in seconds, as Prometheus timestamps go.
type Timestamp = Gauge<f64, AtomicU64>;

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RequestLabels, Histogram>,
    job_runs: Family<JobRunLabels, Counter>,
    /// Runs this instance skipped because another held the job's lock (PostgreSQL).
    job_skips: Family<JobLabels, Counter>,
    job_last_run: Family<JobLabels, Timestamp>,
    job_last_success: Family<JobLabels, Timestamp>,
    redis: RedisGauges,
}

/// Redis's circuit breaker, read when metrics are rendered.
#[derive(Default)]
struct RedisGauges {
    open: Gauge,
    trips: Gauge,
    skipped: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("linli");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RequestLabels, Histogram>::new_with_constructor(
            (|| Histogram::new(exponential_buckets(0.001, 2.0, 14))) as fn() -> Histogram,
        );
        registry.register("http_requests", "HTTP requests served", requests.clone());
        registry.register(
            "http_request_duration_seconds",
            "Time to answer HTTP requests",
            latency.clone(),
        );
        let job_runs = Family::<JobRunLabels, Counter>::default();
        let job_skips = Family::<JobLabels, Counter>::default();
        let job_last_run = Family::<JobLabels, Timestamp>::default();
        let job_last_success = Family::<JobLabels, Timestamp>::default();
        registry.register(
            "job_runs",
            "Background job runs on this instance, by outcome",
            job_runs.clone(),
        );
        registry.register(
            "job_skipped",
            "Background job runs skipped because another instance held the job's lock",
            job_skips.clone(),
        );
        registry.register(
            "job_last_run_timestamp_seconds",
            "When the job last ran on this instance (Unix time), succeeded or failed",
            job_last_run.clone(),
        );
        registry.register(
            "job_last_success_timestamp_seconds",
            "When the job last succeeded on this instance (Unix time)",
            job_last_success.clone(),
        );
        let redis = RedisGauges::default();
        registry.register(
            "redis_breaker_open",
            "1 while Redis is skipped after a failure (requests fall back), 0 otherwise",
            redis.open.clone(),
        );
        registry.register(
            "redis_breaker_trips",
            "How often Redis failed and its breaker opened, since start (never decreases)",
            redis.trips.clone(),
        );
        registry.register(
            "redis_calls_skipped",
            "Redis calls skipped while its breaker was open, since start (never decreases)",
            redis.skipped.clone(),
        );
        Self {
            registry,
            redis,
            requests,
            latency,
            job_runs,
            job_skips,
            job_last_run,
            job_last_success,
        }
    }
}

impl Metrics {
    pub fn observe(&self, labels: RequestLabels, seconds: f64) {
        self.requests.get_or_create(&labels).inc();
        self.latency.get_or_create(&labels).observe(seconds);
    }

    /// Takes in the Redis breaker's state before a render.
    pub fn record_redis(&self, breaker: &linli_infra::redis_guard::RedisGuard) {
        self.redis.open.set(i64::from(breaker.is_open()));
        self.redis
            .trips
            .set(i64::try_from(breaker.trips()).unwrap_or(i64::MAX));
        self.redis
            .skipped
            .set(i64::try_from(breaker.skipped()).unwrap_or(i64::MAX));
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::error!(error = %e, "encoding metrics failed");
        }
        out
    }
}

impl JobObserver for Metrics {
    fn job_registered(&self, job: &str) {
        // Every job's series exist from the start, at zero, so a job that never ran shows.
        for outcome in [RunOutcome::ok, RunOutcome::failed] {
            drop(self.job_runs.get_or_create(&JobRunLabels {
                job: job.to_owned(),
                outcome,
            }));
        }
        drop(self.job_skips.get_or_create(&JobLabels { job: job.to_owned() }));
    }

    fn job_ran(&self, report: &JobReport<'_>) {
        let labels = JobLabels {
            job: report.job.to_owned(),
        };
        // Milliseconds are exact in an f64 for the next few hundred thousand years.
        #[allow(clippy::cast_precision_loss)]
        let at = report.started_at.timestamp_millis() as f64 / 1000.0;
        let outcome = match report.outcome {
            JobOutcome::Succeeded => RunOutcome::ok,
            JobOutcome::Failed => RunOutcome::failed,
            JobOutcome::Skipped => {
                self.job_skips.get_or_create(&labels).inc();
                return;
            }
        };
        self.job_runs
            .get_or_create(&JobRunLabels {
                job: report.job.to_owned(),
                outcome,
            })
            .inc();
        self.job_last_run.get_or_create(&labels).set(at);
        if outcome == RunOutcome::ok {
            self.job_last_success.get_or_create(&labels).set(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::TimeZone;

    use super::*;

    #[test]
    fn job_runs_show_as_counters_and_timestamps_by_job() {
        let metrics = Metrics::default();
        metrics.job_registered("outbox_relay");
        let never_ran = metrics.render();
        assert!(
            never_ran.contains(r#"linli_job_runs_total{job="outbox_relay",outcome="ok"} 0"#),
            "{never_ran}"
        );
        let at = chrono::Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap();
        let report = |outcome| JobReport {
            job: "outbox_relay",
            outcome,
            started_at: at,
            duration: Duration::from_millis(3),
        };
        metrics.job_ran(&report(JobOutcome::Succeeded));
        metrics.job_ran(&report(JobOutcome::Failed));
        metrics.job_ran(&report(JobOutcome::Skipped));
        let text = metrics.render();
        for line in [
            r#"linli_job_runs_total{job="outbox_relay",outcome="ok"} 1"#,
            r#"linli_job_runs_total{job="outbox_relay",outcome="failed"} 1"#,
            r#"linli_job_skipped_total{job="outbox_relay"} 1"#,
            r#"linli_job_last_run_timestamp_seconds{job="outbox_relay"} 1795593600.0"#,
            r#"linli_job_last_success_timestamp_seconds{job="outbox_relay"} 1795593600.0"#,
        ] {
            assert!(text.contains(line), "{line} in {text}");
        }
    }
}
