//! The service's log: `tracing` to stderr, as text or one JSON object per line, filtered
//! by `DOM_LOG` (or `RUST_LOG`). Log lines carry ids and counts, never personal data.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::cli::LogFormat;

/// Libraries whose own logs are noise at `info` (tantivy logs every merge).
const QUIET: &str = "tantivy=warn,sled=warn,hyper=warn,hyper_util=warn,warp=warn";

/// The filter: `DOM_LOG`, else `RUST_LOG`, else `default` for DOM and warnings for
/// the libraries. A filter that does not parse falls back to the default, said once.
fn filter(default: &str) -> (EnvFilter, Option<String>) {
    let fallback = || EnvFilter::new(format!("{default},{QUIET}"));
    match std::env::var("DOM_LOG").or_else(|_| std::env::var("RUST_LOG")) {
        Ok(spec) if !spec.trim().is_empty() => match EnvFilter::try_new(&spec) {
            Ok(f) => (f, None),
            Err(e) => (
                fallback(),
                Some(format!("filtro dei log non valido ({spec}): {e}")),
            ),
        },
        _ => (fallback(), None),
    }
}

/// Installs the subscriber once per process (later calls do nothing).
pub fn init(format: LogFormat, default: &str) {
    let (filter, problem) = filter(default);
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    if let (Ok(()), Some(p)) = (installed, problem) {
        tracing::warn!("{p}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_keeps_libraries_quiet() {
        let (f, problem) = filter("info");
        let text = f.to_string();
        assert!(problem.is_none() || std::env::var("DOM_LOG").is_ok());
        if std::env::var("DOM_LOG").is_err() && std::env::var("RUST_LOG").is_err() {
            assert!(
                text.contains("tantivy=warn") && text.contains("info"),
                "{text}"
            );
        }
    }
}
