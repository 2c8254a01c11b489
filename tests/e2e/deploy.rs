//! The deployment kit in `deploy/`: the systemd units are valid for systemd itself
//! (`systemd-analyze verify`, skipped where systemd is not installed).

use std::path::Path;
use std::process::Command;

#[test]
fn the_systemd_units_verify() {
    let available = Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        eprintln!("systemd-analyze not installed: skipped");
        return;
    }
    let kit = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy");
    let dir = tempfile::tempdir().unwrap();
    let mut units = Vec::new();
    for name in ["dom.service", "dom-backup.service", "dom-backup.timer"] {
        let text = std::fs::read_to_string(kit.join(name)).unwrap();
        // verify checks that ExecStart exists: point it at the binary under test.
        let text = text.replace("/usr/local/bin/dom", env!("CARGO_BIN_EXE_dom"));
        assert!(
            text.contains("[Service]") || text.contains("[Timer]"),
            "{name}"
        );
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        units.push(path);
    }
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .args(&units)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let ours: Vec<&str> = err
        .lines()
        .filter(|l| l.contains(dir.path().to_str().unwrap()))
        .collect();
    assert!(out.status.success() && ours.is_empty(), "{err}");
}

#[test]
fn the_service_unit_is_hardened() {
    let unit = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/dom.service"),
    )
    .unwrap();
    for line in [
        "User=dom",
        "UMask=0077",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "NoNewPrivileges=yes",
        "ReadWritePaths=/var/lib/dom",
        "CapabilityBoundingSet=\n",
        "Restart=on-failure",
        "EnvironmentFile=/etc/dom/dom.env",
    ] {
        assert!(unit.contains(line), "missing {line:?}");
    }
}
