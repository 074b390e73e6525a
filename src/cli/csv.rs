//! CSV output (RFC 4180), safe to open in a spreadsheet: every text cell that a
//! spreadsheet would take for a formula — one starting with `=`, `+`, `-`, `@`, a tab or a
//! carriage return (OWASP's "CSV injection") — is prefixed with `'` so it stays text. Every
//! CSV the CLI writes builds its text cells with [`field`]; numbers the desk computed itself
//! (amounts, counts) are written as they are.

/// One text cell: neutralised when it could start a formula, then quoted when it holds a
/// comma, quote or line break (or was neutralised).
pub fn field(s: &str) -> String {
    let formula = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let s = if formula {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if formula || s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_when_needed() {
        assert_eq!(field("Acme"), "Acme");
        assert_eq!(field("Acme, Inc."), "\"Acme, Inc.\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("a\nb"), "\"a\nb\"");
    }

    #[test]
    fn cells_that_would_be_formulas_stay_text() {
        assert_eq!(
            field("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(field("+1+2"), "\"'+1+2\"");
        assert_eq!(field("-2+3"), "\"'-2+3\"");
        assert_eq!(field("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(field("\tx"), "\"'\tx\"");
        assert_eq!(field("\rx"), "\"'\rx\"");
        assert_eq!(field("a=b"), "a=b");
    }
}
