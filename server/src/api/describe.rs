//! What each route says about itself in the OpenAPI document: an `Operation`, built next
//! to the route's filter and paired with it (`Operation::serves`), so that a route cannot
//! be served without being described.

use std::collections::BTreeMap;

use schemars::gen::SchemaGenerator;
use schemars::schema::Schema;
use schemars::JsonSchema;
use serde_json::{json, Map, Value};
use warp::filters::BoxedFilter;

use matcher::model::Role;

/// A route's filter, as every resource module builds them.
pub type Route = BoxedFilter<(warp::reply::Response,)>;

/// Puts a type's schema (and those it refers to) in the document, answering the reference.
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// The schema of `T`, for `Operation::body` and `Operation::answers`.
pub fn schema<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

/// `f`'s schema in the document's dialect (OpenAPI 3.0: no boolean schemas, no siblings
/// beside a `$ref`).
pub fn finished(g: &mut SchemaGenerator, f: SchemaFn) -> Value {
    let mut s = f(g);
    for v in g.visitors_mut() {
        v.visit_schema(&mut s);
    }
    serde_json::to_value(s).unwrap_or_default()
}

/// A route and its description, as `api::routes` collects them.
pub struct Described {
    pub op: Operation,
    pub route: Route,
}

/// What a successful answer carries.
enum Answer {
    Json(SchemaFn),
    /// JSON, or CSV when asked for with `Accept: text/csv`.
    JsonOrCsv(SchemaFn),
    Binary,
    /// A spreadsheet: CSV for Italian Excel, or XLSX.
    Sheet,
    /// Plain text (the Prometheus exposition format).
    Text,
    Empty,
}

/// A query parameter's schema: written out, or a Rust type's (vocabularies).
enum ParamSchema {
    Plain(Value),
    Typed(SchemaFn),
}

/// One operation of the API as the document describes it.
pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    id: &'static str,
    tag: &'static str,
    summary: &'static str,
    description: &'static str,
    /// `None`: anyone, without a token.
    roles: Option<&'static [Role]>,
    query: Vec<(&'static str, &'static str, ParamSchema)>,
    body: Option<(SchemaFn, Option<Value>)>,
    /// The body is a file (a desk's spreadsheet), not JSON.
    upload: bool,
    answers: Vec<(u16, &'static str, Answer)>,
    errors: Vec<u16>,
    links: Vec<Link>,
}

/// An OpenAPI link: from a success answer to the next operation a client calls with it
/// (`$response.body#/id` …), which is also how schemathesis reaches routes with ids.
struct Link {
    status: u16,
    to: &'static str,
    parameters: Value,
    body: Option<Value>,
}

/// `METHOD path`, called `id` in generated clients, listed under `tag`; English `summary`
/// for integrators, Italian `description` for the desks.
pub fn op(
    method: &'static str,
    path: &'static str,
    id: &'static str,
    tag: &'static str,
    summary: &'static str,
    description: &'static str,
) -> Operation {
    Operation {
        method,
        path,
        id,
        tag,
        summary,
        description,
        roles: None,
        query: Vec::new(),
        body: None,
        upload: false,
        answers: Vec::new(),
        errors: Vec::new(),
        links: Vec::new(),
    }
}

/// An integer query parameter within `min..=max`, `default` when absent.
pub fn int(min: u64, max: u64, default: u64) -> Value {
    json!({"type": "integer", "minimum": min, "maximum": max, "default": default})
}

/// A non-negative integer query parameter, 0 when absent.
pub fn offset() -> Value {
    json!({"type": "integer", "minimum": 0, "default": 0})
}

/// A free-text query parameter of at most `max` characters.
pub fn text(max: u64) -> Value {
    json!({"type": "string", "maxLength": max})
}

/// A date query parameter (AAAA-MM-GG).
pub fn date() -> Value {
    json!({"type": "string", "format": "date"})
}

/// A record id query parameter.
pub fn id() -> Value {
    json!({"type": "string", "pattern": "^[0-9a-f]{16}$"})
}

impl Operation {
    /// Pairs the description with the filter that serves it.
    pub fn serves(self, route: Route) -> Described {
        Described { op: self, route }
    }

    /// Only with a bearer token of one of `roles`.
    pub fn roles(mut self, roles: &'static [Role]) -> Operation {
        self.roles = Some(roles);
        self
    }

    /// An optional query parameter.
    pub fn query(mut self, name: &'static str, description: &'static str, schema: Value) -> Self {
        self.query
            .push((name, description, ParamSchema::Plain(schema)));
        self
    }

    /// An optional query parameter taking a value of `T` (a vocabulary).
    pub fn query_of<T: JsonSchema>(
        mut self,
        name: &'static str,
        description: &'static str,
    ) -> Self {
        self.query
            .push((name, description, ParamSchema::Typed(schema::<T>)));
        self
    }

    /// A JSON body of type `T`.
    pub fn body<T: JsonSchema>(mut self, example: Option<Value>) -> Self {
        self.body = Some((schema::<T>, example));
        self
    }

    /// A spreadsheet file as the body (CSV, XLSX or ODS; the type from `Content-Type`
    /// or the content).
    pub fn body_file(mut self) -> Self {
        self.upload = true;
        self
    }

    /// A JSON merge patch (RFC 7396) of a record, described by `patch`.
    pub fn patch(mut self, patch: SchemaFn) -> Self {
        self.body = Some((patch, None));
        self
    }

    /// Success with a JSON body of type `T`.
    pub fn answers<T: JsonSchema>(mut self, status: u16, what: &'static str) -> Self {
        self.answers.push((status, what, Answer::Json(schema::<T>)));
        self
    }

    /// Success with a JSON body of type `T`, or its CSV form.
    pub fn answers_csv<T: JsonSchema>(mut self, status: u16, what: &'static str) -> Self {
        self.answers
            .push((status, what, Answer::JsonOrCsv(schema::<T>)));
        self
    }

    /// Success with a file to download.
    pub fn answers_file(mut self, status: u16, what: &'static str) -> Self {
        self.answers.push((status, what, Answer::Binary));
        self
    }

    /// Success with a spreadsheet (CSV or XLSX, as asked).
    pub fn answers_sheet(mut self, status: u16, what: &'static str) -> Self {
        self.answers.push((status, what, Answer::Sheet));
        self
    }

    /// Success with a plain-text body.
    pub fn answers_text(mut self, status: u16, what: &'static str) -> Self {
        self.answers.push((status, what, Answer::Text));
        self
    }

    /// Success without a body.
    pub fn answers_nothing(mut self, status: u16, what: &'static str) -> Self {
        self.answers.push((status, what, Answer::Empty));
        self
    }

    /// After a `status` answer, the client may call operation `to` with these `parameters`
    /// (runtime expressions, e.g. `{"id": "$response.body#/id"}`).
    pub fn link(mut self, status: u16, to: &'static str, parameters: Value) -> Self {
        self.links.push(Link {
            status,
            to,
            parameters,
            body: None,
        });
        self
    }

    /// Links from a `status` answer to each of `to`, passing the answer's `id` as `id`.
    pub fn links_by_id(self, status: u16, to: &[&'static str]) -> Self {
        to.iter().fold(self, |o, t| {
            o.link(status, t, json!({"id": "$response.body#/id"}))
        })
    }

    /// `link`, with a request body built from the answer.
    pub fn link_body(
        mut self,
        status: u16,
        to: &'static str,
        parameters: Value,
        body: Value,
    ) -> Self {
        self.links.push(Link {
            status,
            to,
            parameters,
            body: Some(body),
        });
        self
    }

    /// Errors particular to this operation, besides those its shape implies.
    pub fn errors(mut self, codes: &[u16]) -> Self {
        self.errors.extend_from_slice(codes);
        self
    }

    fn path_params(&self) -> impl Iterator<Item = &'static str> {
        self.path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
    }

    /// Every error status the operation can answer, from its shape and its own list.
    fn error_statuses(&self) -> Vec<u16> {
        let mut codes = self.errors.clone();
        if self.roles.is_some() {
            // 429: the per-token rate limit.
            codes.extend([401, 403, 429]);
        }
        if self.path_params().next().is_some() {
            codes.push(404);
        }
        if !self.query.is_empty() {
            codes.push(422);
        }
        if self.body.is_some() {
            codes.extend([413, 422]);
        }
        codes.sort_unstable();
        codes.dedup();
        codes
    }

    /// The operation object, its schemas added to `g`.
    pub fn render(&self, g: &mut SchemaGenerator) -> Value {
        let mut params: Vec<Value> = self
            .path_params()
            .map(|name| {
                let schema = if name == "code" {
                    json!({"type": "string", "minLength": 1, "maxLength": 64})
                } else {
                    id()
                };
                json!({"name": name, "in": "path", "required": true, "schema": schema})
            })
            .collect();
        for (name, description, schema) in &self.query {
            let schema = match schema {
                ParamSchema::Plain(v) => v.clone(),
                ParamSchema::Typed(f) => finished(g, *f),
            };
            params.push(json!({"name": name, "in": "query", "required": false,
                               "description": description, "schema": schema}));
        }
        let mut responses = Map::new();
        for (status, what, answer) in &self.answers {
            let content = match answer {
                Answer::Json(f) => json!({"application/json": {"schema": finished(g, *f)}}),
                Answer::JsonOrCsv(f) => json!({
                    "application/json": {"schema": finished(g, *f)},
                    "text/csv": {"schema": {"type": "string"}},
                    XLSX: {"schema": {"type": "string", "format": "binary"}}
                }),
                Answer::Sheet => json!({
                    "text/csv": {"schema": {"type": "string"}},
                    XLSX: {"schema": {"type": "string", "format": "binary"}}
                }),
                Answer::Binary => json!({"application/octet-stream":
                    {"schema": {"type": "string", "format": "binary"}}}),
                Answer::Text => json!({"text/plain": {"schema": {"type": "string"}}}),
                Answer::Empty => Value::Null,
            };
            let mut r = json!({"description": what});
            if !content.is_null() {
                r["content"] = content;
            }
            let mut links = Map::new();
            for l in self.links.iter().filter(|l| l.status == *status) {
                let mut link = json!({"operationId": l.to, "parameters": l.parameters});
                if let Some(b) = &l.body {
                    link["requestBody"] = b.clone();
                }
                links.insert(l.to.to_string(), link);
            }
            if !links.is_empty() {
                r["links"] = Value::Object(links);
            }
            responses.insert(status.to_string(), r);
        }
        for status in self.error_statuses() {
            let mut r = json!({
                "description": error_meaning(status),
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
            });
            if status == 401 {
                r["headers"] = json!({"WWW-Authenticate": {"schema": {"type": "string"}}});
            }
            responses.insert(status.to_string(), r);
        }
        let who = match self.roles {
            None => "Chiunque, senza token.".to_string(),
            Some(roles) => format!(
                "Ruoli: {}.",
                roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let mut op = json!({
            "operationId": self.id,
            "tags": [self.tag],
            "summary": self.summary,
            "description": format!("{} {who}", self.description),
            "responses": responses,
            "security": match self.roles { None => json!([]), Some(_) => json!([{"bearer": []}]) },
        });
        if !params.is_empty() {
            op["parameters"] = Value::Array(params);
        }
        if let Some((f, example)) = &self.body {
            let mut media = json!({"schema": finished(g, *f)});
            if let Some(e) = example {
                media["example"] = e.clone();
            }
            op["requestBody"] = json!({"required": true, "content": {"application/json": media}});
        }
        if self.upload {
            let file = json!({"schema": {"type": "string", "format": "binary"}});
            op["requestBody"] = json!({"required": true, "content": {
                "text/csv": file,
                XLSX: file,
                "application/vnd.oasis.opendocument.spreadsheet": file,
                "application/octet-stream": file,
            }});
        }
        op
    }
}

/// The media type of an Excel workbook.
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// What an error status means, in English for integrators.
fn error_meaning(status: u16) -> &'static str {
    match status {
        401 => "Missing, unknown, revoked or expired token",
        403 => "The token's role may not do this (or not on this record)",
        404 => "No such record, or not visible to this token",
        409 => "Conflict with the current state (possible duplicate, not eligible, closed)",
        413 => "Body larger than 64 KiB",
        422 => "Invalid input: `error.field` names the field",
        429 => "Too many requests: retry later",
        _ => "Error",
    }
}

/// Methods served on each path template, for the `Allow` header of a 405 answer.
pub fn methods_by_path(ops: &[&Operation]) -> BTreeMap<&'static str, Vec<&'static str>> {
    let mut out: BTreeMap<&'static str, Vec<&'static str>> = BTreeMap::new();
    for o in ops {
        out.entry(o.path).or_default().push(o.method);
    }
    out
}

/// Whether a concrete request path fits a template (`{x}` matches one segment).
pub fn fits(template: &str, path: &str) -> bool {
    let (mut t, mut p) = (template.split('/'), path.split('/'));
    loop {
        match (t.next(), p.next()) {
            (None, None) => return true,
            (Some(ts), Some(ps)) => {
                let param = ts.starts_with('{') && ts.ends_with('}');
                if (param && ps.is_empty()) || (!param && ts != ps) {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fit_one_segment_per_parameter() {
        assert!(fits(
            "/api/v1/workers/{id}",
            "/api/v1/workers/a000000000000001"
        ));
        assert!(!fits("/api/v1/workers/{id}", "/api/v1/workers/"));
        assert!(!fits("/api/v1/workers/{id}", "/api/v1/workers/a/export"));
        assert!(fits("/api/v1/workers", "/api/v1/workers"));
        assert!(!fits("/api/v1/workers", "/api/v1/requests"));
    }

    #[test]
    fn errors_follow_from_the_shape() {
        let o = op("post", "/x/{id}", "x", "t", "s", "d")
            .roles(&[Role::Operator])
            .body::<bool>(None)
            .errors(&[409]);
        assert_eq!(o.error_statuses(), vec![401, 403, 404, 409, 413, 422, 429]);
        let public = op("get", "/y", "y", "t", "s", "d");
        assert!(public.error_statuses().is_empty());
    }
}
