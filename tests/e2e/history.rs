//! The demo has a past: twelve months of history behind the review, and its effectiveness
//! section in the contract's shape.

use crate::util::Server;
use crate::COORD;

/// `YYYY-MM` of the month `back` months before this one.
fn month_back(back: u32) -> String {
    let t = crate::today();
    let (mut y, mut m): (i32, u32) = (t[..4].parse().unwrap(), t[5..7].parse().unwrap());
    for _ in 0..back {
        (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    }
    format!("{y:04}-{m:02}")
}

#[test]
fn the_demo_review_has_twelve_months_and_an_effectiveness_section() {
    let s = Server::demo_with_history();
    for back in 1..=11 {
        let month = month_back(back);
        let r = s.get_as(COORD, &format!("/api/v1/reports/monthly?month={month}"));
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(
            r.json()["proposals_made"].as_u64().unwrap() > 0,
            "{month}: {}",
            r.body
        );
    }
    let r = s.get_as(COORD, "/api/v1/reports/monthly");
    assert_eq!(r.status, 200, "{}", r.body);
    let e = &r.json()["effectiveness"];
    assert_eq!(e["to"], month_back(0));
    assert_eq!(e["from"], month_back(11));
    let bands: Vec<&str> = e["by_score_band"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["band"].as_str().unwrap())
        .collect();
    assert_eq!(bands, ["<50", "50-60", "60-70", "70-80", ">=80"]);
    let ranks: Vec<&str> = e["by_rank"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["rank"].as_str().unwrap())
        .collect();
    assert_eq!(ranks, ["1", "2-3", "4-10", ">10"]);
    let mut proposals = 0;
    for row in e["by_score_band"]
        .as_array()
        .unwrap()
        .iter()
        .chain(e["by_rank"].as_array().unwrap())
    {
        let (n, h) = (
            row["proposals"].as_u64().unwrap(),
            row["hired"].as_u64().unwrap(),
        );
        assert!(h <= n, "{row}");
        if n > 0 {
            let rate = row["rate"].as_f64().unwrap();
            assert!((rate - h as f64 / n as f64).abs() < 1e-3, "{row}");
        } else {
            assert!(row["rate"].is_null());
        }
        proposals += n;
    }
    assert!(
        proposals >= 200,
        "both groupings count every proposal: {proposals}"
    );
    let share = e["outcome_known_share"].as_f64().unwrap();
    assert!(share > 0.0 && share <= 1.0);
    assert!(e["median_days_proposal_to_outcome"].as_f64().unwrap() > 0.0);

    let csv = s.get_with(COORD, "/api/v1/reports/monthly", "Accept: text/csv");
    assert!(
        csv.body
            .contains("Assunzioni per posizione in classifica\r\nPosizione;Proposte;Assunte;Tasso di assunzione\r\n1;"),
        "{}",
        csv.body
    );
    assert!(csv
        .body
        .contains(&format!("\nEfficacia da {} a ", month_back(11))));

    // The coordinator sees it on the review page: two charts, a table, how to read them.
    let cookie = crate::web::sign_in(&s, COORD);
    let page = crate::web::get(&s, "/ui/rapporto", &cookie);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page
        .body
        .contains("Un punteggio più alto porta a più assunzioni?"));
    assert!(page.body.contains("Assunzioni per fascia di punteggio"));
    assert!(page.body.contains("Assunzioni per posizione in classifica"));
    assert!(
        crate::util::unlabelled(&page.body).contains("<td>posizione &gt;10</td>"),
        "{}",
        page.body
    );
}
