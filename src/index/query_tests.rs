//! Unit tests of the search language: every form of term, precedence, and errors that point
//! at the right column.

use crate::index::expr::*;
use crate::index::query::*;
use crate::model::Timestamp;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn word(t: &str) -> Expr {
    Expr::Text {
        field: TextField::All,
        term: TextTerm::Word {
            text: t.into(),
            prefix: false,
            fuzzy: 0,
        },
        span: Span::default(),
    }
}

/// The expression with spans zeroed, to compare shapes.
fn shape(e: Expr) -> Expr {
    match e {
        Expr::Text { field, term, .. } => Expr::Text {
            field,
            term,
            span: Span::default(),
        },
        Expr::And(v) => Expr::And(v.into_iter().map(shape).collect()),
        Expr::Or(v) => Expr::Or(v.into_iter().map(shape).collect()),
        Expr::Not(e) => Expr::Not(Box::new(shape(*e))),
        e => e,
    }
}

fn p(q: &str) -> Expr {
    shape(parse(q).unwrap_or_else(|e| panic!("{q}: {e}")))
}

fn err(q: &str) -> QueryError {
    parse(q).expect_err(q)
}

#[test]
fn fields_and_text_are_anded() {
    assert_eq!(
        p(r#"status:open queue:billing assignee:alice "disk quota""#),
        Expr::And(vec![
            Expr::Keyword {
                field: KeywordField::Status,
                values: vec!["open".into()]
            },
            Expr::Keyword {
                field: KeywordField::Queue,
                values: vec!["billing".into()]
            },
            Expr::Keyword {
                field: KeywordField::Assignee,
                values: vec!["alice".into()]
            },
            Expr::Text {
                field: TextField::All,
                term: TextTerm::Phrase {
                    text: "disk quota".into(),
                    slop: 0
                },
                span: Span::default()
            },
        ])
    );
    assert_eq!(p(""), Expr::All);
    assert_eq!(p("   "), Expr::All);
}

#[test]
fn numbers_and_ranges() {
    let pri = |min, max| Expr::Number {
        field: NumberField::Priority,
        min,
        max,
    };
    assert_eq!(p("priority:>=50"), pri(Some(50), None));
    assert_eq!(p("priority:>50"), pri(Some(51), None));
    assert_eq!(p("priority:<50"), pri(None, Some(49)));
    assert_eq!(p("priority:<=50"), pri(None, Some(50)));
    assert_eq!(p("priority:20..80"), pri(Some(20), Some(80)));
    assert_eq!(p("priority:70"), pri(Some(70), Some(70)));
    assert_eq!(
        p("id:1001.."),
        Expr::Number {
            field: NumberField::Id,
            min: Some(1001),
            max: None
        }
    );
}

#[test]
fn date_ranges_cover_whole_days() {
    assert_eq!(
        p("created:2026-11-01..2026-11-30"),
        Expr::Date {
            field: DateField::Created,
            from: Some(ts("2026-11-01T00:00:00Z")),
            to: Some(ts("2026-12-01T00:00:00Z")),
        }
    );
    assert_eq!(
        p("updated:2026-11-05"),
        Expr::Date {
            field: DateField::Updated,
            from: Some(ts("2026-11-05T00:00:00Z")),
            to: Some(ts("2026-11-06T00:00:00Z")),
        }
    );
    assert_eq!(
        p("closed:>2026-11-05"),
        Expr::Date {
            field: DateField::Closed,
            from: Some(ts("2026-11-06T00:00:00Z")),
            to: None,
        }
    );
    assert_eq!(
        p("due:<2026-11-05T10:00:00Z"),
        Expr::Date {
            field: DateField::Due,
            from: None,
            to: Some(ts("2026-11-05T10:00:00Z")),
        }
    );
}

#[test]
fn fuzzy_only_when_asked_and_prefixes() {
    let w = |text: &str, prefix, fuzzy| Expr::Text {
        field: TextField::All,
        term: TextTerm::Word {
            text: text.into(),
            prefix,
            fuzzy,
        },
        span: Span::default(),
    };
    assert_eq!(p("printr"), w("printr", false, 0));
    assert_eq!(p("printr~"), w("printr", false, 1));
    assert_eq!(p("printr~2"), w("printr", false, 2));
    assert_eq!(p("print*"), w("print", true, 0));
    assert_eq!(
        p(r#""disk quota"~3"#),
        Expr::Text {
            field: TextField::All,
            term: TextTerm::Phrase {
                text: "disk quota".into(),
                slop: 3
            },
            span: Span::default()
        }
    );
    assert_eq!(
        p("title:invoice*"),
        Expr::Text {
            field: TextField::Title,
            term: TextTerm::Word {
                text: "invoice".into(),
                prefix: true,
                fuzzy: 0
            },
            span: Span::default()
        }
    );
}

#[test]
fn precedence_not_and_or() {
    assert_eq!(
        p("a b OR c -d"),
        Expr::Or(vec![
            Expr::And(vec![word("a"), word("b")]),
            Expr::And(vec![word("c"), Expr::Not(Box::new(word("d")))]),
        ])
    );
    assert_eq!(
        p("a AND (b OR c)"),
        Expr::And(vec![word("a"), Expr::Or(vec![word("b"), word("c")])])
    );
    assert_eq!(p("NOT a"), Expr::Not(Box::new(word("a"))));
    // lower-case operators are words; a hyphen inside a word is not NOT
    assert_eq!(
        p("a or b"),
        Expr::And(vec![word("a"), word("or"), word("b")])
    );
    assert_eq!(p("non-profit"), word("non-profit"));
}

#[test]
fn keyword_values() {
    assert_eq!(
        p("status:open,new assignee:nobody"),
        Expr::And(vec![
            Expr::Keyword {
                field: KeywordField::Status,
                values: vec!["open".into(), "new".into()]
            },
            Expr::Keyword {
                field: KeywordField::Assignee,
                values: vec![NOBODY.into()]
            },
        ])
    );
    assert_eq!(p("email:Paula@"), Expr::Email("paula@".into()));
    assert_eq!(p("kind:task,kb"), Expr::Kind(vec![Kind::Task, Kind::Kb]));
    assert_eq!(p("sticky:yes"), Expr::Sticky(true));
    assert_eq!(
        p(r#"category:"Mail Setup""#),
        Expr::Keyword {
            field: KeywordField::Category,
            values: vec!["mail setup".into()]
        }
    );
    // a colon after something that is not a field name is text
    assert_eq!(p("12:30"), word("12:30"));
}

#[test]
fn errors_point_at_the_position() {
    let e = err("status:open priority:>=abc");
    assert_eq!(e.column(), 22);
    assert_eq!(e.span, Span::new(21, 26));
    assert!(
        e.message.contains("`abc` is not a priority"),
        "{}",
        e.message
    );
    let r = e.render();
    let lines: Vec<&str> = r.lines().collect();
    assert_eq!(lines[1], "  status:open priority:>=abc");
    assert_eq!(lines[2], format!("  {}^^^^^", " ".repeat(21)));

    let e = err(r#"disk "quota"#);
    assert_eq!(
        (e.span, e.message.as_str()),
        (Span::new(5, 6), "unclosed quote")
    );
    let e = err("(a OR b");
    assert_eq!((e.span.start, e.message.as_str()), (0, "unclosed `(`"));
    let e = err("a b)");
    assert_eq!(e.span, Span::new(3, 4));
    let e = err("colour:red");
    assert_eq!(e.span, Span::new(0, 6));
    assert!(
        e.message.starts_with("unknown field `colour`"),
        "{}",
        e.message
    );
    let e = err("a OR");
    assert_eq!(e.span, Span::new(2, 4));
    let e = err("status:");
    assert!(e.message.contains("needs a value"), "{}", e.message);
    assert!(err("status:pending").message.contains("not a status"));
    assert!(err("priority:101").message.contains("0–100"));
    assert!(err("created:2026-13-01").message.contains("not a date"));
    assert!(err("created:2026-11-30..2026-11-01")
        .message
        .contains("empty"));
    assert!(err("word~3").message.contains("1 or 2"));
    assert!(err("pr*nt").message.contains("end of a word"));
    let e = err("queue:bad_slug");
    assert_eq!(e.span, Span::new(6, 14));
    assert!(e.message.contains("not a valid slug"), "{}", e.message);
    let e = err("x -");
    assert_eq!(e.span, Span::new(2, 3));
    // positions count characters, not bytes
    let e = err("é status:zzz");
    assert_eq!(e.span, Span::new(9, 12));
}

#[test]
fn text_flag_is_words_and_phrases_only() {
    let e = parse_text(r#"status:open "disk quota""#).unwrap();
    assert_eq!(
        shape(e),
        Expr::And(vec![
            word("status:open"),
            Expr::Text {
                field: TextField::All,
                term: TextTerm::Phrase {
                    text: "disk quota".into(),
                    slop: 0
                },
                span: Span::default()
            }
        ])
    );
}

#[test]
fn nesting_is_limited_with_an_error_at_the_first_level_too_deep() {
    // At the limit: fine.
    let ok = format!("{}x{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert_eq!(p(&ok), word("x"));
    let ok = format!("{}x", "-".repeat(MAX_DEPTH));
    assert!(parse(&ok).is_ok());
    // One level more, however it nests: an error naming the column, no stack overflow.
    let deep = 10_000;
    for (q, column) in [
        (format!("{}x", "NOT ".repeat(deep)), 4 * MAX_DEPTH + 1),
        (format!("{}x", "-".repeat(deep)), MAX_DEPTH + 1),
        (
            format!("{}x{}", "(".repeat(deep), ")".repeat(deep)),
            MAX_DEPTH + 1,
        ),
        (
            format!("a OR {}x{}", "(-".repeat(deep), ")".repeat(deep)),
            6 + MAX_DEPTH,
        ),
    ] {
        let e = err(&q);
        assert_eq!(
            e.message,
            format!(
                "query too deeply nested (more than {MAX_DEPTH} levels of `NOT`, `-` or parentheses)"
            )
        );
        assert_eq!(e.column(), column, "{}", &q[..20]);
    }
    // Siblings do not add up: many groups side by side are fine.
    assert!(parse(&"(a) -b NOT c ".repeat(500)).is_ok());
}
