//! `dom backup`, `dom restore`, `dom check`: keeping a data folder safe. A running
//! service holds the store's lock, so an online backup is fetched from its admin API.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use matcher::backup::{self, BackupSummary};
use matcher::Engine;

use crate::app::open_error;

/// Longest a backup download may stall before the command gives up.
const READ_TIMEOUT: Duration = Duration::from_secs(300);

pub fn backup(to: Option<&Path>, server: Option<&str>, data: &Path) -> Result<(), String> {
    let to = to.ok_or("indicare la cartella di destinazione con --to")?;
    let (path, summary) = match server {
        Some(url) => {
            let token = std::env::var("DOM_TOKEN")
                .map_err(|_| "impostare DOM_TOKEN con il token di un amministratore".to_string())?;
            fetch_backup(url, &token, to)?
        }
        None => {
            let engine = Engine::open(data).map_err(|e| open_error(data, &e))?;
            engine.backup_to_dir(to).map_err(|e| e.to_string())?
        }
    };
    tracing::info!(
        file = %path.display(),
        records = summary.records,
        keys = summary.keys,
        seq = summary.seq,
        "copia di sicurezza scritta"
    );
    println!(
        "copia di sicurezza scritta in {}: {} record, {} chiavi, sequenza {}",
        path.display(),
        summary.records,
        summary.keys,
        summary.seq
    );
    Ok(())
}

pub fn restore(from: Option<&Path>, data: &Path) -> Result<(), String> {
    let from = from.ok_or("indicare la copia da ripristinare con --from")?;
    let file = backup::latest_in(from).map_err(|e| e.to_string())?;
    let summary = backup::restore(&file, data).map_err(|e| e.to_string())?;
    println!(
        "ripristinata {} in {}: {} record, {} chiavi, sequenza {}; indice ricostruito e verificato",
        file.display(),
        data.display(),
        summary.records,
        summary.keys,
        summary.seq
    );
    Ok(())
}

pub fn check(data: &Path) -> Result<(), String> {
    let engine = Engine::open(data).map_err(|e| open_error(data, &e))?;
    for (corpus, recovery) in engine.recovery() {
        println!("indice {corpus}: {recovery:?}");
    }
    let report = engine.check().map_err(|e| e.to_string())?;
    engine.close().map_err(|e| e.to_string())?;
    println!(
        "{} schede, {} richieste, {} ricerche confrontate con un indice ricostruito",
        report.workers, report.requests, report.queries
    );
    if report.is_consistent() {
        println!("coerente");
        Ok(())
    } else {
        Err(format!("incoerenze: {}", report.problems.join("; ")))
    }
}

/// Downloads `GET /api/v1/admin/backup` into `to`, then verifies the file before
/// giving it its final name: a broken transfer never looks like a good backup.
fn fetch_backup(
    url: &str,
    token: &str,
    to: &Path,
) -> Result<(std::path::PathBuf, BackupSummary), String> {
    let authority = url
        .strip_prefix("http://")
        .ok_or("--server vuole un indirizzo http://HOST:PORTA (usare un tunnel per HTTPS)")?
        .trim_end_matches('/');
    let mut stream = TcpStream::connect(authority)
        .map_err(|e| format!("connessione a {url} non riuscita: {e}"))?;
    stream
        .set_read_timeout(Some(READ_TIMEOUT))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "GET /api/v1/admin/backup HTTP/1.1\r\nHost: {authority}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut reader = BufReader::new(stream);
    let mut status = String::new();
    reader.read_line(&mut status).map_err(|e| e.to_string())?;
    let mut length = None;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).map_err(|e| e.to_string())?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<u64>().ok();
            }
        }
    }
    if status.split_whitespace().nth(1) != Some("200") {
        let mut body = String::new();
        let _ = reader.take(4096).read_to_string(&mut body);
        return Err(format!("il servizio ha risposto {}: {body}", status.trim()));
    }
    let length = length.ok_or("risposta senza lunghezza")?;
    backup::create_private_dir(to).map_err(|e| e.to_string())?;
    let (partial, mut file) =
        backup::private_temp(to, "dom-download").map_err(|e| e.to_string())?;
    let kept = (|| {
        let copied =
            std::io::copy(&mut reader.take(length), &mut file).map_err(|e| e.to_string())?;
        file.sync_all().map_err(|e| e.to_string())?;
        if copied != length {
            return Err(format!(
                "trasferimento interrotto: {copied} byte su {length}"
            ));
        }
        let summary = backup::verify(&partial).map_err(|e| e.to_string())?;
        let path = to.join(backup::backup_name(summary.seq));
        std::fs::rename(&partial, &path).map_err(|e| e.to_string())?;
        Ok((path, summary))
    })();
    if kept.is_err() {
        // A broken download leaves nothing behind that could be mistaken for a backup.
        let _ = std::fs::remove_file(&partial);
    }
    kept
}

/// Closes a data folder created before DOM restricted its permissions (0755 by the
/// old default umask) to the service's user; a no-op when already private.
pub fn restrict(data: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::metadata(data) else {
        return Ok(());
    };
    if meta.permissions().mode() & 0o077 != 0 {
        std::fs::set_permissions(data, std::fs::Permissions::from_mode(backup::DIR_MODE)).map_err(
            |e| {
                format!(
                    "impossibile restringere i permessi di {}: {e}",
                    data.display()
                )
            },
        )?;
        tracing::warn!(data = %data.display(), "permessi della cartella dei dati ristretti a 0700");
    }
    let keys = data.join("keys");
    if let Ok(m) = std::fs::metadata(&keys) {
        if m.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(backup::FILE_MODE))
                .map_err(|e| {
                    format!(
                        "impossibile restringere i permessi di {}: {e}",
                        keys.display()
                    )
                })?;
            tracing::warn!("permessi del file delle chiavi ristretti a 0600");
        }
    }
    Ok(())
}
