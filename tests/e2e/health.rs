//! The service starts on an empty folder and reports healthy.

use crate::util::Server;

#[test]
fn demo_server_starts_on_an_empty_folder_and_is_healthy() {
    let server = Server::demo();
    let r = server.get("/healthz");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.json(), serde_json::json!({"status": "ok"}));
}

#[test]
fn unknown_paths_get_the_contract_error_shape() {
    let server = Server::demo();
    let r = server.get("/nowhere");
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["code"], "not_found");
    assert!(r.json()["error"]["message"].is_string());
}

#[test]
fn restart_keeps_the_data_and_finds_the_index_consistent() {
    let data = tempfile::tempdir().unwrap();
    drop(Server::start(data.path(), &["--demo"]));
    // Killed without a clean shutdown: the second start must still open and serve.
    let again = Server::start(data.path(), &[]);
    assert_eq!(again.get("/healthz").status, 200);
}
