//! Regression tests for problems found by trying git-desk as a new and a hostile user:
//! each test names the problem it pins down.

use crate::support::TestDesk;

/// A broken desk.yaml is reported once, with its file and line (the error used to be
/// printed twice, as its own cause).
#[test]
fn broken_yaml_error_is_printed_once() {
    let d = TestDesk::new();
    d.write("desk.yaml", "name: [unclosed\n");
    let err = d.fails(1, &["--as", "alice", "ticket", "list"]);
    assert_eq!(err.matches("desk.yaml:2:1").count(), 1, "{err}");
}
