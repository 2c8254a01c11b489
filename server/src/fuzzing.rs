//! Entry points of the fuzz targets in `fuzz/`: every parser that takes outside input.
//! Each checks its own properties (a panic is a finding). The unit test below replays the
//! committed corpus, so CI guards against regressions on the stable toolchain.

use std::sync::{Arc, OnceLock};

use matcher::{parse_line, parse_request_line, Comuni};
use matcher::{Date, Engine, Error};

use crate::app::{Settings, State};

fn today() -> Date {
    Date::from_ymd(2026, 11, 20).unwrap_or_else(Date::today)
}

/// Refusals of outside input must be input errors naming a field, never a store or
/// internal error.
fn assert_input_error(e: &Error, input: &[u8]) {
    assert!(
        e.field().is_some(),
        "non-input error {e:?} for {:?}",
        String::from_utf8_lossy(input)
    );
}

/// A worker create body (also one line of a JSONL import): a valid card survives a
/// round trip through its own editable form unchanged.
pub fn worker_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_line(text, today()) {
        Ok(w) => {
            let again = matcher::validate_worker(w.to_input(), w.id, today())
                .unwrap_or_else(|e| panic!("a valid card no longer validates: {e:?}"));
            assert_eq!(again, w);
        }
        Err(e) => assert_input_error(&e, data),
    }
}

/// A family request create body, through the anti-discrimination guard.
pub fn request_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_request_line(text, today()) {
        Ok(r) => {
            let again = matcher::validate_request(r.to_input(), r.id, today())
                .unwrap_or_else(|e| panic!("a valid request no longer validates: {e:?}"));
            assert_eq!(again, r);
        }
        Err(e) => assert_input_error(&e, data),
    }
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::temporary().expect("temporary engine"))
}

/// A whole JSONL import file: every line is either imported or refused with its number.
pub fn import_jsonl(data: &[u8]) {
    let lines = data.split(|b| *b == b'\n').count();
    let before = engine().worker_count();
    match engine().import_jsonl(data, today()) {
        Ok(report) => {
            assert!(report.imported + report.refused.len() <= lines);
            for (line, e) in &report.refused {
                assert!((1..=lines).contains(line), "line {line} of {lines}");
                assert!(
                    e.field().is_some() || matches!(e, Error::Invalid { .. }),
                    "{e:?}"
                );
            }
            assert_eq!(engine().worker_count(), before + report.imported);
        }
        Err(e) => panic!("import failed outright: {e:?}"),
    }
}

/// A comune name as typed by an operator: resolved, or refused with a few suggestions.
pub fn comune_name(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Comuni::get().resolve("comune", text) {
        Ok(c) => assert!(Comuni::get().by_code(&c.istat).is_some()),
        Err(Error::UnknownComune { suggestions, .. }) => assert!(suggestions.len() <= 5),
        Err(e) => assert_input_error(&e, data),
    }
}

struct Service {
    runtime: tokio::runtime::Runtime,
    state: Arc<State>,
}

fn service() -> &'static Service {
    static SERVICE: OnceLock<Service> = OnceLock::new();
    SERVICE.get_or_init(|| {
        let engine = Engine::temporary().expect("temporary engine");
        engine.seed_demo(today()).expect("demo data");
        let settings = Settings {
            data: std::env::temp_dir(),
            addr: ([127, 0, 0, 1], 0).into(),
            demo: true,
            demo_history: false,
            policy: Default::default(),
            rate_per_minute: 0,
            keep_months: crate::app::KEEP_MONTHS,
            public_url: None,
        };
        Service {
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime"),
            state: Arc::new(State::new(engine, &settings).expect("state")),
        }
    })
}

/// A query string on each read endpoint that takes parameters, through the real routes:
/// any answer but a 5xx.
pub fn query_string(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(query) = std::str::from_utf8(rest) else {
        return;
    };
    let path = [
        "/api/v1/workers",
        "/api/v1/requests",
        "/api/v1/requests/b000000000000001/candidates",
        "/api/v1/workers/a000000000000017/openings",
        "/api/v1/follow-ups",
        "/api/v1/reports/monthly",
    ][usize::from(which) % 6];
    let uri = format!("{path}?{query}");
    // What hyper would refuse before any DOM code runs.
    if uri.parse::<warp::http::Uri>().is_err() {
        return;
    }
    let s = service();
    let token = if path.contains("reports") {
        "Bearer demo-coordinatore"
    } else {
        "Bearer demo-sportello"
    };
    let resp = s.runtime.block_on(
        warp::test::request()
            .method("GET")
            .path(&uri)
            .header("authorization", token)
            .reply(&crate::api::routes(s.state.clone())),
    );
    assert!(
        resp.status().as_u16() < 500,
        "{uri}: {} {:?}",
        resp.status(),
        resp.body()
    );
}

/// A fuzz target's entry point.
pub type Target = fn(&[u8]);

/// The fuzz targets by name, as `fuzz/fuzz_targets/` and the corpus folders name them.
pub const TARGETS: &[(&str, Target)] = &[
    ("worker_json", worker_json),
    ("request_json", request_json),
    ("import_jsonl", import_jsonl),
    ("comune_name", comune_name),
    ("query_string", query_string),
];

#[cfg(test)]
mod tests {
    use super::TARGETS;

    /// Replays every committed corpus input of every target.
    #[test]
    fn fuzz_corpus_replays_cleanly() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
        for (name, target) in TARGETS {
            let dir = root.join(name);
            let mut inputs = 0;
            for entry in
                std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            {
                let path = entry.unwrap().path();
                let data = std::fs::read(&path).unwrap();
                target(&data);
                inputs += 1;
            }
            assert!(inputs >= 5, "{name}: only {inputs} corpus inputs");
        }
    }
}
