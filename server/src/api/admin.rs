//! Administration: organisations, operators and their tokens (shown once, stored only
//! hashed), the audit log of a record, and the online backup. Admin role only.

use std::collections::HashMap;
use std::io::Seek;
use std::sync::Arc;

use matcher::fixtures::token_hash;
use matcher::model::{Actor, AuditAction, Id, Operator, Organisation, RecordKind, Role};
use matcher::{json, Date};
use serde_json::json as j;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Filter, Reply};

use super::describe::{self, op, Described};
use super::wire::{
    AuditTrail, CreatedOperator, ExpiryPatch, NewToken, OperatorListed, Operators, Organisations,
};
use super::{body, json, only_params, query, respond, token, with_record};
use crate::access::{self, parse_id};
use crate::app::State;
use crate::auth::new_token;
use crate::error::ApiError;
use crate::operators;

pub use super::wire::{NewOperator, NewOrganisation};

const ADMIN: &[Role] = &[Role::Admin];

pub fn routes(state: Arc<State>) -> Vec<Described> {
    // GET /api/v1/organisations
    let orgs = route!(get warp::path!("api" / "v1" / "organisations"), token();
        state.clone() => |t, s| respond(list_orgs(t, s)));
    // POST /api/v1/organisations
    let new_org = route!(post warp::path!("api" / "v1" / "organisations"), token(), body();
        state.clone() => |t, b, s| respond(create_org(t, b, s)));
    // PATCH /api/v1/organisations/{id}
    let patch_org = route!(patch warp::path!("api" / "v1" / "organisations" / String), token(), body();
        state.clone() => |id, t, b, s| respond(patch_org(t, id, b, s)));
    // GET /api/v1/operators
    let ops = route!(get warp::path!("api" / "v1" / "operators"), token();
        state.clone() => |t, s| respond(list_operators(t, s)));
    // POST /api/v1/operators
    let new_op = route!(post warp::path!("api" / "v1" / "operators"), token(), body();
        state.clone() => |t, b, s| respond(create_operator(t, b, s)));
    // POST /api/v1/operators/{id}/revoke
    let revoke = route!(post warp::path!("api" / "v1" / "operators" / String / "revoke"), token();
        state.clone() => |id, t, s| respond(revoke_operator(t, id, s)));
    // POST /api/v1/operators/{id}/rotate
    let rotate = route!(post warp::path!("api" / "v1" / "operators" / String / "rotate"), token();
        state.clone() => |id, t, s| respond(rotate_operator(t, id, s)));
    // PATCH /api/v1/operators/{id}
    let expiry = route!(patch warp::path!("api" / "v1" / "operators" / String), token(), body();
        state.clone() => |id, t, b, s| respond(patch_operator(t, id, b, s)));
    // GET /api/v1/audit?record=ID
    let audit = route!(get warp::path!("api" / "v1" / "audit"), token(), query();
        state.clone() => |t, q, s| respond(audit(t, q, s)));
    // GET /api/v1/admin/backup
    let backup = route!(get warp::path!("api" / "v1" / "admin" / "backup"), token();
        state => |t, s| respond(backup(t, s)));
    let one = "/api/v1/operators/{id}";
    vec![
        op("get", "/api/v1/organisations", "listOrganisations", "admin", "List organisations",
            "Elenco delle organizzazioni.")
            .roles(ADMIN)
            .answers::<Organisations>(200, "The organisations")
            .serves(orgs),
        op("post", "/api/v1/organisations", "createOrganisation", "admin", "Create an organisation",
            "Crea un'organizzazione (sportello, Punto Insieme, servizi sociali, coordinamento).")
            .roles(ADMIN)
            .body::<NewOrganisation>(Some(j!({"name": "Sportello Info Immigrati Orbetello", "kind": "desk", "comune": "Orbetello"})))
            .answers::<Organisation>(201, "The organisation")
            .serves(new_org),
        op("patch", "/api/v1/organisations/{id}", "updateOrganisation", "admin",
            "Change an organisation's name or profile (address, phone, e-mail, opening hours)",
            "Cambia nome o profilo (indirizzo, telefono, e-mail, orari) di un'organizzazione; \
             un campo assente resta com'è, \"\" lo svuota. Il profilo è stampato sulle schede per le famiglie.")
            .roles(ADMIN)
            .body::<matcher::model::OrganisationPatch>(Some(j!({"profile": {"phone": "0564 000000", "opening_hours": "lun–ven 9:00–13:00"}})))
            .answers::<Organisation>(200, "The organisation")
            .serves(patch_org),
        op("get", "/api/v1/operators", "listOperators", "admin", "List operators (never their tokens)",
            "Elenco degli operatori (senza token).")
            .roles(ADMIN)
            .answers::<Operators>(200, "The operators")
            .serves(ops),
        op("post", "/api/v1/operators", "createOperator", "admin", "Create an operator and their token",
            "Crea un operatore; il token è mostrato solo in questa risposta.")
            .roles(ADMIN)
            .body::<NewOperator>(None)
            .answers::<CreatedOperator>(201, "The operator with the token")
            .serves(new_op),
        op("post", "/api/v1/operators/{id}/revoke", "revokeOperator", "admin", "Revoke an operator's token",
            "Revoca il token dell'operatore: rifiutato (401) dalla richiesta successiva.")
            .roles(ADMIN)
            .answers_nothing(204, "Revoked")
            .errors(&[409])
            .serves(revoke),
        op("post", "/api/v1/operators/{id}/rotate", "rotateOperator", "admin", "Give an operator a new token",
            "Nuovo token per l'operatore, mostrato solo ora; il precedente è rifiutato subito.")
            .roles(ADMIN)
            .answers::<NewToken>(200, "The new token")
            .errors(&[409])
            .serves(rotate),
        op("patch", one, "setOperatorExpiry", "admin", "Set or remove a token's expiry",
            "Fissa (AAAA-MM-GG) o toglie (null) la scadenza del token; un token scaduto è rifiutato (401).")
            .roles(ADMIN)
            .body::<ExpiryPatch>(Some(j!({"expires_on": "2027-06-30"})))
            .answers::<OperatorListed>(200, "The operator")
            .errors(&[409])
            .serves(expiry),
        op("get", "/api/v1/audit", "auditOfRecord", "admin", "The audit lines of a record",
            "Registro di audit di un record: chi, quando, quale azione (mai il contenuto).")
            .roles(ADMIN)
            .query("record", "The record's id (required)", describe::id())
            .answers::<AuditTrail>(200, "The audit lines")
            .serves(audit),
        op("get", "/api/v1/admin/backup", "backup", "admin", "A consistent backup of the whole store",
            "Copia di sicurezza coerente dell'intero archivio (per `dom backup --server`).")
            .roles(ADMIN)
            .answers_file(200, "The backup file")
            .serves(backup),
    ]
}

fn admin(state: &State, token: Option<String>) -> Result<Actor, ApiError> {
    let actor = state.auth.authenticate(token.as_deref())?;
    access::admin(&actor)?;
    Ok(actor)
}

/// A display name: trimmed, present, at most 120 characters.
fn name_field(name: &str) -> Result<String, ApiError> {
    let name = name.trim().to_string();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(
            matcher::Error::invalid("name", "nome obbligatorio, al massimo 120 caratteri").into(),
        );
    }
    Ok(name)
}

/// Creates an organisation, audited as `actor` (the system for `dom admin`).
pub fn create_organisation(
    engine: &matcher::Engine,
    actor: Option<&Actor>,
    n: NewOrganisation,
) -> Result<Organisation, ApiError> {
    let comune = match n.comune {
        Some(c) => Some(matcher::Comuni::get().resolve("comune", &c)?.istat.clone()),
        None => None,
    };
    let org = Organisation {
        id: Id::random(),
        name: name_field(&n.name)?,
        kind: n.kind,
        comune,
        profile: Default::default(),
    };
    Ok(engine.create_organisation(actor, org)?)
}

/// Creates an operator and returns it with its token, the only time the token exists
/// in clear; shared with `dom admin`.
pub fn create_operator_record(
    engine: &matcher::Engine,
    actor: Option<&Actor>,
    n: NewOperator,
) -> Result<(Operator, String), ApiError> {
    let token = new_token();
    let op = Operator {
        id: Id::random(),
        org_id: n.org_id,
        name: name_field(&n.name)?,
        role: n.role,
        token_sha256: token_hash(&token),
        created_on: Date::today(),
        revoked_on: None,
        expires_on: n.expires_on,
        last_used_on: None,
    };
    Ok((engine.create_operator(actor, op)?, token))
}

async fn list_orgs(
    token: Option<String>,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    admin(&state, token)?;
    let orgs = state.blocking(|s| Ok(s.engine.organisations()?)).await?;
    Ok(json(
        StatusCode::OK,
        &Organisations {
            organisations: orgs,
        },
    ))
}

async fn create_org(
    token: Option<String>,
    body: bytes::Bytes,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let actor = admin(&state, token)?;
    let org = state
        .blocking(move |s| create_organisation(&s.engine, Some(&actor), json::parse_bytes(&body)?))
        .await?;
    Ok(json(StatusCode::CREATED, &org))
}

async fn patch_org(
    token: Option<String>,
    id: String,
    body: bytes::Bytes,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let actor = admin(&state, token)?;
    let id = parse_id(&id)?;
    let patch = json::parse_bytes(&body)?;
    let org = state
        .blocking(move |s| Ok(s.engine.update_organisation(Some(&actor), id, patch)?))
        .await?;
    Ok(json(StatusCode::OK, &org))
}

async fn list_operators(
    token: Option<String>,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    admin(&state, token)?;
    let ops = state
        .blocking(|s| {
            Ok(operators::list(s)?
                .iter()
                .map(OperatorListed::from)
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(json(StatusCode::OK, &Operators { operators: ops }))
}

async fn revoke_operator(
    token: Option<String>,
    id: String,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    with_record(state, token, id, |s, actor, id| {
        access::admin(&actor)?;
        operators::revoke(s, &actor, id).map(drop)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn rotate_operator(
    token: Option<String>,
    id: String,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let (_, token) = with_record(state, token, id, |s, actor, id| {
        access::admin(&actor)?;
        operators::rotate(s, &actor, id)
    })
    .await?;
    Ok(json(StatusCode::OK, &NewToken { token }))
}

async fn patch_operator(
    token: Option<String>,
    id: String,
    body: bytes::Bytes,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let actor = admin(&state, token)?;
    let id = parse_id(&id)?;
    let expires_on = operators::expiry_field(&body)?;
    let op = state
        .blocking(move |s| operators::set_expiry(s, &actor, id, expires_on))
        .await?;
    Ok(json(StatusCode::OK, &OperatorListed::from(&op)))
}

async fn create_operator(
    token: Option<String>,
    body: bytes::Bytes,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let actor = admin(&state, token)?;
    let (op, token) = state
        .blocking(move |s| {
            let (op, token) =
                create_operator_record(&s.engine, Some(&actor), json::parse_bytes(&body)?)?;
            s.auth.add(op.clone());
            Ok((op, token))
        })
        .await?;
    Ok(json(
        StatusCode::CREATED,
        &CreatedOperator {
            id: op.id,
            org_id: op.org_id,
            name: op.name,
            role: op.role,
            expires_on: op.expires_on,
            token,
        },
    ))
}

async fn audit(
    token: Option<String>,
    q: HashMap<String, String>,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    admin(&state, token)?;
    only_params(&q, &["record"])?;
    let record: Id = q
        .get("record")
        .and_then(|r| r.parse().ok())
        .ok_or_else(|| ApiError::BadInput {
            field: Some("record".into()),
            message: "indicare record=ID (16 cifre esadecimali)".into(),
        })?;
    let entries = state
        .blocking(move |s| Ok(s.engine.audit_of(record)?))
        .await?;
    Ok(json(StatusCode::OK, &AuditTrail { record, entries }))
}

/// A consistent backup of the whole store, streamed. It is staged in an unlinked file in
/// the data folder, so writes wait only while it is written locally, not while a slow
/// client downloads it, and a crash leaves nothing behind.
async fn backup(token: Option<String>, state: Arc<State>) -> Result<Response, ApiError> {
    let actor = admin(&state, token)?;
    let (file, summary) = state
        .blocking(move |s| {
            let path = s
                .data
                .join(format!(".backup-{:016x}.partial", rand::random::<u64>()));
            let file = std::fs::File::options()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path)
                .map_err(matcher::Error::from)?;
            std::fs::remove_file(&path).map_err(matcher::Error::from)?;
            let summary = s.engine.backup(&file)?;
            s.engine
                .audit(&actor, AuditAction::Export, RecordKind::Store, Id(0))?;
            Ok((file, summary))
        })
        .await?;
    let mut file = file;
    let length = file.metadata().map_err(matcher::Error::from)?.len();
    file.rewind().map_err(matcher::Error::from)?;
    let stream = tokio_util::io::ReaderStream::new(tokio::fs::File::from_std(file));
    let mut resp = warp::reply::stream(stream).into_response();
    let headers = resp.headers_mut();
    let name = matcher::backup::backup_name(summary.seq);
    for (k, v) in [
        ("content-type", "application/octet-stream".to_string()),
        ("content-length", length.to_string()),
        (
            "content-disposition",
            format!("attachment; filename=\"{name}\""),
        ),
        ("x-dom-backup-seq", summary.seq.to_string()),
    ] {
        if let Ok(v) = warp::http::HeaderValue::from_str(&v) {
            headers.insert(k, v);
        }
    }
    Ok(resp)
}
