//! Comparing a command's output with a transcript's expected lines: `...` alone on a line
//! stands for any number of lines (none too), `[..]` inside a line for any text on that
//! line. Trailing blanks are ignored (editors strip them from Markdown).

/// Whether one actual line matches one expected line.
pub fn line_matches(expected: &str, actual: &str) -> bool {
    let expected = expected.trim_end();
    let actual = actual.trim_end();
    let parts: Vec<&str> = expected.split("[..]").collect();
    if parts.len() == 1 {
        return expected == actual;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !actual.starts_with(first) || actual.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &actual[first.len()..];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// Whether `actual` lines match the `expected` lines (patterns included).
pub fn matches(expected: &[String], actual: &[&str]) -> bool {
    // memo[i][j]: expected[i..] against actual[j..] is already known not to match.
    let mut failed = vec![vec![false; actual.len() + 1]; expected.len() + 1];
    fn go(e: &[String], a: &[&str], i: usize, j: usize, failed: &mut Vec<Vec<bool>>) -> bool {
        if failed[i][j] {
            return false;
        }
        let ok = if i == e.len() {
            j == a.len()
        } else if e[i].trim() == "..." {
            (j..=a.len()).any(|k| go(e, a, i + 1, k, failed))
        } else {
            j < a.len() && line_matches(&e[i], a[j]) && go(e, a, i + 1, j + 1, failed)
        };
        if !ok {
            failed[i][j] = true;
        }
        ok
    }
    go(expected, actual, 0, 0, &mut failed)
}

/// The output as lines, without blank lines at the end.
pub fn lines(output: &str) -> Vec<&str> {
    let mut v: Vec<&str> = output.split('\n').collect();
    while v.last().is_some_and(|l| l.trim().is_empty()) {
        v.pop();
    }
    v
}

/// The first place where expected and actual part, for the failure message: the first
/// expected line (before any `...`) that the actual line at the same position misses.
pub fn first_difference(expected: &[String], actual: &[&str]) -> String {
    for (n, e) in expected.iter().enumerate() {
        if e.trim() == "..." {
            return "(after a `...`: the lines that follow it are not found in order)".into();
        }
        match actual.get(n) {
            Some(a) if line_matches(e, a) => continue,
            Some(a) => return format!("output line {}: expected `{e}`, got `{a}`", n + 1),
            None => return format!("output line {}: expected `{e}`, got no more output", n + 1),
        }
    }
    match actual.get(expected.len()) {
        Some(a) => format!("output line {}: unexpected `{a}`", expected.len() + 1),
        None => "(the exit code)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn wildcards_within_a_line() {
        assert!(line_matches("commit [..] done", "commit 1a2b3c done"));
        assert!(line_matches("[..]", ""));
        assert!(line_matches("a[..]b[..]c", "a-b-b-c"));
        assert!(!line_matches("a[..]b", "ab-a"));
        assert!(!line_matches("abc[..]bcd", "abcd"));
        assert!(line_matches("x  ", "x"));
        assert!(!line_matches("x", "y"));
    }

    #[test]
    fn ellipsis_lines_match_any_number_of_lines() {
        assert!(matches(&s(&["a", "...", "d"]), &["a", "b", "c", "d"]));
        assert!(matches(&s(&["a", "...", "d"]), &["a", "d"]));
        assert!(matches(&s(&["..."]), &[]));
        assert!(!matches(&s(&["a", "...", "d"]), &["a", "b"]));
        assert!(!matches(&s(&["a"]), &["a", "b"]));
        assert!(!matches(&s(&[]), &["a"]));
    }

    #[test]
    fn the_first_difference_is_named() {
        let d = first_difference(&s(&["a", "b"]), &["a", "c"]);
        assert_eq!(d, "output line 2: expected `b`, got `c`");
        let d = first_difference(&s(&["a"]), &["a", "c"]);
        assert_eq!(d, "output line 2: unexpected `c`");
    }
}
