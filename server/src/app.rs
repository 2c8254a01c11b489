//! Building and running the service: open the engine, seed the demo, bind the listener
//! (port 0 allowed), serve until shut down, and run the background tasks.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use matcher::followup::FollowUpPolicy;
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
}

/// What every handler shares.
pub struct State {
    pub engine: Engine,
    pub auth: Auth,
    pub policy: FollowUpPolicy,
    /// Public outcome reports, per code and per client address.
    pub outcome_per_code: RateLimiter,
    pub outcome_per_client: RateLimiter,
}

impl State {
    pub fn new(engine: Engine, policy: FollowUpPolicy) -> Result<State, matcher::Error> {
        let operators = engine
            .store()
            .operators
            .iter()
            .collect::<Result<Vec<_>, _>>()?;
        Ok(State {
            engine,
            auth: Auth::new(operators),
            policy,
            outcome_per_code: RateLimiter::new(5, Duration::from_secs(3600)),
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
        let data = settings.data.clone();
        let demo = settings.demo;
        let policy = settings.policy.clone();
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
            State::new(engine, policy).map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| e.to_string())??;
        let listener = tokio::net::TcpListener::bind(settings.addr)
            .await
            .map_err(|e| format!("impossibile ascoltare su {}: {e}", settings.addr))?;
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
        warp::serve(crate::api::routes(Arc::clone(&state)))
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
    }
}

/// Explains the usual reasons a data folder does not open.
pub fn open_error(data: &std::path::Path, e: &matcher::Error) -> String {
    let text = e.to_string();
    if text.contains("lock")
        || text.contains("WouldBlock")
        || text.contains("temporarily unavailable")
    {
        format!(
            "l'archivio {} è già in uso da un altro processo (un `dom serve` attivo?)",
            data.display()
        )
    } else {
        format!("impossibile aprire l'archivio {}: {text}", data.display())
    }
}
