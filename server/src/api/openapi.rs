//! `GET /openapi.json`: the OpenAPI 3.0 document of the API, assembled from the
//! operations the routes are paired with and the JSON Schemas of the Rust types they
//! read and write (`schemars`), so it cannot drift from what is served.

use schemars::gen::{SchemaGenerator, SchemaSettings};
use schemars::schema::Schema;
use serde_json::{json, Map, Value};
use warp::Filter;

use super::describe::{op, schema, Operation, Route};
use crate::error::ErrorBody;

/// Tags in the order the document lists them, with what each groups.
const TAGS: &[(&str, &str)] = &[
    ("service", "Health and this document"),
    ("workers", "Worker cards (desk operators)"),
    ("requests", "Family requests and their ranked candidates"),
    (
        "proposals",
        "Proposals of a worker to a family and their outcomes",
    ),
    ("follow-ups", "The desk's follow-up calls"),
    (
        "public",
        "The family's outcome report, with the code on the card",
    ),
    ("reports", "The monthly review"),
    (
        "admin",
        "Organisations, operators, tokens, audit log, backup",
    ),
];

/// The operations the API's own filters do not serve: this document, and `/metrics`,
/// which the listener answers before any route (`app::handle`).
pub fn outside_the_routes() -> Vec<Operation> {
    vec![
        op(
            "get",
            "/openapi.json",
            "getOpenApi",
            "service",
            "This OpenAPI document",
            "Questo documento.",
        )
        .answers::<serde_json::Value>(200, "The OpenAPI 3.0 document"),
        op(
            "get",
            "/metrics",
            "metrics",
            "service",
            "Prometheus metrics (also without a token on --metrics-addr)",
            "Metriche in formato Prometheus: richieste per rotta e stato, tempi, schede, \
             verifiche in ritardo, spazio dell'archivio; senza token su --metrics-addr.",
        )
        .roles(&[matcher::model::Role::Admin])
        .answers_text(200, "Prometheus text exposition format 0.0.4"),
    ]
}

/// The OpenAPI document of `ops`.
pub fn document<'a>(ops: impl IntoIterator<Item = &'a Operation>) -> Value {
    let mut g = SchemaSettings::openapi3().into_generator();
    schema::<ErrorBody>(&mut g);
    let mut paths = Map::new();
    for o in ops {
        let entry = paths.entry(o.path.to_string()).or_insert_with(|| json!({}));
        entry[o.method] = o.render(&mut g);
    }
    let mut defs = g.take_definitions();
    for v in g.visitors_mut() {
        for s in defs.values_mut() {
            v.visit_schema(s);
        }
    }
    let mut schemas = serde_json::to_value(defs).unwrap_or_default();
    drop_model_defaults(&mut schemas);
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "DOM API",
            "version": "1.0.0",
            "description": "Incontro domanda-offerta di lavoro domestico per gli Sportelli Info \
                Immigrati, i Punti Insieme e i servizi sociali. Matching domestic workers with \
                families for Italian immigrant information desks. Errors are `{\"error\": \
                {\"code\", \"message\", \"field\"?}}` with Italian messages.",
            "license": {"name": "EUPL-1.2"}
        },
        "tags": TAGS.iter().map(|(name, d)| json!({"name": name, "description": d})).collect::<Vec<_>>(),
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                "description": "The operator's personal token (demo: demo-sportello, demo-punto-insieme, demo-coordinatore, demo-admin)"}},
            "schemas": schemas
        }
    })
}

/// Removes defaults that are whole objects (`requires: {}`): client generators cannot give
/// a model a default, and an absent object means its own fields' defaults anyway.
fn drop_model_defaults(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if map.get("default").is_some_and(Value::is_object) {
                map.remove("default");
            }
            map.values_mut().for_each(drop_model_defaults);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_model_defaults),
        _ => {}
    }
}

/// The create body of the first demo worker, as an example.
pub fn example_worker() -> Option<Value> {
    let w = matcher::fixtures::demo_workers().ok()?.into_iter().next()?;
    serde_json::to_value(w.to_input()).ok()
}

/// The create body of the demo's Rossi family request, as an example.
pub fn example_request() -> Option<Value> {
    let r = matcher::fixtures::demo_requests()
        .ok()?
        .into_iter()
        .next()?;
    serde_json::to_value(r.to_input()).ok()
}

/// The schema of a merge patch of `T`'s create body: the same fields, none required,
/// plus the `extra` fields the patch route takes besides them.
pub fn merge_patch(g: &mut SchemaGenerator, name: &str, of: Schema, extra: Value) -> Schema {
    let target = serde_json::to_value(&of)
        .ok()
        .and_then(|r| r["$ref"].as_str().map(str::to_string))
        .and_then(|r| r.rsplit('/').next().map(str::to_string));
    let mut patch = target
        .and_then(|t| g.definitions().get(&t).cloned())
        .and_then(|s| serde_json::to_value(s).ok())
        .unwrap_or_else(|| json!({"type": "object"}));
    if let Some(obj) = patch.as_object_mut() {
        obj.remove("required");
        obj.insert(
            "description".into(),
            json!("JSON merge patch (RFC 7396): only the fields to change; `null` removes an optional one"),
        );
        if let (Some(props), Some(more)) = (
            obj.get_mut("properties").and_then(Value::as_object_mut),
            extra.as_object(),
        ) {
            props.extend(more.clone());
        }
    }
    if let Ok(s) = serde_json::from_value::<Schema>(patch) {
        g.definitions_mut().insert(name.to_string(), s);
    }
    serde_json::from_value(json!({"$ref": format!("#/components/schemas/{name}")}))
        .unwrap_or(Schema::Bool(true))
}

/// GET /openapi.json, answering `doc`.
pub fn serve(doc: Value) -> Route {
    let body = std::sync::Arc::new(doc);
    warp::path!("openapi.json")
        .and(warp::get())
        .map(move || warp::reply::json(&*body).into_response())
        .boxed()
}

use warp::Reply;
