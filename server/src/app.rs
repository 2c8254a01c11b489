//! Building and running the service: open the engine, seed the demo, bind the listener
//! (port 0 allowed), serve until shut down, and run the background tasks.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use matcher::FollowUpPolicy;
use matcher::{Date, Engine};

use crate::auth::Auth;
use crate::error::ApiError;
use crate::limits::RateLimiter;

/// How often staged index changes are committed when nothing else commits them.
const COMMIT_EVERY: Duration = Duration::from_secs(2);
/// How often follow-ups are checked for lateness and stale cards retired.
const SWEEP_EVERY: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone)]
pub struct Settings {
    pub data: PathBuf,
    pub addr: SocketAddr,
    pub demo: bool,
    pub policy: FollowUpPolicy,
    /// Requests per minute one token may make (0: no limit, for load tests).
    pub rate_per_minute: u32,
    /// Months after which closed requests and old proposals are de-identified.
    pub keep_months: u32,
}

/// Default per-token budget: a busy operator clicking through the interface makes a few
/// requests a second; a script looping on the API is slowed down, not served.
pub const RATE_PER_MINUTE: u32 = 600;
/// Default retention of closed requests and proposals, in months.
pub const KEEP_MONTHS: u32 = 24;

/// What every handler shares.
pub struct State {
    pub engine: Engine,
    pub auth: Auth,
    pub policy: FollowUpPolicy,
    /// The data folder (backups are staged in it before they are streamed).
    pub data: PathBuf,
    pub keep_months: u32,
    /// Public outcome reports, per code and per client address.
    pub outcome_per_code: RateLimiter,
    /// Signed-in sessions of the web interface.
    pub sessions: crate::web::session::Sessions,
    pub outcome_per_client: RateLimiter,
}

impl State {
    pub fn new(engine: Engine, settings: &Settings) -> Result<State, matcher::Error> {
        let operators = engine.operators()?;
        Ok(State {
            engine,
            auth: Auth::new(operators, settings.rate_per_minute),
            policy: settings.policy.clone(),
            data: settings.data.clone(),
            keep_months: settings.keep_months,
            outcome_per_code: RateLimiter::new(5, Duration::from_secs(3600)),
            sessions: Default::default(),
            outcome_per_client: RateLimiter::new(30, Duration::from_secs(3600)),
        })
    }

    /// Runs blocking engine work (sled, tantivy, rayon) off the async threads.
    pub async fn blocking<T, F>(self: &Arc<Self>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&State) -> Result<T, ApiError> + Send + 'static,
    {
        let state = Arc::clone(self);
        tokio::task::spawn_blocking(move || f(&state))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?
    }
}

pub struct Application {
    listener: tokio::net::TcpListener,
    state: Arc<State>,
}

impl Application {
    /// Opens the data folder (seeding demo data into an empty store if asked) and binds.
    pub async fn build(settings: Settings) -> Result<Application, String> {
        let addr = settings.addr;
        let data = settings.data.clone();
        let demo = settings.demo;
        let state = tokio::task::spawn_blocking(move || -> Result<State, String> {
            let engine = Engine::open(&data).map_err(|e| open_error(&data, &e))?;
            for (corpus, recovery) in engine.recovery() {
                if *recovery != matcher::Recovery::Consistent {
                    eprintln!("indice {corpus}: {recovery:?}");
                }
            }
            if demo && engine.seed_demo(Date::today()).map_err(|e| e.to_string())? {
                eprintln!("dati dimostrativi caricati in {}", data.display());
            }
            State::new(engine, &settings).map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| e.to_string())??;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("impossibile ascoltare su {addr}: {e}"))?;
        Ok(Application {
            listener,
            state: Arc::new(state),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    pub fn state(&self) -> Arc<State> {
        Arc::clone(&self.state)
    }

    /// Serves until `shutdown` resolves, then commits what is staged.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) {
        let state = self.state;
        let ticker = tokio::spawn(commit_loop(Arc::clone(&state)));
        let sweeper = tokio::spawn(sweep_loop(Arc::clone(&state)));
        warp::serve(routes(Arc::clone(&state)))
            .incoming(self.listener)
            .graceful(shutdown)
            .run()
            .await;
        ticker.abort();
        sweeper.abort();
        if let Err(e) = state.blocking(|s| Ok(s.engine.close()?)).await {
            eprintln!("chiusura non riuscita: {e}");
        }
    }
}

async fn commit_loop(state: Arc<State>) {
    let mut every = tokio::time::interval(COMMIT_EVERY);
    loop {
        every.tick().await;
        if let Err(e) = state.blocking(|s| Ok(s.engine.commit()?)).await {
            eprintln!("commit dell'indice non riuscito: {e}");
        }
    }
}

/// Marks follow-ups overdue and retires cards not confirmed for a year; first run at
/// start-up, so a server that was off for days catches up at once.
async fn sweep_loop(state: Arc<State>) {
    let mut every = tokio::time::interval(SWEEP_EVERY);
    loop {
        every.tick().await;
        match state.blocking(|s| Ok(s.engine.sweep(Date::today())?)).await {
            Ok(s) if s.overdue + s.inactivated > 0 => eprintln!(
                "verifiche in ritardo: {}, schede diventate non attive: {}",
                s.overdue, s.inactivated
            ),
            Ok(_) => {}
            Err(e) => eprintln!("controllo periodico non riuscito: {e}"),
        }
        let retention = state
            .blocking(|s| {
                let today = Date::today();
                Ok(s.engine
                    .apply_retention(retention_cutoff(today, s.keep_months), today)?)
            })
            .await;
        match retention {
            Ok(r) if r.requests + r.proposals > 0 => eprintln!(
                "anonimizzate per scadenza: {} richieste, {} proposte",
                r.requests, r.proposals
            ),
            Ok(_) => {}
            Err(e) => eprintln!("anonimizzazione periodica non riuscita: {e}"),
        }
    }
}

/// The day before which closed requests and proposals are de-identified: the same day
/// of the month, `months` months ago (clamped to the month's end).
pub fn retention_cutoff(today: Date, months: u32) -> Date {
    let (y, m, d) = today.ymd();
    let total = y * 12 + (m as i32 - 1) - months as i32;
    let (year, month) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
    (1..=d)
        .rev()
        .find_map(|day| Date::from_ymd(year, month, day))
        .unwrap_or(today)
}

/// Every route of the service: the API, the web interface beside it, and the one
/// rendering of whatever neither answered.
pub fn routes(
    state: Arc<State>,
) -> impl warp::Filter<Extract = (warp::reply::Response,), Error = std::convert::Infallible> + Clone
{
    use warp::Filter;
    crate::api::routes(Arc::clone(&state))
        .or(crate::web::routes(state))
        .unify()
        .recover(crate::api::handle_rejection)
        .unify()
}

/// Explains why a data folder did not open, for the operator at the console.
pub fn open_error(data: &std::path::Path, e: &matcher::Error) -> String {
    match e {
        // Its own message already names the folder and the likely cause.
        matcher::Error::StoreInUse { .. } => e.to_string(),
        _ => format!("impossibile aprire l'archivio {}: {e}", data.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_cutoff_counts_calendar_months() {
        let d = |y, m, day| Date::from_ymd(y, m, day).unwrap();
        assert_eq!(retention_cutoff(d(2026, 11, 22), 24), d(2024, 11, 22));
        assert_eq!(retention_cutoff(d(2026, 3, 31), 1), d(2026, 2, 28));
        assert_eq!(retention_cutoff(d(2026, 1, 15), 13), d(2024, 12, 15));
    }
}
