//! The `dom` command line: `serve`, `match`, `openings`, `reindex`. Messages in Italian,
//! for the people who run the desk's server.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use matcher::model::{Candidate, Id};
use matcher::{Date, Engine};

use matcher::{FollowUpPolicy, Month};

use crate::api::admin::{
    create_operator_record, create_organisation, NewOperator, NewOrganisation,
};
use crate::app::{open_error, Application, Settings, KEEP_MONTHS, RATE_PER_MINUTE};
use crate::maintenance;

pub const DEFAULT_DATA: &str = "dom-data";
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

const USAGE: &str = "\
uso:
  dom serve [--demo] [--data CARTELLA] [--addr HOST:PORTA]
      avvia il servizio (con --demo carica i dati dimostrativi in un archivio vuoto)
  dom match ID_RICHIESTA [--limit N] [--demo] [--data CARTELLA]
      mostra i candidati migliori per una richiesta, con le ragioni del punteggio
  dom openings ID_SCHEDA [--limit N] [--demo] [--data CARTELLA]
      mostra le richieste aperte adatte a una persona
  dom reindex [--data CARTELLA]
      ricostruisce l'indice di ricerca dall'archivio
  dom report [--month AAAA-MM] [--csv] [--data CARTELLA]
      rapporto mensile degli esiti (JSON, o CSV con --csv)
  dom import --workers FILE.jsonl | --requests FILE.jsonl [--data CARTELLA]
      importa schede o richieste (una per riga, nel formato dell'API)
  dom synth --workers N | --requests N [--seed S]
      stampa dati sintetici realistici in JSONL (per prove e benchmark)
  dom admin add-org --name NOME --kind desk|punto_insieme|social_services|coordination [--comune C]
  dom admin add-operator --org ID --name NOME --role operator|referrer|coordinator|admin
      crea organizzazioni e operatori (il token è mostrato una sola volta)

  dom backup --to CARTELLA [--server http://HOST:PORTA | --data CARTELLA]
      copia di sicurezza coerente; con --server da un servizio attivo (token
      amministratore nella variabile DOM_TOKEN), altrimenti dall'archivio fermo
  dom restore --from FILE|CARTELLA --data CARTELLA_VUOTA
      ripristina la copia (la più recente, se si indica una cartella) e la verifica
  dom check [--data CARTELLA]
      verifica che indice e tabelle corrispondano all'archivio

Opzioni di serve: --follow-up-days 7,30 (giorni dopo la proposta in cui chiedere l'esito)
  --rate-per-token N (richieste al minuto per token, 0 = nessun limite; predefinito 600)
  --keep-months N (mesi dopo cui richieste chiuse e proposte sono anonimizzate; 24)

CARTELLA predefinita: dom-data; indirizzo predefinito: 127.0.0.1:8080";

/// Parsed options shared by the subcommands.
#[derive(Debug, PartialEq)]
struct Options {
    command: String,
    positional: Vec<String>,
    data: PathBuf,
    addr: SocketAddr,
    demo: bool,
    limit: usize,
    follow_up_days: Vec<i32>,
    month: Option<String>,
    csv: bool,
    name: Option<String>,
    kind: Option<String>,
    role: Option<String>,
    org: Option<String>,
    comune: Option<String>,
    workers: Option<String>,
    requests: Option<String>,
    seed: u64,
    rate_per_minute: u32,
    keep_months: u32,
    to: Option<PathBuf>,
    from: Option<PathBuf>,
    server: Option<String>,
}

fn parse(args: Vec<String>) -> Result<Options, String> {
    let mut it = args.into_iter();
    let command = it.next().ok_or("indicare un comando")?;
    let mut o = Options {
        command,
        positional: Vec::new(),
        data: PathBuf::from(DEFAULT_DATA),
        addr: DEFAULT_ADDR.parse().map_err(|e| format!("{e}"))?,
        demo: false,
        limit: 5,
        follow_up_days: FollowUpPolicy::default().after_days,
        month: None,
        csv: false,
        name: None,
        kind: None,
        role: None,
        org: None,
        comune: None,
        workers: None,
        requests: None,
        seed: 42,
        rate_per_minute: RATE_PER_MINUTE,
        keep_months: KEEP_MONTHS,
        to: None,
        from: None,
        server: None,
    };
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("manca il valore di {name}"));
        match arg.as_str() {
            "--demo" => o.demo = true,
            "--data" => o.data = PathBuf::from(value("--data")?),
            "--addr" => {
                let v = value("--addr")?;
                o.addr = v
                    .parse()
                    .map_err(|_| format!("indirizzo non valido: {v} (es. 127.0.0.1:8080)"))?;
            }
            "--limit" => {
                let v = value("--limit")?;
                o.limit = v
                    .parse()
                    .map_err(|_| format!("--limit vuole un numero, non {v}"))?;
            }
            "--follow-up-days" => {
                let v = value("--follow-up-days")?;
                o.follow_up_days = v
                    .split(',')
                    .map(|d| {
                        d.trim()
                            .parse::<i32>()
                            .ok()
                            .filter(|d| (1..=365).contains(d))
                    })
                    .collect::<Option<Vec<_>>>()
                    .filter(|d| !d.is_empty())
                    .ok_or(format!(
                        "--follow-up-days vuole giorni tra 1 e 365 separati da virgole, non {v}"
                    ))?;
            }
            "--month" => o.month = Some(value("--month")?),
            "--csv" => o.csv = true,
            "--name" => o.name = Some(value("--name")?),
            "--kind" => o.kind = Some(value("--kind")?),
            "--role" => o.role = Some(value("--role")?),
            "--org" => o.org = Some(value("--org")?),
            "--comune" => o.comune = Some(value("--comune")?),
            "--workers" => o.workers = Some(value("--workers")?),
            "--requests" => o.requests = Some(value("--requests")?),
            "--seed" => {
                let v = value("--seed")?;
                o.seed = v
                    .parse()
                    .map_err(|_| format!("--seed vuole un numero, non {v}"))?;
            }
            "--rate-per-token" => {
                let v = value("--rate-per-token")?;
                o.rate_per_minute = v
                    .parse()
                    .map_err(|_| format!("--rate-per-token vuole un numero, non {v}"))?;
            }
            "--keep-months" => {
                let v = value("--keep-months")?;
                o.keep_months = v
                    .parse()
                    .ok()
                    .filter(|m| (1..=600).contains(m))
                    .ok_or(format!(
                        "--keep-months vuole un numero di mesi tra 1 e 600, non {v}"
                    ))?;
            }
            "--to" => o.to = Some(PathBuf::from(value("--to")?)),
            "--from" => o.from = Some(PathBuf::from(value("--from")?)),
            "--server" => o.server = Some(value("--server")?),
            flag if flag.starts_with("--") => return Err(format!("opzione sconosciuta: {flag}")),
            _ => o.positional.push(arg),
        }
    }
    Ok(o)
}

pub fn main(args: Vec<String>) -> ExitCode {
    let result = parse(args).and_then(|o| match o.command.as_str() {
        "serve" => serve(o),
        "match" => show_candidates(o),
        "openings" => show_openings(o),
        "reindex" => reindex(o),
        "report" => report(o),
        "admin" => admin(o),
        "import" => import(o),
        "synth" => synth(o),
        "backup" => maintenance::backup(o.to.as_deref(), o.server.as_deref(), &o.data),
        "restore" => maintenance::restore(o.from.as_deref(), &o.data),
        "check" => maintenance::check(&o.data),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("comando sconosciuto: {other}")),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dom: {e}\n\n{USAGE}");
            ExitCode::FAILURE
        }
    }
}

fn serve(o: Options) -> Result<(), String> {
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let app = Application::build(Settings {
            data: o.data.clone(),
            addr: o.addr,
            demo: o.demo,
            policy: FollowUpPolicy {
                after_days: o.follow_up_days.clone(),
                ..FollowUpPolicy::default()
            },
            rate_per_minute: o.rate_per_minute,
            keep_months: o.keep_months,
        })
        .await?;
        // Tests and scripts read the port from this line.
        println!("DOM in ascolto su http://{}", app.local_addr());
        app.run_until(shutdown_signal()).await;
        eprintln!("DOM fermato");
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
}

fn open(o: &Options) -> Result<Engine, String> {
    let engine = Engine::open(&o.data).map_err(|e| open_error(&o.data, &e))?;
    if o.demo {
        engine.seed_demo(Date::today()).map_err(|e| e.to_string())?;
    }
    Ok(engine)
}

fn one_id(o: &Options, what: &str) -> Result<Id, String> {
    match o.positional.as_slice() {
        [id] => id
            .parse()
            .map_err(|_| format!("{what} non valido: {id} (16 cifre esadecimali)")),
        _ => Err(format!("indicare un {what}")),
    }
}

fn show_candidates(o: Options) -> Result<(), String> {
    let id = one_id(&o, "identificativo di richiesta")?;
    let engine = open(&o)?;
    let r = engine
        .find_request(id)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("richiesta non trovata: {id}"))?;
    let place = matcher::Comuni::get().name_of(&r.comune);
    println!(
        "Richiesta {} — {} a {}, {}, {} ore/settimana, dal {}",
        r.id,
        r.job.label(),
        place,
        r.live_in.label(),
        r.hours_per_week,
        r.start_on
    );
    let candidates = engine
        .candidates_for(&r, o.limit, Date::today())
        .map_err(|e| e.to_string())?;
    if candidates.is_empty() {
        println!("Nessun candidato compatibile.");
    }
    for (rank, c) in candidates.iter().enumerate() {
        print_candidate(&engine, rank + 1, c)?;
    }
    Ok(())
}

fn print_candidate(engine: &Engine, rank: usize, c: &Candidate) -> Result<(), String> {
    let w = engine.worker(c.worker_id).map_err(|e| e.to_string())?;
    // Only what the family's card would show: first name and initial.
    let initial = w.family_name.chars().next().unwrap_or(' ');
    println!(
        "\n{rank}. {} {initial}. ({})  punteggio {:.1}",
        w.given_name, c.worker_id, c.score
    );
    for r in &c.reasons {
        println!("   {:>5.1}  {:<10} {}", r.points, r.factor, r.detail);
    }
    for warning in &c.warnings {
        println!("   attenzione: {warning}");
    }
    Ok(())
}

fn show_openings(o: Options) -> Result<(), String> {
    let id = one_id(&o, "identificativo di scheda")?;
    let engine = open(&o)?;
    let openings = engine
        .openings(id, o.limit, Date::today())
        .map_err(|e| e.to_string())?;
    if openings.is_empty() {
        println!("Nessuna richiesta aperta compatibile.");
    }
    for (rank, op) in openings.iter().enumerate() {
        println!(
            "\n{}. richiesta {}  punteggio {:.1}",
            rank + 1,
            op.request_id,
            op.score
        );
        for r in &op.reasons {
            println!("   {:>5.1}  {:<10} {}", r.points, r.factor, r.detail);
        }
        for warning in &op.warnings {
            println!("   attenzione: {warning}");
        }
    }
    Ok(())
}

fn reindex(o: Options) -> Result<(), String> {
    let engine = Engine::open(&o.data).map_err(|e| open_error(&o.data, &e))?;
    let n = engine.rebuild_index().map_err(|e| e.to_string())?;
    println!("indice ricostruito: {n} documenti");
    Ok(())
}

fn report(o: Options) -> Result<(), String> {
    let month: Month = match &o.month {
        Some(m) => m.parse().map_err(|e: matcher::Error| e.to_string())?,
        None => Month::of(Date::today()),
    };
    let engine = open(&o)?;
    let r = engine
        .monthly_report(month, Date::today())
        .map_err(|e| e.to_string())?;
    if o.csv {
        print!("{}", r.to_csv());
    } else {
        println!(
            "{}",
            serde_json::to_string_pretty(&r).map_err(|e| e.to_string())?
        );
    }
    Ok(())
}

fn import(o: Options) -> Result<(), String> {
    let engine = open(&o)?;
    let open_file = |p: &str| {
        std::fs::File::open(p)
            .map(std::io::BufReader::new)
            .map_err(|e| format!("impossibile leggere {p}: {e}"))
    };
    let started = std::time::Instant::now();
    let report = match (&o.workers, &o.requests) {
        (Some(p), None) => engine.import_jsonl(open_file(p)?, Date::today()),
        (None, Some(p)) => engine.import_requests_jsonl(open_file(p)?, Date::today()),
        _ => return Err("indicare --workers FILE oppure --requests FILE".into()),
    }
    .map_err(|e| e.to_string())?;
    engine.close().map_err(|e| e.to_string())?;
    for (line, e) in report.refused.iter().take(20) {
        eprintln!("riga {line}: {e} (campo: {})", e.field().unwrap_or("-"));
    }
    println!(
        "importate {} righe, scartate {}, in {:.1} s",
        report.imported,
        report.refused.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn synth(o: Options) -> Result<(), String> {
    use std::io::Write;
    let mut s = matcher::synth::Synth::new(o.seed, Date::today());
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let line = |v: serde_json::Result<String>| v.map_err(|e| e.to_string());
    match (&o.workers, &o.requests) {
        (Some(n), None) => {
            let n: usize = n
                .parse()
                .map_err(|_| "--workers vuole un numero".to_string())?;
            for _ in 0..n {
                let w = s.worker();
                writeln!(out, "{}", line(serde_json::to_string(&w.to_input()))?)
                    .map_err(|e| e.to_string())?;
            }
        }
        (None, Some(n)) => {
            let n: usize = n
                .parse()
                .map_err(|_| "--requests vuole un numero".to_string())?;
            let provinces = ["GR", "RM", "MI", "TO", "NA", "FI", "BO", "PA"];
            for i in 0..n {
                let area = match i % 10 {
                    0..=6 => matcher::synth::Area::Province(provinces[i % provinces.len()].into()),
                    7 | 8 => matcher::synth::Area::Region("Toscana".into()),
                    _ => matcher::synth::Area::National,
                };
                let r = s.request(&area);
                writeln!(out, "{}", line(serde_json::to_string(&r.to_input()))?)
                    .map_err(|e| e.to_string())?;
            }
        }
        _ => return Err("indicare --workers N oppure --requests N".into()),
    }
    out.flush().map_err(|e| e.to_string())
}

fn admin(o: Options) -> Result<(), String> {
    let engine = open(&o)?;
    let need = |v: &Option<String>, name: &str| v.clone().ok_or(format!("manca {name}"));
    let parse_json = |v: String| serde_json::Value::String(v);
    match o.positional.first().map(String::as_str) {
        Some("add-org") => {
            let kind =
                matcher::json::parse(parse_json(need(&o.kind, "--kind")?)).map_err(|_| {
                    "--kind: desk, punto_insieme, social_services o coordination".to_string()
                })?;
            let org = create_organisation(
                &engine,
                None,
                NewOrganisation {
                    name: need(&o.name, "--name")?,
                    kind,
                    comune: o.comune.clone(),
                },
            )
            .map_err(|e| e.to_string())?;
            println!("organizzazione creata: {} ({})", org.id, org.name);
        }
        Some("add-operator") => {
            let role = matcher::json::parse(parse_json(need(&o.role, "--role")?))
                .map_err(|_| "--role: operator, referrer, coordinator o admin".to_string())?;
            let org_id = need(&o.org, "--org")?
                .parse()
                .map_err(|_| "--org: identificativo non valido".to_string())?;
            let (op, token) = create_operator_record(
                &engine,
                None,
                NewOperator {
                    org_id,
                    name: need(&o.name, "--name")?,
                    role,
                },
            )
            .map_err(|e| e.to_string())?;
            println!("operatore creato: {} ({})", op.id, op.name);
            println!("token (conservarlo ora: non sarà più mostrato): {token}");
        }
        _ => return Err("dom admin add-org | add-operator".into()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn parses_serve_options() {
        let o = parse(args("serve --demo --data /tmp/x --addr 127.0.0.1:0")).unwrap();
        assert!(o.demo);
        assert_eq!(o.data, PathBuf::from("/tmp/x"));
        assert_eq!(o.addr.port(), 0);
    }

    #[test]
    fn refuses_bad_options_clearly() {
        assert!(parse(args("serve --addr nowhere"))
            .unwrap_err()
            .contains("indirizzo"));
        assert!(parse(args("match --limit many"))
            .unwrap_err()
            .contains("--limit"));
        assert!(parse(args("serve --data")).unwrap_err().contains("--data"));
        assert!(parse(args("serve --colour"))
            .unwrap_err()
            .contains("--colour"));
        assert!(parse(vec![]).is_err());
    }
}
