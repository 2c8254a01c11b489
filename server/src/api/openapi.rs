//! `GET /openapi.json`: the OpenAPI 3 description of the whole API, built from one table
//! of routes so a route cannot be served without being described (a test checks both).

use serde_json::{json, Map, Value};
use warp::filters::BoxedFilter;
use warp::Filter;

/// One served route as the document describes it.
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    /// Who may call it.
    pub who: &'static str,
    pub summary: &'static str,
    /// Component schema of the request body, if any.
    pub body: Option<&'static str>,
    /// Status of success.
    pub status: u16,
}

const fn route(
    method: &'static str,
    path: &'static str,
    who: &'static str,
    summary: &'static str,
    body: Option<&'static str>,
    status: u16,
) -> Route {
    Route {
        method,
        path,
        who,
        summary,
        body,
        status,
    }
}

pub const ROUTES: &[Route] = &[
    route(
"get", "/healthz", "anyone", "Servizio attivo, archivio e indice aperti", None, 200),
    route(
"get", "/openapi.json", "anyone", "Questo documento", None, 200),
    route(
"post", "/api/v1/workers", "operator", "Registra una scheda lavoratore (?allow_duplicate=true per confermare un possibile doppione)", Some("WorkerInput"), 201),
    route(
"get", "/api/v1/workers", "operator", "Cerca schede: testo libero nelle note (q), nome (name), job, comune, live_in, status, limit, offset", None, 200),
    route(
"get", "/api/v1/workers/{id}", "operator", "Legge una scheda (registrato nel log di audit)", None, 200),
    route(
"patch", "/api/v1/workers/{id}", "operator", "Modifica una scheda (merge patch; anche status e reconfirm)", Some("Patch"), 200),
    route(
"delete", "/api/v1/workers/{id}", "operator", "Cancella la persona da archivio e indice", None, 204),
    route(
"get", "/api/v1/workers/{id}/export", "operator", "Tutti i dati sulla persona in JSON (diritto di accesso e portabilità; registrato nel log di audit)", None, 200),
    route(
"get", "/api/v1/workers/{id}/openings", "operator", "Richieste aperte adatte alla persona, ordinate (?limit=20)", None, 200),
    route(
"post", "/api/v1/workers/{id}/contacts", "operator", "Aggiunge una riga al registro dei contatti della scheda (data, canale, nota)", Some("ContactInput"), 201),
    route(
"get", "/api/v1/workers/{id}/contacts", "operator", "Registro dei contatti della scheda, i più recenti prima ({\"contacts\"})", None, 200),
    route(
"post", "/api/v1/requests", "operator, referrer", "Registra una richiesta di una famiglia", Some("RequestInput"), 201),
    route(
"get", "/api/v1/requests", "operator, referrer (own organisation)", "Elenco delle richieste (?status=&limit=&offset=)", None, 200),
    route(
"get", "/api/v1/requests/{id}", "operator, referrer (own organisation)", "Legge una richiesta", None, 200),
    route(
"patch", "/api/v1/requests/{id}", "operator, referrer (own organisation)", "Modifica, chiude (status: closed) o riapre una richiesta", Some("Patch"), 200),
    route(
"get", "/api/v1/requests/{id}/candidates", "operator", "Candidati ordinati con le ragioni del punteggio (?limit=20)", None, 200),
    route(
"get", "/api/v1/requests/{id}/candidates/{worker_id}", "operator", "Perché una persona è o non è candidata: ogni vincolo non soddisfatto (excluded_by), oppure posizione, punteggio e ragioni", None, 200),
    route(
"post", "/api/v1/requests/{id}/proposals", "operator", "Propone una persona alla famiglia; pianifica le verifiche", Some("ProposeBody"), 201),
    route(
"get", "/api/v1/requests/{id}/proposals", "operator, referrer (own organisation)", "Proposte fatte per la richiesta, con la scheda per la famiglia", None, 200),
    route(
"post", "/api/v1/requests/{id}/contacts", "operator, referrer (own organisation)", "Aggiunge una riga al registro dei contatti della richiesta (data, canale, nota)", Some("ContactInput"), 201),
    route(
"get", "/api/v1/requests/{id}/contacts", "operator, referrer (own organisation)", "Registro dei contatti della richiesta, i più recenti prima ({\"contacts\"})", None, 200),
    route(
"get", "/api/v1/proposals/{id}", "operator, referrer (own organisation)", "Legge una proposta", None, 200),
    route(
"post", "/api/v1/proposals/{id}/outcome", "operator, referrer (own organisation)", "Registra l'esito di una proposta", Some("OutcomeInput"), 200),
    route(
"get", "/api/v1/follow-ups", "operator (own organisation)", "Verifiche in scadenza, le più vecchie prima (?due_before=AAAA-MM-GG)", None, 200),
    route(
"post", "/api/v1/follow-ups/{id}/retention", "operator (own organisation)", "Risposta alla verifica a 90 giorni", Some("RetentionBody"), 200),
    route(
"post", "/api/v1/outcome/{code}", "anyone with the code (rate-limited)", "La famiglia comunica l'esito con il codice della scheda (200 registrato; 202 needs_review se contraddice l'esito registrato)", Some("PublicOutcome"), 200),
    route(
"get", "/api/v1/outcome/{code}", "anyone with the code (rate-limited)", "Se l'esito è già stato comunicato", None, 200),
    route(
"get", "/api/v1/reports/monthly", "coordinator, operator", "Rapporto mensile degli esiti (?month=AAAA-MM; Accept: text/csv per il CSV)", None, 200),
    route(
"post", "/api/v1/imports/workers", "operator", "Importa schede da un foglio CSV, XLSX o ODS (il file è il corpo; ?dry_run=true per il solo resoconto, ?allow_duplicates=true per creare anche i possibili doppioni)", None, 201),
    route(
"post", "/api/v1/imports/requests", "operator", "Importa richieste da un foglio CSV, XLSX o ODS (il file è il corpo; ?dry_run=true per il solo resoconto)", None, 201),
    route(
"get", "/api/v1/exports/workers", "operator", "Le schede dello sportello in CSV o XLSX (?format=csv|xlsx), con le colonne che l'importazione riconosce (registrato nel log di audit)", None, 200),
    route(
"get", "/api/v1/organisations", "admin", "Elenco delle organizzazioni", None, 200),
    route(
"post", "/api/v1/organisations", "admin", "Crea un'organizzazione", Some("NewOrganisation"), 201),
    route(
"get", "/api/v1/operators", "admin", "Elenco degli operatori (senza token)", None, 200),
    route(
"post", "/api/v1/operators", "admin", "Crea un operatore; il token è mostrato solo ora", Some("NewOperator"), 201),
    route(
"patch", "/api/v1/operators/{id}", "admin", "Fissa (AAAA-MM-GG) o toglie (null) la scadenza del token; un token scaduto è rifiutato (401)", Some("ExpiryPatch"), 200),
    route(
"post", "/api/v1/operators/{id}/revoke", "admin", "Revoca il token dell'operatore: rifiutato (401) dalla richiesta successiva", None, 204),
    route(
"post", "/api/v1/operators/{id}/rotate", "admin", "Nuovo token per l'operatore, mostrato solo ora ({\"token\"}); il precedente è rifiutato subito", None, 200),
    route(
"get", "/api/v1/audit", "admin", "Registro di audit di un record (?record=ID)", None, 200),
    route(
"get", "/api/v1/admin/backup", "admin", "Copia di sicurezza coerente dell'intero archivio (application/octet-stream; per dom backup --server)", None, 200),
];

fn schemas() -> Value {
    let level = json!({"type": "string", "enum": ["A1", "A2", "B1", "B2", "C1", "C2"]});
    let date = json!({"type": "string", "format": "date"});
    let lang = json!({"type": "object", "required": ["code", "level"],
        "properties": {"code": {"type": "string", "pattern": "^[a-z]{2}$"}, "level": level}});
    let experience_kind = json!({"type": "string", "enum": ["elderly", "dementia", "disability", "children", "newborn", "housekeeping", "cooking", "mobility", "night_care", "hospital"]});
    let job = json!({"type": "string", "enum": ["colf", "badante", "babysitter", "assistenza_notturna", "assistenza_ospedaliera"]});
    let live_in = json!({"type": "string", "enum": ["yes", "no", "either"]});
    json!({
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "enum": ["unauthorized", "forbidden", "not_found", "invalid", "discriminatory_criterion", "conflict", "too_large", "too_many_requests", "method_not_allowed", "internal"]},
                "message": {"type": "string"}, "field": {"type": "string"},
                "suggestions": {"type": "array", "items": {"type": "object"}},
                "duplicates": {"type": "array", "items": {"type": "object"}}}}}},
        "WorkerInput": {"type": "object", "additionalProperties": false,
            "required": ["given_name", "family_name", "birth_year", "phone", "comune", "jobs", "live_in", "hours_per_week", "max_travel_km", "permit", "consent"],
            "properties": {
                "given_name": {"type": "string"}, "family_name": {"type": "string"},
                "birth_year": {"type": "integer"}, "gender": {"type": "string", "enum": ["F", "M", "X"]},
                "nationality": {"type": "string", "description": "ISO 3166 alpha-2, statistics only, never matched on"},
                "phone": {"type": "string"}, "comune": {"type": "string", "description": "ISTAT code or name"},
                "jobs": {"type": "array", "items": job}, "live_in": live_in,
                "hours_per_week": {"type": "object", "properties": {"min": {"type": "integer"}, "max": {"type": "integer"}}},
                "languages": {"type": "array", "items": lang},
                "experience": {"type": "array", "items": {"type": "object", "properties": {"kind": experience_kind, "years": {"type": "integer"}}}},
                "driving_license": {"type": "boolean"}, "max_travel_km": {"type": "integer", "maximum": 200},
                "permit": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["eu_citizen", "italian", "work", "family", "long_term", "protection", "study", "renewal_pending", "none"]}, "expires_on": date}},
                "wage_expectation": {"type": "object", "properties": {"monthly_eur": {"type": "number"}}},
                "notes": {"type": "string"},
                "consent": {"type": "object", "properties": {"given_on": date, "text_version": {"type": "string"}}}}},
        "RequestInput": {"type": "object", "additionalProperties": false,
            "required": ["family_name", "phone", "comune", "job", "live_in", "hours_per_week", "start_on"],
            "properties": {
                "family_name": {"type": "string"}, "phone": {"type": "string"}, "comune": {"type": "string"},
                "job": job, "live_in": live_in, "hours_per_week": {"type": "integer"}, "start_on": date,
                "needs": {"type": "array", "items": experience_kind},
                "requires": {"type": "object", "properties": {"driving_license": {"type": "boolean"}, "italian_min": level, "languages": {"type": "array", "items": lang}}},
                "offered": {"type": "object", "properties": {"monthly_eur": {"type": "number"}}},
                "notes": {"type": "string", "description": "No selection by nationality, ethnicity, religion or colour"}}},
        "Patch": {"type": "object", "description": "RFC 7396 merge patch of the create body"},
        "ProposeBody": {"type": "object", "required": ["worker_id"], "properties": {"worker_id": {"type": "string"}}},
        "OutcomeInput": {"type": "object", "required": ["outcome", "reported_by"], "properties": {
            "outcome": {"type": "string", "enum": ["hired", "not_hired", "no_answer"]},
            "reported_by": {"type": "string", "enum": ["family", "worker", "operator"]},
            "reason": {"type": "string", "enum": ["family_chose_other", "worker_declined", "wage", "hours", "distance", "need_changed", "unreachable", "other"]},
            "note": {"type": "string"}, "start_on": date,
            "contract": {"type": "object", "properties": {"live_in": live_in, "hours_per_week": {"type": "integer"}, "ccnl_level": {"type": "string", "enum": ["A", "AS", "B", "BS", "C", "CS", "D", "DS"]}}}}},
        "PublicOutcome": {"type": "object", "required": ["outcome"], "additionalProperties": false, "properties": {
            "outcome": {"type": "string", "enum": ["hired", "not_hired"]},
            "start_on": date}},
        "ContactInput": {"type": "object", "required": ["on", "channel", "note"], "additionalProperties": false, "properties": {
            "on": date, "channel": {"type": "string", "enum": ["phone", "whatsapp", "in_person", "sms", "email", "other"]},
            "note": {"type": "string", "minLength": 1, "maxLength": 1000}}},
        "RetentionBody": {"type": "object", "required": ["still_employed"], "properties": {"still_employed": {"type": "boolean"}}},
        "NewOrganisation": {"type": "object", "required": ["name", "kind"], "properties": {"name": {"type": "string"}, "kind": {"type": "string", "enum": ["desk", "punto_insieme", "social_services", "coordination"]}, "comune": {"type": "string"}}},
        "NewOperator": {"type": "object", "required": ["org_id", "name", "role"], "properties": {"org_id": {"type": "string"}, "name": {"type": "string"}, "role": {"type": "string", "enum": ["operator", "referrer", "coordinator", "admin"]}, "expires_on": date}},
        "ExpiryPatch": {"type": "object", "additionalProperties": false, "required": ["expires_on"], "properties": {"expires_on": {"type": ["string", "null"], "format": "date"}}}
    })
}

/// The OpenAPI document.
pub fn document() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for Route {
        method,
        path,
        who,
        summary,
        body,
        status,
    } in ROUTES
    {
        let mut op = json!({
            "summary": summary,
            "description": format!("Chi: {who}"),
            "responses": {
                status.to_string(): {"description": "OK"},
                "default": {"description": "Errore", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
        });
        if !who.starts_with("anyone") {
            op["security"] = json!([{"bearer": []}]);
        }
        if let Some(schema) = body {
            op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
        }
        let params: Vec<Value> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        if !params.is_empty() {
            op["parameters"] = Value::Array(params);
        }
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[*method] = op;
    }
    json!({
        "openapi": "3.0.3",
        "info": {"title": "DOM API", "version": "1.0.0",
            "description": "Incontro domanda-offerta di lavoro domestico per gli Sportelli Info Immigrati, i Punti Insieme e i servizi sociali."},
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas()
        }
    })
}

/// GET /openapi.json
pub fn routes() -> BoxedFilter<(warp::reply::Response,)> {
    warp::path!("openapi.json")
        .and(warp::get())
        .map(|| warp::reply::json(&document()).into_response())
        .boxed()
}

use warp::Reply;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_documented_once_with_its_method() {
        let doc = document();
        for r in ROUTES {
            assert!(
                doc["paths"][r.path][r.method].is_object(),
                "{} {}",
                r.method,
                r.path
            );
        }
        let n: usize = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|p| p.as_object().unwrap().len())
            .sum();
        assert_eq!(n, ROUTES.len());
    }
}
