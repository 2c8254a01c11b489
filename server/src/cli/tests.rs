//! Tests of the command line: parsing, Italian help and errors, which folders may get a store.
use super::*;

fn parse(s: &str) -> std::result::Result<Cli, clap::Error> {
    parse_args(s.split_whitespace().map(String::from))
}

#[test]
fn the_definition_is_consistent() {
    command().debug_assert();
}

#[test]
fn help_is_in_italian() {
    let help = parse("serve --help").unwrap_err().render().to_string();
    assert!(
        help.contains("Uso: dom serve") && help.contains("Opzioni:"),
        "{help}"
    );
    assert!(
        help.contains("Mostra questo aiuto") && !help.contains("Print help"),
        "{help}"
    );
    let top = parse("--help").unwrap_err().render().to_string();
    assert!(
        top.contains("Comandi:") && top.contains("Mostra la versione"),
        "{top}"
    );
}

#[test]
fn parses_serve_options() {
    let Ok(Cli {
        command: Command::Serve(a),
    }) = parse("serve --demo --data /tmp/x --addr 127.0.0.1:0 --trusted-proxy 10.0.0.1")
    else {
        panic!("serve did not parse");
    };
    assert!(a.demo);
    assert_eq!(a.data.data, PathBuf::from("/tmp/x"));
    assert_eq!(a.addr.port(), 0);
    assert!(a.trusted_proxy.trusts("10.0.0.1".parse().unwrap()));
    assert_eq!(a.header_timeout_s, HEADER_TIMEOUT_S);
}

#[test]
fn refuses_bad_options_clearly() {
    let message = |s: &str| italian(&parse(s).unwrap_err());
    assert!(message("serve --addr nowhere").contains("indirizzo"));
    assert!(message("match x --limit many").contains("--limit"));
    assert!(message("serve --colour").contains("--colour"));
    assert!(message("check --csv").contains("opzione sconosciuta"));
    assert!(message("fly").contains("comando sconosciuto"));
    assert!(message("serve --follow-up-days 0").contains("giorni"));
    assert!(parse("").is_err());
}

#[test]
fn only_empty_or_new_folders_may_receive_a_new_store() {
    let dir = tempfile::tempdir().unwrap();
    assert!(may_create(&dir.path().join("new")));
    assert!(may_create(dir.path()));
    std::fs::write(dir.path().join("x"), "").unwrap();
    assert!(!may_create(dir.path()));
    assert!(openable(dir.path(), true).is_err());
    let err = must_exist(&dir.path().join("typo"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("nessun archivio"), "{err}");
}
