//! Building HTML safely: escaping, the page frame (navigation by role, security
//! headers), and form fields that show the API's validation error beside the input.

use std::collections::HashMap;
use std::fmt::Write;

use matcher::model::Role;
use warp::http::{HeaderValue, StatusCode};
use warp::reply::Response;

use super::session::Session;

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a query-string value.
pub fn url(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A complete HTML response with the headers every page carries.
pub fn respond(status: StatusCode, html: String) -> Response {
    let mut resp = Response::new(html.into());
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    for (k, v) in [
        ("content-type", "text/html; charset=utf-8"),
        // Pages show personal data: never cached, never framed, no referrer leaks.
        ("cache-control", "no-store"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("x-frame-options", "DENY"),
        (
            "content-security-policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'",
        ),
    ] {
        h.insert(k, HeaderValue::from_static(v));
    }
    resp
}

/// A page in the service's frame: title, navigation for the signed-in role (the current
/// page marked), content with its tables ready to stack on a phone.
pub fn page(session: Option<&Session>, title: &str, body: &str) -> String {
    let nav = session.map(nav).unwrap_or_default();
    let body = label_cells(body);
    format!(
        "<!doctype html>\n<html lang=\"it\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t} — DOM</title><link rel=\"stylesheet\" href=\"/ui/static/style.css\">\
         <script src=\"/ui/static/app.js\" defer></script></head>\
         <body><a class=\"skip\" href=\"#main\">Vai al contenuto</a>{nav}\
         <main id=\"main\"><h1>{t}</h1>{body}</main></body></html>",
        t = esc(title),
    )
}

/// A menu entry: its address, its label, and the other addresses whose pages belong to
/// it (a referrer's request pages belong to "Le nostre richieste").
type Link = (&'static str, &'static str, &'static [&'static str]);

fn links(role: Role) -> &'static [Link] {
    match role {
        Role::Operator => &[
            ("/ui/", "Oggi", &[]),
            ("/ui/schede", "Schede", &[]),
            ("/ui/schede/nuova", "Nuova scheda", &[]),
            ("/ui/richieste", "Richieste", &[]),
            ("/ui/richieste/nuova", "Nuova richiesta", &[]),
            ("/ui/verifiche", "Verifiche", &[]),
            ("/ui/rapporto", "Rapporto", &[]),
            ("/ui/importa", "Importa schede", &[]),
        ],
        Role::Referrer => &[
            ("/ui/", "Le nostre richieste", &["/ui/richieste"]),
            ("/ui/richieste/nuova", "Nuova richiesta", &[]),
        ],
        Role::Coordinator => &[("/ui/rapporto", "Rapporto mensile", &[])],
        Role::Admin => &[(
            "/ui/",
            "Organizzazioni",
            &["/ui/operatori", "/ui/organizzazioni"],
        )],
    }
}

/// The menu entry of the page at `path`: the longest address that is the path or one of
/// its parent folders ("/ui/" only as itself, or every page would be "Oggi").
fn current(links: &[Link], path: &str) -> Option<&'static str> {
    let path = if path == "/ui" { "/ui/" } else { path };
    let under = |base: &str| {
        path == base
            || (base != "/ui/"
                && path
                    .strip_prefix(base)
                    .is_some_and(|rest| rest.starts_with('/')))
    };
    links
        .iter()
        .flat_map(|(href, _, also)| {
            std::iter::once(*href)
                .chain(also.iter().copied())
                .filter(|base| under(base))
                .map(move |base| (base.len(), *href))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, href)| href)
}

fn nav(s: &Session) -> String {
    let links = links(s.actor.role);
    let here = current(links, &s.path);
    let mut out = String::from("<header class=\"top\"><nav aria-label=\"Menu principale\"><span class=\"brand\">DOM</span><ul>");
    for (href, label, _) in links {
        let mark = if here == Some(*href) {
            " aria-current=\"page\""
        } else {
            ""
        };
        let _ = write!(out, "<li><a href=\"{href}\"{mark}>{label}</a></li>");
    }
    let _ = write!(
        out,
        "</ul></nav><form method=\"post\" action=\"/ui/esci\" class=\"who\"><span>{} · {}</span>\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\"><button type=\"submit\">Esci</button></form></header>",
        esc(&s.operator_name),
        esc(&s.org_name),
        esc(&s.csrf)
    );
    out
}

/// Gives every cell of a table with a header row the header's text as `data-label`, and
/// the table `data-stack`, so the stylesheet can show each row as a labelled block on a
/// phone. Works on the markup the pages build (no nested tables); a table without a
/// `<thead>` is left as it is.
pub fn label_cells(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut rest = html;
    while let Some(start) = rest.find("<table") {
        let Some(len) = rest[start..].find("</table>") else {
            break;
        };
        let end = start + len + "</table>".len();
        out.push_str(&rest[..start]);
        out.push_str(&label_table(&rest[start..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn label_table(table: &str) -> String {
    let Some((head, body)) = table.split_once("</thead>") else {
        return table.to_string();
    };
    let labels: Vec<String> = head
        .split("<th")
        .skip(1)
        .filter(|cell| cell.starts_with('>') || cell.starts_with(' '))
        .map(|cell| {
            let inner = cell.split_once('>').map_or("", |(_, rest)| rest);
            let text = inner.split("</th>").next().unwrap_or("");
            strip_tags(text).trim().replace('"', "&quot;")
        })
        .collect();
    let mut out = head.replacen("<table", "<table data-stack", 1);
    out.push_str("</thead>");
    let mut column = 0;
    let mut rest = body;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with("<tr") {
            column = 0;
        } else if rest.starts_with("<td>") || rest.starts_with("<td ") {
            out.push_str("<td");
            if let Some(label) = labels.get(column).filter(|l| !l.is_empty()) {
                let _ = write!(out, " data-label=\"{label}\"");
            }
            column += 1;
            rest = &rest[3..];
            continue;
        }
        out.push('<');
        rest = &rest[1..];
    }
    out.push_str(rest);
    out
}

/// The text of a bit of markup, tags dropped (entities kept as they are).
fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in html.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

/// What a form shows again after a refusal: the values typed and the error per field.
#[derive(Default)]
pub struct FormState {
    pub values: HashMap<String, Vec<String>>,
    pub errors: HashMap<String, String>,
    /// A message for the whole form (shown above it).
    pub banner: Option<String>,
}

impl FormState {
    pub fn value(&self, name: &str) -> &str {
        self.values
            .get(name)
            .and_then(|v| v.first())
            .map_or("", String::as_str)
    }

    pub fn has(&self, name: &str, value: &str) -> bool {
        self.values
            .get(name)
            .is_some_and(|v| v.iter().any(|x| x == value))
    }

    /// The error the API reported for exactly this input's path. An error naming a
    /// whole group (`hours_per_week`) has no input of its own and shows in the banner.
    pub fn error(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }

    /// The input's id (`f-` + this) for a name: what labels and summary links point at.
    pub(crate) fn id(name: &str) -> String {
        name.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect()
    }

    /// `<label>` + `<input>` + its error, wired for screen readers.
    pub fn input(&self, name: &str, label: &str, kind: &str, extra: &str) -> String {
        let id = Self::id(name);
        let (invalid, err) = self.error_parts(name, &id);
        format!(
            "<div class=\"field\"><label for=\"f-{id}\">{label}</label>\
             <input id=\"f-{id}\" name=\"{n}\" type=\"{kind}\" value=\"{v}\" {extra}{invalid}>{err}</div>",
            n = esc(name),
            v = esc(self.value(name)),
        )
    }

    pub fn textarea(&self, name: &str, label: &str, hint: &str) -> String {
        let id = Self::id(name);
        let (invalid, err) = self.error_parts(name, &id);
        format!(
            "<div class=\"field wide\"><label for=\"f-{id}\">{label}</label>\
             <p class=\"hint\" id=\"h-{id}\">{hint}</p>\
             <textarea id=\"f-{id}\" name=\"{n}\" rows=\"4\" aria-describedby=\"h-{id}\"{invalid}>{v}</textarea>{err}</div>",
            n = esc(name),
            v = esc(self.value(name)),
        )
    }

    pub fn select(&self, name: &str, label: &str, options: &[(&str, &str)]) -> String {
        let id = Self::id(name);
        let (invalid, err) = self.error_parts(name, &id);
        let mut opts = String::new();
        for (value, text) in options {
            let sel = if self.value(name) == *value {
                " selected"
            } else {
                ""
            };
            let _ = write!(
                opts,
                "<option value=\"{}\"{sel}>{}</option>",
                esc(value),
                esc(text)
            );
        }
        format!(
            "<div class=\"field\"><label for=\"f-{id}\">{label}</label>\
             <select id=\"f-{id}\" name=\"{n}\"{invalid}>{opts}</select>{err}</div>",
            n = esc(name)
        )
    }

    pub fn checkboxes(&self, name: &str, legend: &str, options: &[(&str, &str)]) -> String {
        let id = Self::id(name);
        let (_, err) = self.error_parts(name, &id);
        let mut boxes = String::new();
        for (value, text) in options {
            let checked = if self.has(name, value) {
                " checked"
            } else {
                ""
            };
            let _ = write!(
                boxes,
                "<label class=\"check\"><input type=\"checkbox\" name=\"{}\" value=\"{}\"{checked}> {}</label>",
                esc(name),
                esc(value),
                esc(text)
            );
        }
        format!("<fieldset class=\"field wide\"><legend>{legend}</legend>{boxes}{err}</fieldset>")
    }

    pub fn checkbox(&self, name: &str, label: &str) -> String {
        let id = Self::id(name);
        let (_, err) = self.error_parts(name, &id);
        let checked = if self.has(name, "true") {
            " checked"
        } else {
            ""
        };
        format!(
            "<div class=\"field\"><label class=\"check\"><input type=\"checkbox\" id=\"f-{id}\" name=\"{}\" value=\"true\"{checked}> {label}</label>{err}</div>",
            esc(name)
        )
    }

    fn error_parts(&self, name: &str, id: &str) -> (String, String) {
        match self.error(name) {
            Some(e) => (
                format!(" aria-invalid=\"true\" aria-describedby=\"e-{id}\""),
                format!(
                    "<p class=\"error\" id=\"e-{id}\" role=\"alert\">{}</p>",
                    esc(e)
                ),
            ),
            None => (String::new(), String::new()),
        }
    }

    pub fn banner_html(&self) -> String {
        match &self.banner {
            Some(b) => format!("<div class=\"banner error\" role=\"alert\">{b}</div>"),
            None => String::new(),
        }
    }
}

/// A phone number as a link that dials it on the operator's phone (`tel:`); the href
/// keeps only the `+` and the digits, so nothing typed into a card can become markup
/// or another kind of link.
pub fn tel_link(phone: &str) -> String {
    let dial: String = phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    if dial.is_empty() {
        return esc(phone);
    }
    format!("<a class=\"tel\" href=\"tel:{dial}\">{}</a>", esc(phone))
}

/// A short Italian date (20/11/2026) for people (`matcher::italian` holds the formats).
pub fn date_it(d: matcher::Date) -> String {
    matcher::italian::date(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_attributes() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(url("Rocca strada/è"), "Rocca%20strada%2F%C3%A8");
    }

    #[test]
    fn a_phone_link_dials_only_digits() {
        assert_eq!(
            tel_link("+39 320 555-0101"),
            "<a class=\"tel\" href=\"tel:+393205550101\">+39 320 555-0101</a>"
        );
        assert_eq!(tel_link("\"><script>"), "&quot;&gt;&lt;script&gt;");
    }

    #[test]
    fn every_cell_carries_its_column_header() {
        let html = "<p>x</p><table class=\"t\"><thead><tr><th>Famiglia</th><th class=\"num\">Ore <small>(sett.)</small></th><th></th></tr></thead>\
                    <tbody><tr><td>Rossi</td><td class=\"num\">20</td><td><button>Apri</button></td></tr>\
                    <tr><td>Bianchi</td><td>10</td><td></td></tr></tbody></table><table><tr><td>a</td></tr></table>";
        let out = label_cells(html);
        assert!(out.contains("<table data-stack class=\"t\">"));
        assert!(out.contains("<td data-label=\"Famiglia\">Rossi</td>"));
        assert!(out.contains("<td data-label=\"Ore (sett.)\" class=\"num\">20</td>"));
        assert!(out.contains("<td data-label=\"Famiglia\">Bianchi</td><td data-label=\"Ore (sett.)\">10</td><td></td>"));
        assert!(
            out.ends_with("<table><tr><td>a</td></tr></table>"),
            "no header, untouched"
        );
        assert!(out.starts_with("<p>x</p>"));
    }

    #[test]
    fn the_menu_marks_the_page_it_belongs_to() {
        let desk = links(Role::Operator);
        for (path, entry) in [
            ("/ui/", Some("/ui/")),
            ("/ui", Some("/ui/")),
            ("/ui/schede", Some("/ui/schede")),
            ("/ui/schede/0123456789abcdef", Some("/ui/schede")),
            ("/ui/schede/nuova", Some("/ui/schede/nuova")),
            (
                "/ui/richieste/0123456789abcdef/stampa",
                Some("/ui/richieste"),
            ),
            ("/ui/verifiche", Some("/ui/verifiche")),
            ("/ui/schedex", None),
            ("/ui/accesso", None),
        ] {
            assert_eq!(current(desk, path), entry, "{path}");
        }
        let referrer = links(Role::Referrer);
        assert_eq!(
            current(referrer, "/ui/richieste/0123456789abcdef"),
            Some("/ui/")
        );
        assert_eq!(
            current(referrer, "/ui/richieste/nuova"),
            Some("/ui/richieste/nuova")
        );
    }

    #[test]
    fn a_field_with_an_error_says_so_to_screen_readers() {
        let mut f = FormState::default();
        f.values.insert("phone".into(), vec!["<b>".into()]);
        f.errors.insert("phone".into(), "numero non valido".into());
        let html = f.input("phone", "Telefono", "tel", "");
        assert!(html.contains("aria-invalid=\"true\""));
        assert!(html.contains("role=\"alert\">numero non valido"));
        assert!(html.contains("value=\"&lt;b&gt;\""));
    }
}
