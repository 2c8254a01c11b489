//! Request counts and latencies by route pattern, for the request log and `GET /metrics`
//! (Prometheus text format). Route patterns replace every identifier and code in a path
//! (`/api/v1/workers/{id}`), so nothing here names or points to a person.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

/// Paths deeper than this are no route of ours.
const MAX_SEGMENTS: usize = 6;

/// The route a path matched, with identifiers replaced: `/ui/schede/a000000000000017`
/// → `/ui/schede/{id}`, `/esito/K7Q2XM` → `/esito/{code}`. A path whose answer was 404
/// is `{other}`, so probes cannot grow the label set.
pub fn route_pattern(path: &str, status: u16) -> String {
    if status == 404 {
        return "{other}".to_string();
    }
    let mut out = String::new();
    let mut previous = "";
    for (i, segment) in path.split('/').filter(|s| !s.is_empty()).enumerate() {
        if i == MAX_SEGMENTS {
            return "{other}".to_string();
        }
        out.push('/');
        let word = segment.len() <= 32
            && segment.starts_with(|c: char| c.is_ascii_lowercase())
            && segment
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
        if matches!(previous, "outcome" | "esito") {
            out.push_str("{code}");
        } else if segment.len() == 16 && segment.chars().all(|c| c.is_ascii_hexdigit()) {
            out.push_str("{id}");
        } else if word {
            out.push_str(segment);
        } else {
            out.push_str("{param}");
        }
        previous = segment;
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    total: u64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (count, bound) in self.counts.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *count += 1;
            }
        }
        self.sum += seconds;
        self.total += 1;
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (count, bound) in self.counts.iter().zip(BUCKETS) {
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {count}");
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.total
        );
        let braces = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let _ = writeln!(out, "{name}_sum{braces} {}", self.sum);
        let _ = writeln!(out, "{name}_count{braces} {}", self.total);
    }
}

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: Histogram,
    matching: Histogram,
}

/// The service's counters since start-up.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

/// Figures read from the store when `/metrics` is asked for.
pub struct Gauges {
    pub store_bytes: u64,
    pub workers: usize,
    pub follow_ups_overdue: Option<usize>,
}

impl Metrics {
    /// Counts one answered request. Candidate rankings also count as matching time.
    pub fn record(&self, method: &str, route: &str, status: u16, took: Duration) {
        let mut m = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        *m.requests
            .entry((method.to_string(), route.to_string(), status))
            .or_default() += 1;
        let seconds = took.as_secs_f64();
        m.latency.observe(seconds);
        if route.ends_with("/candidates") && status == 200 {
            m.matching.observe(seconds);
        }
    }

    /// The Prometheus text exposition (version 0.0.4).
    pub fn render(&self, gauges: &Gauges) -> String {
        let m = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        out.push_str("# HELP dom_http_requests_total HTTP requests answered, by route pattern and status.\n# TYPE dom_http_requests_total counter\n");
        for ((method, route, status), n) in &m.requests {
            let _ = writeln!(
                out,
                "dom_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                route.replace('\\', "\\\\").replace('"', "\\\"")
            );
        }
        out.push_str("# HELP dom_http_request_duration_seconds Time to answer a request.\n# TYPE dom_http_request_duration_seconds histogram\n");
        m.latency
            .render(&mut out, "dom_http_request_duration_seconds", "");
        out.push_str("# HELP dom_matching_duration_seconds Time to rank the candidates of a request.\n# TYPE dom_matching_duration_seconds histogram\n");
        m.matching
            .render(&mut out, "dom_matching_duration_seconds", "");
        let _ = writeln!(
            out,
            "# HELP dom_store_bytes Size of the store folder on disk.\n# TYPE dom_store_bytes gauge\ndom_store_bytes {}",
            gauges.store_bytes
        );
        let _ = writeln!(
            out,
            "# HELP dom_worker_cards Worker cards in the store.\n# TYPE dom_worker_cards gauge\ndom_worker_cards {}",
            gauges.workers
        );
        if let Some(n) = gauges.follow_ups_overdue {
            let _ = writeln!(
                out,
                "# HELP dom_follow_ups_overdue Follow-ups past their day without an answer.\n# TYPE dom_follow_ups_overdue gauge\ndom_follow_ups_overdue {n}"
            );
        }
        out
    }
}

/// Bytes under `dir`, recursively (symbolic links not followed).
pub fn folder_bytes(dir: &std::path::Path) -> u64 {
    let mut total = 0;
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => todo.push(e.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_name_routes_not_records() {
        assert_eq!(
            route_pattern("/api/v1/workers/a000000000000017", 200),
            "/api/v1/workers/{id}"
        );
        assert_eq!(
            route_pattern("/api/v1/requests/b000000000000001/candidates", 200),
            "/api/v1/requests/{id}/candidates"
        );
        assert_eq!(route_pattern("/esito/abcdef", 200), "/esito/{code}");
        assert_eq!(
            route_pattern("/api/v1/outcome/K7Q2XM", 429),
            "/api/v1/outcome/{code}"
        );
        assert_eq!(route_pattern("/ui/schede/nuova", 200), "/ui/schede/nuova");
        assert_eq!(
            route_pattern("/ui/schede/Maria%20Rossi", 400),
            "/ui/schede/{param}"
        );
        assert_eq!(route_pattern("/", 200), "/");
        assert_eq!(route_pattern("/wp-admin/anything", 404), "{other}");
        assert_eq!(route_pattern("/a/b/c/d/e/f/g", 400), "{other}");
    }

    #[test]
    fn the_exposition_counts_and_buckets() {
        let m = Metrics::default();
        m.record("GET", "/healthz", 200, Duration::from_millis(2));
        m.record("GET", "/healthz", 200, Duration::from_millis(30));
        m.record(
            "GET",
            "/api/v1/requests/{id}/candidates",
            200,
            Duration::from_millis(7),
        );
        let text = m.render(&Gauges {
            store_bytes: 4096,
            workers: 3,
            follow_ups_overdue: Some(1),
        });
        assert!(text.contains(
            "dom_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2"
        ));
        assert!(text.contains("dom_http_request_duration_seconds_bucket{le=\"0.005\"} 1"));
        assert!(text.contains("dom_http_request_duration_seconds_bucket{le=\"+Inf\"} 3"));
        assert!(text.contains("dom_matching_duration_seconds_count 1"));
        assert!(text.contains("dom_store_bytes 4096"));
        assert!(text.contains("dom_follow_ups_overdue 1"));
    }

    #[test]
    fn folder_sizes_add_up() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("a"), [0u8; 10]).unwrap();
        std::fs::write(dir.path().join("sub").join("b"), [0u8; 5]).unwrap();
        assert_eq!(folder_bytes(dir.path()), 15);
    }
}
