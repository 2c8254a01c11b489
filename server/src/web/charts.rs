//! SVG charts drawn by the server (no script): bars with an optional line on a second
//! scale, and horizontal bars. Each chart carries a title and a text table alternative.

use std::fmt::Write;

use matcher::italian;

use super::html::esc;

const W: f64 = 640.0;
const H: f64 = 260.0;
const PAD_L: f64 = 40.0;
const PAD_B: f64 = 40.0;
const PAD_T: f64 = 20.0;
const PAD_R: f64 = 48.0;

/// Vertical bars (counts) per label, with an optional line of fractions (0–1).
pub fn bars_with_rate(
    title: &str,
    labels: &[String],
    counts: &[u64],
    rate: &[Option<f64>],
) -> String {
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let n = labels.len().max(1) as f64;
    let slot = (W - PAD_L - PAD_R) / n;
    let plot_h = H - PAD_T - PAD_B;
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"t-{id}\"><title id=\"t-{id}\">{t}</title>",
        id = slug(title),
        t = esc(title)
    );
    for v in ticks(max) {
        let y = PAD_T + plot_h * (1.0 - v / max);
        let _ = write!(
            svg,
            "<line x1=\"{PAD_L}\" x2=\"{x2}\" y1=\"{y:.1}\" y2=\"{y:.1}\" class=\"grid\"/><text x=\"{tx}\" y=\"{ty:.1}\" class=\"axis\" text-anchor=\"end\">{v}</text>",
            x2 = W - PAD_R,
            tx = PAD_L - 6.0,
            ty = y + 4.0,
            v = italian::number(v, 0)
        );
    }
    for (i, (label, c)) in labels.iter().zip(counts).enumerate() {
        let h = plot_h * (*c as f64) / max;
        let x = PAD_L + slot * i as f64 + slot * 0.2;
        let _ = write!(
            svg,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" class=\"bar\"><title>{l}: {c}</title></rect>\
             <text x=\"{cx:.1}\" y=\"{ly:.1}\" class=\"axis\" text-anchor=\"middle\">{l}</text>",
            y = PAD_T + plot_h - h,
            w = slot * 0.6,
            cx = x + slot * 0.3,
            ly = H - PAD_B + 16.0,
            l = esc(label),
        );
    }
    let points: Vec<String> = rate
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            r.map(|r| {
                format!(
                    "{:.1},{:.1}",
                    PAD_L + slot * i as f64 + slot * 0.5,
                    PAD_T + plot_h * (1.0 - r.clamp(0.0, 1.0))
                )
            })
        })
        .collect();
    if !points.is_empty() {
        let _ = write!(
            svg,
            "<polyline points=\"{}\" class=\"line\"/><text x=\"{x}\" y=\"{PAD_T}\" class=\"axis rate\">100%</text><text x=\"{x}\" y=\"{y}\" class=\"axis rate\">0%</text>",
            points.join(" "),
            x = W - PAD_R + 6.0,
            y = PAD_T + plot_h,
        );
        for p in &points {
            let (x, y) = p.split_once(',').unwrap_or(("0", "0"));
            let _ = write!(svg, "<circle cx=\"{x}\" cy=\"{y}\" r=\"3\" class=\"dot\"/>");
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Whole-number grid values for a count axis up to `max`: 0, the middle and the top,
/// each drawn at its own height and none twice (a top of 1 has no whole middle).
fn ticks(max: f64) -> Vec<f64> {
    let mut out: Vec<f64> = Vec::new();
    for v in [0.0, (max / 2.0).round(), max] {
        if out.last() != Some(&v) {
            out.push(v);
        }
    }
    out
}

/// Horizontal bars, one per (label, value).
pub fn hbars(title: &str, rows: &[(String, u64)]) -> String {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1) as f64;
    let bars: Vec<(&str, f64, String)> = rows
        .iter()
        .map(|(label, v)| {
            (
                label.as_str(),
                *v as f64 / max,
                italian::number(*v as f64, 0),
            )
        })
        .collect();
    hbar_chart(title, &bars, Some("Nessun dato nel mese"))
}

/// Horizontal bars of rates (0–1) shown as percentages; a row with no rate says so.
pub fn rate_hbars(title: &str, rows: &[(String, Option<f64>)]) -> String {
    let bars: Vec<(&str, f64, String)> = rows
        .iter()
        .map(|(label, rate)| {
            let shown = rate.map_or("nessuna proposta".to_string(), |r| italian::percent(r, 0));
            (label.as_str(), rate.unwrap_or(0.0).clamp(0.0, 1.0), shown)
        })
        .collect();
    hbar_chart(title, &bars, None)
}

/// The horizontal bar chart both kinds draw: (label, share of the full width, the value
/// as shown) per row; `empty` is written when there are no rows.
fn hbar_chart(title: &str, rows: &[(&str, f64, String)], empty: Option<&str>) -> String {
    let row_h = 26.0;
    let label_w = 260.0;
    let height = PAD_T + row_h * rows.len().max(1) as f64 + 10.0;
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {W} {height}\" role=\"img\" aria-labelledby=\"t-{id}\"><title id=\"t-{id}\">{t}</title>",
        id = slug(title),
        t = esc(title)
    );
    if let (true, Some(note)) = (rows.is_empty(), empty) {
        let _ = write!(
            svg,
            "<text x=\"10\" y=\"{}\" class=\"axis\">{note}</text>",
            PAD_T + 14.0
        );
    }
    for (i, (label, share, v)) in rows.iter().enumerate() {
        let y = PAD_T + row_h * i as f64;
        let w = (W - label_w - 60.0) * share;
        let _ = write!(
            svg,
            "<text x=\"{lx}\" y=\"{ty:.1}\" class=\"axis\" text-anchor=\"end\">{l}</text>\
             <rect x=\"{label_w}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{bh}\" class=\"bar\"><title>{l}: {v}</title></rect>\
             <text x=\"{vx:.1}\" y=\"{ty:.1}\" class=\"axis\">{v}</text>",
            lx = label_w - 8.0,
            ty = y + 15.0,
            l = esc(label),
            bh = row_h - 8.0,
            vx = label_w + w + 6.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

fn slug(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_the_line_to_the_rate() {
        let svg = bars_with_rate(
            "Collocamenti",
            &["ott".into(), "nov".into()],
            &[2, 4],
            &[Some(0.5), None],
        );
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains("<title>nov: 4</title>"));
        // The tallest bar fills the plot; the rate line has one point.
        assert!(svg.contains(&format!("height=\"{:.1}\"", H - PAD_T - PAD_B)));
        assert_eq!(svg.matches("<circle").count(), 1);
        let empty = hbars("Motivi", &[]);
        assert!(empty.contains("Nessun dato"));
        assert!(hbars("Motivi", &[("<x>".into(), 3)]).contains("&lt;x&gt;: 3"));
    }

    #[test]
    fn an_empty_axis_reads_0_and_1_each_at_its_height() {
        assert_eq!(ticks(1.0), vec![0.0, 1.0]);
        assert_eq!(ticks(2.0), vec![0.0, 1.0, 2.0]);
        let svg = bars_with_rate("Vuoto", &["ott".into()], &[0], &[None]);
        let axis: Vec<&str> = svg
            .split("text-anchor=\"end\">")
            .skip(1)
            .filter_map(|t| t.split('<').next())
            .collect();
        assert_eq!(axis, vec!["0", "1"]);
        let big = bars_with_rate("Grandi", &["ott".into()], &[1200], &[None]);
        assert!(big.contains(">1.200</text>"), "thousands point");
    }

    #[test]
    fn rate_bars_are_percentages_of_the_full_width() {
        let svg = rate_hbars(
            "Assunzioni per posizione",
            &[
                ("1°".into(), Some(1.0)),
                ("&gt;10".into(), None),
                ("2-3".into(), Some(0.25)),
            ],
        );
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.contains(&format!("width=\"{:.1}\"", W - 260.0 - 60.0)));
        assert!(svg.contains("<title>2-3: 25%</title>"));
        assert!(svg.contains("nessuna proposta"));
        assert!(svg.contains("&amp;gt;10"), "labels are escaped");
    }
}
