//! A hostile query of thousands of nested `NOT`, `-` or parentheses is a clear error with
//! its column, not a stack overflow (which killed the process with exit 134). (`--quick`
//! does not parse the language: it looks the text up as an id, title or address.)

use crate::support::*;

#[test]
fn ten_thousand_nested_levels_are_an_error_not_a_crash() {
    let d = TestDesk::example();
    let deep = 10_000;
    for (query, column) in [
        (format!("{}x", "NOT ".repeat(deep)), 257),
        (format!("{}x", "-".repeat(deep)), 65),
        (format!("{}x{}", "(".repeat(deep), ")".repeat(deep)), 65),
        (format!("{}x{}", "-(".repeat(deep), ")".repeat(deep)), 65),
    ] {
        for args in [
            &["--as", "alice", "search", "--", &query][..],
            &[
                "--as", "alice", "search", "--mass", "close", "--yes", "--", &query,
            ],
        ] {
            let err = d.fails(1, args);
            assert!(
                err.starts_with(&format!(
                    "error: bad query at column {column}: query too deeply nested (more than 64 levels of `NOT`, `-` or parentheses)"
                )),
                "{}",
                &err[..err.len().min(300)]
            );
        }
    }
    assert_eq!(d.status(), "");
}
