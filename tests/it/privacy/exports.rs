//! What could attack a reader: formula cells in CSV exports. A hostile attachment in the
//! site (inert in Chromium, from `file://` and a web server) is tested in
//! `tests/external/privacy_exports.rs`, which needs Chromium.

use crate::support::*;

#[test]
fn csv_cells_cannot_start_a_formula() {
    let d = TestDesk::example();
    d.ok(&[
        "--as",
        "alice",
        "reseller",
        "edit",
        "acme",
        "--name",
        "=HYPERLINK(\"http://evil.example\",\"x\")",
    ]);
    let csv = d.ok(&[
        "--as",
        "alice",
        "billing",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--csv",
    ]);
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\""),
        "{csv}"
    );
    for line in csv.lines() {
        for cell in line.split(',') {
            let c = cell.trim_start_matches('"');
            assert!(!c.starts_with(['=', '+', '@', '\t', '\r']), "{line}");
        }
    }
}
