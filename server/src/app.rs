//! Building and running the service: open the engine, seed the demo, bind the listener
//! (port 0 allowed), serve until shut down, and run the background tasks. Connections
//! are accepted here (not by `warp::serve`) to bound them: a connection cap, a
//! header-read timeout, the client address behind trusted proxies, one log line and
//! the metrics for every request.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower_service::Service;
use tracing::{debug, error, info, warn};
use warp::http::{Request, StatusCode};
use warp::Filter;

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
    /// With `demo`: also the twelve months of history (off for tests that count exact
    /// figures over the year).
    pub demo_history: bool,
    pub policy: FollowUpPolicy,
    /// Requests per minute one token may make (0: no limit, for load tests).
    pub rate_per_minute: u32,
    /// Months after which closed requests and old proposals are de-identified.
    pub keep_months: u32,
    /// The address families use (`--public-url`), for the outcome page's links in
    /// messages and on the printed family cards; without it, the address the operator's
    /// browser used.
    pub public_url: Option<String>,
}

/// How the service meets the network: proxies, HTTPS, slow clients, metrics.
#[derive(Debug, Clone)]
pub struct Network {
    /// Peers whose `X-Forwarded-For` / `Forwarded` / `X-Forwarded-Proto` are believed.
    pub proxies: crate::client::Proxies,
    /// The public address is `https://…`: session cookies get the `Secure` flag.
    pub public_https: bool,
    /// Longest a client may take to send a request's headers.
    pub header_timeout: Duration,
    /// Connections served at once; further ones wait in the kernel's queue.
    pub max_connections: usize,
    /// A second listener answering only `GET /metrics`, without a token.
    pub metrics_addr: Option<SocketAddr>,
}

pub const HEADER_TIMEOUT_S: u64 = 10;
pub const MAX_CONNECTIONS: usize = 512;

impl Default for Network {
    fn default() -> Network {
        Network {
            proxies: Default::default(),
            public_https: false,
            header_timeout: Duration::from_secs(HEADER_TIMEOUT_S),
            max_connections: MAX_CONNECTIONS,
            metrics_addr: None,
        }
    }
}

/// How long open connections may finish their answer after a shutdown signal.
const DRAIN: Duration = Duration::from_secs(10);

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
    /// See `Settings::public_url` (no trailing slash).
    pub public_url: Option<String>,
    /// Public outcome reports, per code and per client address.
    pub outcome_per_code: RateLimiter,
    /// Signed-in sessions of the web interface.
    pub sessions: crate::web::session::Sessions,
    pub outcome_per_client: RateLimiter,
    /// Request counts and latencies for `/metrics`.
    pub metrics: crate::metrics::Metrics,
    /// Recent candidates answers, valid for one engine write generation and one day.
    pub candidates: crate::candidates_cache::CandidatesCache,
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
            public_url: settings
                .public_url
                .as_ref()
                .map(|u| u.trim_end_matches('/').to_string()),
            outcome_per_code: RateLimiter::new(5, Duration::from_secs(3600)),
            sessions: Default::default(),
            outcome_per_client: RateLimiter::new(30, Duration::from_secs(3600)),
            metrics: Default::default(),
            candidates: Default::default(),
        })
    }

    /// The stamp an answer computed now is valid for: the engine's write generation
    /// (read before computing) and today.
    pub fn stamp(&self) -> crate::candidates_cache::Stamp {
        crate::candidates_cache::Stamp {
            generation: self.engine.generation(),
            day: Date::today(),
        }
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
        let (demo, history) = (settings.demo, settings.demo_history);
        let state = tokio::task::spawn_blocking(move || -> Result<State, String> {
            let engine = Engine::open(&data).map_err(|e| open_error(&data, &e))?;
            for (corpus, recovery) in engine.recovery() {
                if *recovery != matcher::Recovery::Consistent {
                    warn!(corpus = %corpus, recovery = ?recovery, "indice riparato all'apertura");
                }
            }
            let seeded = match (demo, history) {
                (false, _) => Ok(false),
                (true, true) => engine.seed_demo_with_history(Date::today()),
                (true, false) => engine.seed_demo(Date::today()),
            }
            .map_err(|e| e.to_string())?;
            if seeded {
                info!(data = %data.display(), "dati dimostrativi caricati");
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

    /// Serves until `shutdown` resolves, then commits what is staged (default network
    /// settings).
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) {
        self.serve(Network::default(), shutdown).await
    }

    /// Serves until `shutdown` resolves, lets open connections finish (up to `DRAIN`),
    /// then commits what is staged.
    pub async fn serve(self, net: Network, shutdown: impl Future<Output = ()> + Send + 'static) {
        let state = self.state;
        let ticker = tokio::spawn(commit_loop(Arc::clone(&state)));
        let sweeper = tokio::spawn(sweep_loop(Arc::clone(&state)));
        let metrics_listener = match net.metrics_addr {
            Some(addr) => match TcpListener::bind(addr).await {
                Ok(l) => {
                    info!(addr = %addr, "metriche in ascolto");
                    Some(tokio::spawn(serve_metrics(l, Arc::clone(&state))))
                }
                Err(e) => {
                    error!(addr = %addr, error = %e, "impossibile ascoltare per le metriche");
                    None
                }
            },
            None => None,
        };
        accept_loop(self.listener, Arc::clone(&state), net, shutdown).await;
        ticker.abort();
        sweeper.abort();
        if let Some(m) = metrics_listener {
            m.abort();
        }
        // The day's first uses still queued are written before the store closes.
        match state
            .blocking(|s| {
                crate::operators::record_uses(s);
                Ok(s.engine.close()?)
            })
            .await
        {
            Ok(()) => info!("archivio chiuso"),
            Err(e) => error!(error = %e, "chiusura non riuscita"),
        }
    }
}

/// Accepts connections while fewer than `max_connections` are open; each gets the
/// header-read timeout and every request goes through [`handle`].
async fn accept_loop(
    listener: TcpListener,
    state: Arc<State>,
    net: Network,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let routes = warp::service(routes(Arc::clone(&state)));
    let slots = Arc::new(Semaphore::new(net.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let net = Arc::new(net);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            _ = &mut shutdown => break,
            p = Arc::clone(&slots).acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let (stream, peer) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors, most likely: wait instead of spinning.
                    warn!(error = %e, "connessione non accettata");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let routes = routes.clone();
        let state = Arc::clone(&state);
        let timeout = net.header_timeout;
        let net = Arc::clone(&net);
        let service = hyper::service::service_fn(move |req: Request<Incoming>| {
            handle(
                req,
                peer,
                routes.clone(),
                Arc::clone(&state),
                Arc::clone(&net),
            )
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(timeout);
        let conn = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                debug!(error = %e, "connessione chiusa con errore");
            }
            drop(permit);
        });
    }
    drop(listener);
    info!("arresto: nessuna nuova connessione, attesa di quelle aperte");
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        warn!(
            "arresto: connessioni ancora aperte dopo {} s, chiuse",
            DRAIN.as_secs()
        );
    }
}

/// One request: who is asking (behind trusted proxies), the routes (or `/metrics` for an
/// admin), then one log line — method, route pattern, status, latency, operator id;
/// never a path with identifiers, a query, a name or a token.
async fn handle<F>(
    req: Request<Incoming>,
    peer: SocketAddr,
    mut routes: F,
    state: Arc<State>,
    net: Arc<Network>,
) -> Result<warp::reply::Response, Infallible>
where
    F: Service<Request<Incoming>, Response = warp::reply::Response, Error = Infallible>,
{
    let started = Instant::now();
    let client = net.proxies.client(peer.ip(), req.headers());
    let https = net.public_https || net.proxies.forwarded_https(peer.ip(), req.headers());
    let context = Arc::new(crate::client::Context::new(client, https));
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let response = if path == "/metrics" {
        let auth = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        crate::client::scope(
            Arc::clone(&context),
            metrics_for_admin(auth, Arc::clone(&state)),
        )
        .await
    } else {
        crate::client::scope(Arc::clone(&context), routes.call(req)).await?
    };
    let status = response.status().as_u16();
    let took = started.elapsed();
    let route = crate::metrics::route_pattern(&path, status);
    state.metrics.record(&method, &route, status, took);
    let ms = took.as_secs_f64() * 1000.0;
    let operator = context.operator();
    let operator = operator.as_deref().unwrap_or("-");
    if status >= 500 {
        error!(target: "dom::http", method = %method, route = %route, status, ms, operator, "richiesta");
    } else if route == "/healthz" && status == 200 {
        // Probes every few seconds: visible with DOM_LOG=debug, not noise by default.
        debug!(target: "dom::http", method = %method, route = %route, status, ms, operator, "richiesta");
    } else {
        info!(target: "dom::http", method = %method, route = %route, status, ms, operator, "richiesta");
    }
    Ok(response)
}

async fn metrics_for_admin(auth: Option<String>, state: Arc<State>) -> warp::reply::Response {
    let allowed = state.auth.authenticate(auth.as_deref()).and_then(|actor| {
        crate::client::note_operator(actor.operator_id);
        crate::access::admin(&actor)
    });
    match allowed {
        Ok(()) => metrics_response(&state).await,
        // The API's one way of rendering errors (401 with WWW-Authenticate, 403, 429).
        Err(e) => crate::api::render(&e),
    }
}

async fn metrics_response(state: &Arc<State>) -> warp::reply::Response {
    let gauges = state
        .blocking(|s| {
            Ok(crate::metrics::Gauges {
                store_bytes: crate::metrics::folder_bytes(&s.data.join("store")),
                workers: s.engine.worker_count(),
                follow_ups_overdue: Some(s.engine.overdue_follow_ups()?),
            })
        })
        .await;
    match gauges {
        Ok(g) => warp::reply::Reply::into_response(warp::reply::with_header(
            state.metrics.render(&g),
            "content-type",
            "text/plain; version=0.0.4; charset=utf-8",
        )),
        Err(e) => {
            error!(error = %e, "metriche non disponibili");
            warp::reply::Reply::into_response(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

/// The `--metrics-addr` listener: `GET /metrics` without a token (bind it to an address
/// only the monitoring system reaches), nothing else.
async fn serve_metrics(listener: TcpListener, state: Arc<State>) {
    let state_for_route = Arc::clone(&state);
    let route = warp::path!("metrics").and(warp::get()).then(move || {
        let state = Arc::clone(&state_for_route);
        async move { metrics_response(&state).await }
    });
    warp::serve(route).incoming(listener).run().await;
}

async fn commit_loop(state: Arc<State>) {
    let mut every = tokio::time::interval(COMMIT_EVERY);
    loop {
        every.tick().await;
        // Tokens' first uses of the day ride on this tick, off the request path, and
        // candidates answers made stale by a write go even if nobody asks again.
        let committed = state.blocking(|s| {
            crate::operators::record_uses(s);
            s.candidates.forget_older_than(s.stamp());
            Ok(s.engine.commit()?)
        });
        if let Err(e) = committed.await {
            error!(error = %e, "commit dell'indice non riuscito");
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
            Ok(s) => info!(
                overdue = s.overdue,
                inactivated = s.inactivated,
                "controllo periodico: verifiche in ritardo, schede diventate non attive"
            ),
            Err(e) => error!(error = %e, "controllo periodico non riuscito"),
        }
        let retention = state
            .blocking(|s| {
                let today = Date::today();
                Ok(s.engine
                    .apply_retention(retention_cutoff(today, s.keep_months), today)?)
            })
            .await;
        match retention {
            Ok(r) => info!(
                requests = r.requests,
                proposals = r.proposals,
                "anonimizzazione per scadenza"
            ),
            Err(e) => error!(error = %e, "anonimizzazione periodica non riuscita"),
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
