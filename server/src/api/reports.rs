//! `GET /api/v1/reports/monthly`: the monthly placement-outcome review, as JSON or, with
//! `Accept: text/csv` or the XLSX type, as a spreadsheet for Italian Excel. Aggregates
//! only: no person appears in it.

use std::collections::HashMap;
use std::sync::Arc;

use matcher::model::Role;
use matcher::{Date, Month};
use warp::http::StatusCode;
use warp::Filter;

use super::describe::{op, Described};
use super::{json, only_params, query, respond, token};
use crate::access;
use crate::app::State;
use crate::error::ApiError;
use crate::sheets::{self, SheetFormat};

pub fn routes(state: Arc<State>) -> Vec<Described> {
    // GET /api/v1/reports/monthly?month=YYYY-MM
    let monthly = route!(get warp::path!("api" / "v1" / "reports" / "monthly"), token(), query(), warp::header::optional::<String>("accept");
        state => |t, q, a, s| respond(monthly(t, q, a, s)));
    vec![op(
        "get",
        "/api/v1/reports/monthly",
        "monthlyReport",
        "reports",
        "The monthly review of outcomes (JSON, or CSV with Accept: text/csv)",
        "Rapporto mensile degli esiti, solo aggregati (Accept: text/csv per il CSV).",
    )
    .roles(&[Role::Coordinator, Role::Operator])
    .query(
        "month",
        "The month, AAAA-MM (default: the current one)",
        serde_json::json!({"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"}),
    )
    .answers_csv::<matcher::MonthlyReport>(200, "The review")
    .serves(monthly)]
}

async fn monthly(
    token: Option<String>,
    q: HashMap<String, String>,
    accept: Option<String>,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let actor = state.auth.authenticate(token.as_deref())?;
    access::review(&actor)?;
    only_params(&q, &["month"])?;
    let month: Month = match q.get("month") {
        Some(m) => m.parse()?,
        None => Month::of(Date::today()),
    };
    let report = state
        .blocking(move |s| Ok(s.engine.monthly_report(month, Date::today())?))
        .await?;
    if let Some(format) = accept.as_deref().and_then(SheetFormat::from_accept) {
        let file = format.write(&report.tables())?;
        return Ok(sheets::download(
            file,
            &format!("dom-rapporto-{month}"),
            format,
        ));
    }
    Ok(json(StatusCode::OK, &report))
}
