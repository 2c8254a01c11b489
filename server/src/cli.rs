//! The `dom` command line (clap): one subcommand per task with only its own flags and
//! its own `--help`, serve options also from the environment (`DOM_DATA`, `DOM_ADDR`,
//! …). Messages in Italian, for the people who run the desk's server.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Arg, ArgAction, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use matcher::model::{Candidate, Id};
use matcher::{italian, Date, Engine, Factor};

use matcher::{FollowUpPolicy, Month};

use crate::api::admin::{
    create_operator_record, create_organisation, NewOperator, NewOrganisation,
};
use crate::app::{
    open_error, Application, Network, Settings, HEADER_TIMEOUT_S, KEEP_MONTHS, MAX_CONNECTIONS,
    RATE_PER_MINUTE,
};
use crate::maintenance;

pub const DEFAULT_DATA: &str = "dom-data";
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// Why a command stopped.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Message(String),
    /// The reader of our output went away (`dom help | head -1`): not an error to report.
    #[error("uscita chiusa")]
    Closed,
}

impl From<String> for CliError {
    fn from(s: String) -> CliError {
        CliError::Message(s)
    }
}

impl From<&str> for CliError {
    fn from(s: &str) -> CliError {
        CliError::Message(s.to_string())
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> CliError {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            CliError::Closed
        } else {
            CliError::Message(e.to_string())
        }
    }
}

type Result<T = (), E = CliError> = std::result::Result<T, E>;

/// `println!` that reports a closed pipe instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {
        writeln!(std::io::stdout().lock(), $($arg)*).map_err(CliError::from)
    };
}

#[derive(Parser, Debug)]
#[command(
    name = "dom",
    version,
    about = "DOM — abbinamento domanda e offerta di lavoro domestico per gli sportelli",
    subcommand_value_name = "COMANDO",
    after_help = "Aiuto di un comando: dom COMANDO --help",
    disable_help_subcommand = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Mostra l'aiuto di dom o di un comando (dom help serve)
    Help {
        #[arg(value_name = "COMANDO")]
        command: Vec<String>,
    },
    /// Crea un archivio vuoto nella cartella (nuova o vuota)
    Init(DataArg),
    /// Avvia il servizio (API e interfaccia web)
    Serve(ServeArgs),
    /// Mostra i candidati migliori per una richiesta, con le ragioni del punteggio
    Match(MatchArgs),
    /// Mostra le richieste aperte adatte a una persona
    Openings(MatchArgs),
    /// Ricostruisce l'indice di ricerca dall'archivio
    Reindex(DataArg),
    /// Rapporto mensile degli esiti (JSON, o CSV con --csv)
    Report(ReportArgs),
    /// Importa schede o richieste da un foglio (CSV, XLSX, ODS) o da JSONL
    Import(ImportArgs),
    /// Stampa dati sintetici realistici in JSONL (per prove e benchmark)
    Synth(SynthArgs),
    /// Crea organizzazioni e operatori (il token è mostrato una sola volta)
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Copia di sicurezza coerente (da un servizio attivo con --server, o dall'archivio fermo)
    Backup(BackupArgs),
    /// Ripristina una copia (la più recente, se si indica una cartella) e la verifica
    Restore(RestoreArgs),
    /// Verifica che indice e tabelle corrispondano all'archivio
    Check(DataArg),
    /// Compatta l'archivio fermo: una sola copia di ogni dato su disco, avvio più rapido
    Compact(DataArg),
}

#[derive(Args, Debug)]
struct DataArg {
    /// Cartella dei dati
    #[arg(long, value_name = "CARTELLA", env = "DOM_DATA", default_value = DEFAULT_DATA)]
    data: PathBuf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Righe leggibili
    Text,
    /// Un oggetto JSON per riga (per i raccoglitori di log)
    Json,
}

#[derive(Args, Debug)]
struct ServeArgs {
    #[command(flatten)]
    data: DataArg,
    /// Indirizzo di ascolto (porta 0: una libera, indicata nella prima riga)
    #[arg(long, value_name = "HOST:PORTA", env = "DOM_ADDR", default_value = DEFAULT_ADDR,
          value_parser = parse_addr)]
    addr: SocketAddr,
    /// Carica i dati dimostrativi in un archivio vuoto
    #[arg(long)]
    demo: bool,
    /// Con --demo: senza i dodici mesi di storia (per prove che contano cifre esatte)
    #[arg(long, requires = "demo")]
    demo_without_history: bool,
    /// Richieste al minuto per token (0 = nessun limite)
    #[arg(long, value_name = "N", env = "DOM_RATE_PER_TOKEN", default_value_t = RATE_PER_MINUTE)]
    rate_per_token: u32,
    /// Mesi dopo cui richieste chiuse e proposte sono anonimizzate
    #[arg(long, value_name = "MESI", env = "DOM_KEEP_MONTHS", default_value_t = KEEP_MONTHS,
          value_parser = clap::value_parser!(u32).range(1..=600))]
    keep_months: u32,
    /// Giorni dopo la proposta in cui chiedere l'esito (es. 7,30)
    #[arg(long, value_name = "GIORNI", env = "DOM_FOLLOW_UP_DAYS", value_parser = parse_days)]
    follow_up_days: Option<Days>,
    /// Proxy inversi di cui credere X-Forwarded-For / Forwarded (indirizzi o reti, separati da virgole)
    #[arg(
        long,
        value_name = "ADDR[,ADDR…]",
        env = "DOM_TRUSTED_PROXY",
        default_value = "",
        hide_default_value = true
    )]
    trusted_proxy: crate::client::Proxies,
    /// Indirizzo pubblico del servizio (stampato sulle schede per le famiglie); con https:// i cookie di sessione sono Secure
    #[arg(long, value_name = "URL", env = "DOM_PUBLIC_URL", value_parser = parse_public_url)]
    public_url: Option<String>,
    /// Secondi concessi a un client per inviare le intestazioni di una richiesta
    #[arg(long, value_name = "SECONDI", env = "DOM_HEADER_TIMEOUT_S", default_value_t = HEADER_TIMEOUT_S,
          value_parser = clap::value_parser!(u64).range(1..=600))]
    header_timeout_s: u64,
    /// Connessioni servite contemporaneamente
    #[arg(long, value_name = "N", env = "DOM_MAX_CONNECTIONS", default_value_t = MAX_CONNECTIONS,
          value_parser = parse_connections)]
    max_connections: usize,
    /// Indirizzo di un secondo ascolto che risponde solo a GET /metrics, senza token
    #[arg(long, value_name = "HOST:PORTA", env = "DOM_METRICS_ADDR", value_parser = parse_addr)]
    metrics_addr: Option<SocketAddr>,
    /// Formato dei log (su stderr; filtro con DOM_LOG o RUST_LOG, es. DOM_LOG=debug)
    #[arg(
        long,
        value_name = "FORMATO",
        env = "DOM_LOG_FORMAT",
        default_value = "text"
    )]
    log_format: LogFormat,
}

/// A list of follow-up days (a newtype so clap does not read it as many values).
#[derive(Clone, Debug)]
struct Days(Vec<i32>);

#[derive(Args, Debug)]
struct MatchArgs {
    /// Identificativo (16 cifre esadecimali)
    #[arg(value_name = "ID")]
    id: String,
    /// Quanti risultati mostrare
    #[arg(long, value_name = "N", default_value_t = 5)]
    limit: usize,
    /// Carica i dati dimostrativi (in un archivio vuoto o nuovo)
    #[arg(long)]
    demo: bool,
    #[command(flatten)]
    data: DataArg,
}

#[derive(Args, Debug)]
struct ReportArgs {
    /// Mese del rapporto (predefinito: il mese corrente)
    #[arg(long, value_name = "AAAA-MM")]
    month: Option<String>,
    /// CSV invece di JSON
    #[arg(long)]
    csv: bool,
    /// Carica i dati dimostrativi (in un archivio vuoto o nuovo)
    #[arg(long)]
    demo: bool,
    #[command(flatten)]
    data: DataArg,
}

#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
struct ImportSource {
    /// Schede: foglio CSV, XLSX o ODS, oppure JSONL nel formato dell'API
    #[arg(long, value_name = "FILE")]
    workers: Option<PathBuf>,
    /// Richieste: foglio CSV, XLSX o ODS, oppure JSONL nel formato dell'API
    #[arg(long, value_name = "FILE")]
    requests: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct ImportArgs {
    #[command(flatten)]
    source: ImportSource,
    /// Corrispondenze colonna → campo e valore → parola del vocabolario (fogli)
    #[arg(long, value_name = "FILE.toml")]
    mapping: Option<PathBuf>,
    /// Mostra il resoconto senza importare nulla (fogli)
    #[arg(long)]
    dry_run: bool,
    /// Crea anche le schede simili a schede già presenti, segnalandole (fogli)
    #[arg(long)]
    allow_duplicates: bool,
    /// Carica prima i dati dimostrativi (in un archivio vuoto o nuovo)
    #[arg(long)]
    demo: bool,
    #[command(flatten)]
    data: DataArg,
}

#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
struct SynthCount {
    /// Quante schede
    #[arg(long, value_name = "N")]
    workers: Option<usize>,
    /// Quante richieste
    #[arg(long, value_name = "N")]
    requests: Option<usize>,
}

#[derive(Args, Debug)]
struct SynthArgs {
    #[command(flatten)]
    count: SynthCount,
    /// Seme del generatore (stesso seme, stessi dati)
    #[arg(long, value_name = "S", default_value_t = 42)]
    seed: u64,
}

#[derive(Subcommand, Debug)]
enum AdminCommand {
    /// Crea un'organizzazione
    AddOrg {
        /// Nome dell'organizzazione
        #[arg(long)]
        name: String,
        /// desk, punto_insieme, social_services o coordination
        #[arg(long)]
        kind: String,
        /// Comune della sede
        #[arg(long)]
        comune: Option<String>,
        #[command(flatten)]
        data: DataArg,
    },
    /// Crea un operatore e ne stampa il token (una sola volta)
    AddOperator {
        /// Identificativo dell'organizzazione
        #[arg(long, value_name = "ID")]
        org: String,
        /// Nome dell'operatore
        #[arg(long)]
        name: String,
        /// operator, referrer, coordinator o admin
        #[arg(long)]
        role: String,
        /// Ultimo giorno in cui il token è accettato (AAAA-MM-GG)
        #[arg(long, value_name = "DATA")]
        expires_on: Option<String>,
        #[command(flatten)]
        data: DataArg,
    },
    /// Elenca gli operatori: ultimo uso, stato, scadenza (mai il token)
    ListOperators {
        #[command(flatten)]
        data: DataArg,
    },
    /// Revoca il token di un operatore
    Revoke {
        /// Identificativo dell'operatore
        #[arg(long, value_name = "ID")]
        id: String,
        #[command(flatten)]
        data: DataArg,
    },
    /// Crea un nuovo token per un operatore e lo stampa (una sola volta)
    Rotate {
        /// Identificativo dell'operatore
        #[arg(long, value_name = "ID")]
        id: String,
        #[command(flatten)]
        data: DataArg,
    },
    /// Fissa (--on) o toglie (senza --on) la scadenza del token di un operatore
    SetExpiry {
        /// Identificativo dell'operatore
        #[arg(long, value_name = "ID")]
        id: String,
        /// Ultimo giorno in cui il token è accettato (AAAA-MM-GG)
        #[arg(long, value_name = "DATA")]
        on: Option<String>,
        #[command(flatten)]
        data: DataArg,
    },
}

/// A `--expires-on`/`--on` date, or a clear message.
fn cli_date(
    flag: &str,
    value: Option<String>,
) -> std::result::Result<Option<matcher::Date>, String> {
    value
        .map(|v| {
            v.parse()
                .map_err(|_| format!("{flag}: data non valida (AAAA-MM-GG)"))
        })
        .transpose()
}

fn cli_id(value: &str) -> std::result::Result<matcher::model::Id, String> {
    value
        .parse()
        .map_err(|_| "--id: identificativo non valido".to_string())
}

#[derive(Args, Debug)]
struct BackupArgs {
    /// Cartella in cui scrivere la copia
    #[arg(long, value_name = "CARTELLA")]
    to: PathBuf,
    /// Servizio attivo da cui scaricare la copia (token amministratore in DOM_TOKEN)
    #[arg(long, value_name = "http://HOST:PORTA")]
    server: Option<String>,
    /// Archivio fermo da copiare (ignorato con --server)
    #[arg(long, value_name = "CARTELLA", env = "DOM_DATA")]
    data: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct RestoreArgs {
    /// File .dombak, o cartella (si usa la copia più recente)
    #[arg(long, value_name = "FILE|CARTELLA")]
    from: PathBuf,
    /// Cartella vuota o nuova in cui ripristinare
    #[arg(long, value_name = "CARTELLA_VUOTA", env = "DOM_DATA", default_value = DEFAULT_DATA)]
    data: PathBuf,
}

fn parse_addr(v: &str) -> Result<SocketAddr, String> {
    v.parse()
        .map_err(|_| format!("indirizzo non valido: {v} (es. 127.0.0.1:8080)"))
}

fn parse_days(v: &str) -> Result<Days, String> {
    v.split(',')
        .map(|d| {
            d.trim()
                .parse::<i32>()
                .ok()
                .filter(|d| (1..=365).contains(d))
        })
        .collect::<Option<Vec<_>>>()
        .filter(|d| !d.is_empty())
        .map(Days)
        .ok_or(format!("giorni tra 1 e 365 separati da virgole, non {v}"))
}

fn parse_public_url(v: &str) -> Result<String, String> {
    if v.starts_with("https://") || v.starts_with("http://") {
        Ok(v.to_string())
    } else {
        Err(format!(
            "indirizzo pubblico non valido: {v} (es. https://dom.esempio.it)"
        ))
    }
}

fn parse_connections(v: &str) -> Result<usize, String> {
    v.parse()
        .ok()
        .filter(|n| (1..=100_000).contains(n))
        .ok_or(format!("un numero di connessioni tra 1 e 100000, non {v}"))
}

/// clap's refusals, in Italian where we know the kind.
fn italian(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let context = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(s)) => s.join(", "),
        _ => String::new(),
    };
    match e.kind() {
        ErrorKind::InvalidSubcommand => {
            format!(
                "comando sconosciuto: {}",
                context(ContextKind::InvalidSubcommand)
            )
        }
        ErrorKind::UnknownArgument => format!(
            "opzione sconosciuta per questo comando: {}",
            context(ContextKind::InvalidArg)
        ),
        ErrorKind::MissingRequiredArgument => format!(
            "manca un argomento obbligatorio: {}",
            context(ContextKind::InvalidArg)
        ),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "indicare un comando".to_string()
        }
        ErrorKind::ArgumentConflict => format!(
            "opzioni incompatibili: {} e {}",
            context(ContextKind::InvalidArg),
            context(ContextKind::PriorArg)
        ),
        ErrorKind::ValueValidation | ErrorKind::InvalidValue => {
            let why = std::error::Error::source(e).map_or(String::new(), |s| format!(" ({s})"));
            format!(
                "valore non valido per {}: {}{why}",
                context(ContextKind::InvalidArg),
                context(ContextKind::InvalidValue)
            )
        }
        _ => e.to_string(),
    }
}

const TEMPLATE: &str = "{about-with-newline}\nUso: {usage}\n\n{all-args}{after-help}";

/// clap's help in Italian: headings, the help and version flags, the usage line.
fn localise(cmd: clap::Command) -> clap::Command {
    cmd.help_template(TEMPLATE)
        .subcommand_help_heading("Comandi")
        .disable_help_flag(true)
        .mut_args(|a| {
            let heading = if a.is_positional() {
                "Argomenti"
            } else {
                "Opzioni"
            };
            a.help_heading(heading)
        })
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("Mostra questo aiuto")
                .help_heading("Opzioni"),
        )
        .mut_subcommands(localise)
}

fn command() -> clap::Command {
    localise(Cli::command()).disable_version_flag(true).arg(
        Arg::new("version")
            .short('V')
            .long("version")
            .action(ArgAction::Version)
            .help("Mostra la versione")
            .help_heading("Opzioni"),
    )
}

fn parse_args(args: impl IntoIterator<Item = String>) -> std::result::Result<Cli, clap::Error> {
    let matches = command().try_get_matches_from(std::iter::once("dom".to_string()).chain(args))?;
    Cli::from_arg_matches(&matches)
}

pub fn main(args: Vec<String>) -> ExitCode {
    let cli = match parse_args(args) {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            return match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    // Help and version go to stdout; a closed pipe is not an error.
                    let _ = write!(std::io::stdout().lock(), "{}", e.render());
                    ExitCode::SUCCESS
                }
                _ => {
                    let hint = "Aiuto: dom --help, oppure dom COMANDO --help";
                    let _ = writeln!(std::io::stderr().lock(), "dom: {}\n{hint}", italian(&e));
                    ExitCode::from(2)
                }
            };
        }
    };
    let result = match cli.command {
        Command::Serve(a) => serve(a),
        other => {
            crate::logging::init(LogFormat::Text, "warn");
            run(other)
        }
    };
    match result {
        Ok(()) | Err(CliError::Closed) => ExitCode::SUCCESS,
        Err(CliError::Message(e)) => {
            let _ = writeln!(std::io::stderr().lock(), "dom: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result {
    match command {
        Command::Help { command: path } => {
            // The same text as `dom PATH --help`.
            let args = path
                .into_iter()
                .chain(std::iter::once("--help".to_string()));
            match parse_args(args) {
                Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelp => {
                    write!(std::io::stdout().lock(), "{}", e.render())?;
                    Ok(())
                }
                Err(e) => Err(italian(&e).into()),
                Ok(_) => Err("indicare un comando".into()),
            }
        }
        Command::Init(a) => init(&a.data),
        Command::Serve(a) => serve(a),
        Command::Match(a) => show_candidates(a),
        Command::Openings(a) => show_openings(a),
        Command::Reindex(a) => reindex(&a.data),
        Command::Report(a) => report(a),
        Command::Import(a) => import(a),
        Command::Synth(a) => synth(a),
        Command::Admin(a) => admin(a),
        Command::Backup(a) => {
            if a.server.is_none() {
                let data = a
                    .data
                    .clone()
                    .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA));
                must_exist(&data)?;
                maintenance::restrict(&data)?;
                return Ok(maintenance::backup(Some(&a.to), None, &data)?);
            }
            Ok(maintenance::backup(
                Some(&a.to),
                a.server.as_deref(),
                Path::new(DEFAULT_DATA),
            )?)
        }
        Command::Restore(a) => Ok(maintenance::restore(Some(&a.from), &a.data)?),
        Command::Check(a) => {
            must_exist(&a.data)?;
            maintenance::restrict(&a.data)?;
            Ok(maintenance::check(&a.data)?)
        }
        Command::Compact(a) => compact(&a.data),
    }
}

/// Whether `data` holds a store (opening it will not create one).
fn has_store(data: &Path) -> bool {
    data.join("store").is_dir()
}

/// A folder a new store may be created in: absent, or empty.
fn may_create(data: &Path) -> bool {
    match std::fs::read_dir(data) {
        Ok(mut entries) => entries.next().is_none(),
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    }
}

/// Commands other than `init` and `serve` never create a store: a typo in `--data`
/// must fail loudly, not back up or report an empty one.
fn must_exist(data: &Path) -> Result {
    if has_store(data) {
        Ok(())
    } else {
        Err(CliError::Message(format!(
            "nessun archivio in {}: controllare --data (o DOM_DATA); per crearne uno nuovo: dom init --data {}",
            data.display(),
            data.display()
        )))
    }
}

/// A store may be opened (or, when `create` is allowed, made in an empty folder).
fn openable(data: &Path, create: bool) -> Result {
    if has_store(data) {
        return Ok(());
    }
    if !create {
        return must_exist(data);
    }
    if may_create(data) {
        Ok(())
    } else {
        Err(CliError::Message(format!(
            "{} non è vuota e non contiene un archivio DOM: indicare una cartella nuova o vuota, o quella dei dati",
            data.display()
        )))
    }
}

fn init(data: &Path) -> Result {
    if has_store(data) {
        return Err(format!("{} contiene già un archivio", data.display()).into());
    }
    openable(data, true)?;
    let engine = Engine::open(data).map_err(|e| open_error(data, &e))?;
    engine.close().map_err(|e| e.to_string())?;
    say!("archivio vuoto creato in {}", data.display())?;
    Ok(())
}

fn serve(a: ServeArgs) -> Result {
    crate::logging::init(a.log_format, "info");
    let data = a.data.data;
    openable(&data, true)?;
    maintenance::restrict(&data)?;
    let policy = FollowUpPolicy {
        after_days: a
            .follow_up_days
            .map_or(FollowUpPolicy::default().after_days, |d| d.0),
        ..FollowUpPolicy::default()
    };
    let settings = Settings {
        data: data.clone(),
        addr: a.addr,
        demo: a.demo,
        demo_history: !a.demo_without_history,
        policy,
        rate_per_minute: a.rate_per_token,
        keep_months: a.keep_months,
        public_url: a.public_url.clone(),
    };
    let network = Network {
        proxies: a.trusted_proxy,
        public_https: a
            .public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://")),
        header_timeout: Duration::from_secs(a.header_timeout_s),
        max_connections: a.max_connections,
        metrics_addr: a.metrics_addr,
    };
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let app = Application::build(settings).await.inspect_err(|e| {
            tracing::error!(error = %e, "avvio non riuscito");
        })?;
        tracing::info!(
            addr = %app.local_addr(),
            data = %data.display(),
            version = env!("CARGO_PKG_VERSION"),
            trusted_proxies = %network.proxies,
            secure_cookies = network.public_https,
            header_timeout_s = network.header_timeout.as_secs(),
            max_connections = network.max_connections,
            "DOM avviato"
        );
        // Tests and scripts read the port from this line.
        say!("DOM in ascolto su http://{}", app.local_addr())?;
        app.serve(network, shutdown_signal()).await;
        tracing::info!("DOM fermato");
        Ok(())
    })
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
    tracing::info!("segnale di arresto ricevuto");
}

/// Opens the store of an existing folder; with `demo`, an empty or new folder is seeded.
fn open(data: &Path, demo: bool) -> Result<Engine> {
    openable(data, demo)?;
    maintenance::restrict(data)?;
    let engine = Engine::open(data).map_err(|e| open_error(data, &e))?;
    if demo {
        engine
            .seed_demo_with_history(Date::today())
            .map_err(|e| e.to_string())?;
    }
    Ok(engine)
}

fn one_id(id: &str, what: &str) -> Result<Id> {
    id.parse()
        .map_err(|_| format!("{what} non valido: {id} (16 cifre esadecimali)").into())
}

fn show_candidates(a: MatchArgs) -> Result {
    let id = one_id(&a.id, "identificativo di richiesta")?;
    let engine = open(&a.data.data, a.demo)?;
    let r = engine
        .find_request(id)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("richiesta non trovata: {id}"))?;
    let place = matcher::Comuni::get().name_of(&r.comune);
    say!(
        "Richiesta {} — {} a {}, {}, {} ore/settimana, dal {}",
        r.id,
        r.job.label(),
        place,
        r.live_in.label(),
        r.hours_per_week,
        matcher::italian::date(r.start_on)
    )?;
    let candidates = engine
        .candidates_for(&r, a.limit, Date::today())
        .map_err(|e| e.to_string())?;
    if candidates.is_empty() {
        say!("Nessun candidato compatibile.")?;
    }
    for (rank, c) in candidates.iter().enumerate() {
        print_candidate(&engine, rank + 1, c)?;
    }
    Ok(())
}

fn print_candidate(engine: &Engine, rank: usize, c: &Candidate) -> Result {
    let w = engine.worker(c.worker_id).map_err(|e| e.to_string())?;
    // Only what the family's card would show: first name and initial.
    let initial = w.family_name.chars().next().unwrap_or(' ');
    say!(
        "\n{rank}. {} {initial}. ({})  punteggio {}",
        w.given_name,
        c.worker_id,
        italian::score(c.score)
    )?;
    print_explanation(&c.reasons, &c.warnings)
}

/// One line per factor — points, Italian name, sentence — then the warnings: what an
/// operator reads, never the API's factor codes or a decimal point.
fn print_explanation(reasons: &[matcher::model::Reason], warnings: &[String]) -> Result {
    for r in reasons {
        let label = match Factor::from_name(&r.factor) {
            Some(f) => f.label(),
            None => &r.factor,
        };
        say!(
            "   {:>5}  {:<24} {}",
            italian::score(r.points),
            label,
            r.detail
        )?;
    }
    for warning in warnings {
        say!("   attenzione: {warning}")?;
    }
    Ok(())
}

fn show_openings(a: MatchArgs) -> Result {
    let id = one_id(&a.id, "identificativo di scheda")?;
    let engine = open(&a.data.data, a.demo)?;
    let openings = engine
        .openings(id, a.limit, Date::today())
        .map_err(|e| e.to_string())?;
    if openings.is_empty() {
        say!("Nessuna richiesta aperta compatibile.")?;
    }
    for (rank, op) in openings.iter().enumerate() {
        say!(
            "\n{}. richiesta {}  punteggio {}",
            rank + 1,
            op.request_id,
            italian::score(op.score)
        )?;
        print_explanation(&op.reasons, &op.warnings)?;
    }
    Ok(())
}

fn reindex(data: &Path) -> Result {
    let engine = open(data, false)?;
    let n = engine.rebuild_index().map_err(|e| e.to_string())?;
    say!("indice ricostruito: {n} documenti")?;
    Ok(())
}

fn report(a: ReportArgs) -> Result {
    let month: Month = match &a.month {
        Some(m) => m.parse().map_err(|e: matcher::Error| e.to_string())?,
        None => Month::of(Date::today()),
    };
    let engine = open(&a.data.data, a.demo)?;
    let r = engine
        .monthly_report(month, Date::today())
        .map_err(|e| e.to_string())?;
    let mut out = std::io::stdout().lock();
    if a.csv {
        out.write_all(&r.to_csv())?;
    } else {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&r).map_err(|e| e.to_string())?
        )?;
    }
    Ok(())
}

fn synth(a: SynthArgs) -> Result {
    let mut s = matcher::synth::Synth::new(a.seed, Date::today());
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let line = |v: serde_json::Result<String>| v.map_err(|e| CliError::Message(e.to_string()));
    match (a.count.workers, a.count.requests) {
        (Some(n), None) => {
            for _ in 0..n {
                let w = s.worker();
                writeln!(out, "{}", line(serde_json::to_string(&w.to_input()))?)?;
            }
        }
        (None, Some(n)) => {
            let provinces = ["GR", "RM", "MI", "TO", "NA", "FI", "BO", "PA"];
            for i in 0..n {
                let area = match i % 10 {
                    0..=6 => matcher::synth::Area::Province(provinces[i % provinces.len()].into()),
                    7 | 8 => matcher::synth::Area::Region("Toscana".into()),
                    _ => matcher::synth::Area::National,
                };
                let r = s.request(&area);
                writeln!(out, "{}", line(serde_json::to_string(&r.to_input()))?)?;
            }
        }
        _ => return Err("indicare --workers N oppure --requests N".into()),
    }
    out.flush()?;
    Ok(())
}

mod admin;
use admin::admin;
mod compact;
use compact::compact;
mod import;
use import::import;

#[cfg(test)]
mod tests;
