//! [`render`]: the gate's [`Verdict`] as an aligned plain-text table and a closing line, e.g.
//!
//! ```text
//! STATUS  SUITE  TESTS  FAILED  DETAIL
//! passed  api       12       0  passed in a/summary.json and b/summary.json
//! FAILED  ui         4       1  failed in b/summary.json; passed in a/summary.json
//! MISSING smoke      -       -  required by --require `smoke`, but no summary.json has …
//! gate failed: 1 failed, 1 missing; 1 passed (2 summary.json files under artifacts)
//! ```
//!
//! or, when everything is green, a last line such as
//!
//! ```text
//! gate passed: 2 suites green in 3 summary.json files under artifacts
//! ```

use camino::Utf8PathBuf;
use owo_colors::OwoColorize;

use super::verdict::{Row, Status, Subject, Verdict};
use crate::styles::Styles;

const HEADERS: [&str; 5] = ["STATUS", "SUITE", "TESTS", "FAILED", "DETAIL"];

/// The table and the closing line (`gate passed: …` / `gate failed: …`), newline-terminated.
#[must_use]
pub fn render(verdict: &Verdict, searched: &[Utf8PathBuf], styles: Styles) -> String {
    let cells: Vec<[String; 5]> = verdict.rows.iter().map(cells).collect();
    let mut widths = HEADERS.map(str::len);
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header = line(&HEADERS.map(str::to_string), &widths);
    out.push_str(&format!("{}\n", header.style(styles.bold)));
    for (row, text) in verdict.rows.iter().zip(&cells) {
        let text = line(text, &widths);
        let (status, rest) = text.split_at(widths[0]);
        let style = if row.status == Status::Passed {
            styles.pass
        } else {
            styles.fail
        };
        out.push_str(&format!("{}{rest}\n", status.style(style)));
    }
    out.push_str(&closing(verdict, searched, styles));
    out.push('\n');
    out
}

fn cells(row: &Row) -> [String; 5] {
    let subject = match &row.subject {
        Subject::Suite(name) => name.clone(),
        Subject::Requirement(requirement) => requirement.pattern.to_string(),
        Subject::File(_) => "(file)".to_string(),
        Subject::NoSummaries => "(any)".to_string(),
    };
    let detail = match &row.subject {
        Subject::File(path) => format!("{path}: {}", row.detail),
        _ => row.detail.clone(),
    };
    let (tests, failed) = row.counts.map_or(("-".to_string(), "-".to_string()), |c| {
        (c.total.to_string(), c.failed.to_string())
    });
    [row.status.label().to_string(), subject, tests, failed, detail]
}

/// Left-aligned text columns, right-aligned numbers, the last column unpadded.
fn line(cells: &[String; 5], widths: &[usize; 5]) -> String {
    let mut text = String::new();
    for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
        if i > 0 {
            text.push_str("  ");
        }
        match i {
            2 | 3 => text.push_str(&format!("{cell:>width$}")),
            4 => text.push_str(cell),
            _ => text.push_str(&format!("{cell:<width$}")),
        }
    }
    text.trim_end().to_string()
}

fn closing(verdict: &Verdict, searched: &[Utf8PathBuf], styles: Styles) -> String {
    let files = match verdict.files {
        1 => "1 summary.json file".to_string(),
        n => format!("{n} summary.json files"),
    };
    let roots = searched.iter().map(|root| root.as_str()).collect::<Vec<_>>().join(", ");
    let passed = verdict.count(Status::Passed);
    if verdict.passed() {
        let suites = verdict
            .rows
            .iter()
            .filter(|row| matches!(row.subject, Subject::Suite(_)))
            .count();
        let suites = if suites == 1 {
            "1 suite".to_string()
        } else {
            format!("{suites} suites")
        };
        let text = format!("gate passed: {suites} green in {files} under {roots}");
        return text.style(styles.pass).to_string();
    }
    let problems: Vec<String> = [Status::Failed, Status::Interrupted, Status::Missing, Status::Malformed]
        .into_iter()
        .filter_map(|status| match verdict.count(status) {
            0 => None,
            n => Some(format!("{n} {}", status.word())),
        })
        .collect();
    let text = format!(
        "gate failed: {}; {passed} passed ({files} under {roots})",
        problems.join(", ")
    );
    text.style(styles.fail).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::verdict::SuiteCounts;

    #[test]
    fn columns_line_up_and_the_last_line_sums_up() {
        let verdict = Verdict {
            rows: vec![
                Row {
                    status: Status::Passed,
                    subject: Subject::Suite("api".into()),
                    counts: Some(SuiteCounts {
                        total: 12,
                        passed: 12,
                        ..SuiteCounts::default()
                    }),
                    detail: "passed in a/summary.json".into(),
                },
                Row {
                    status: Status::Malformed,
                    subject: Subject::File("b/summary.json".into()),
                    counts: None,
                    detail: "not a flotilla summary.json".into(),
                },
            ],
            files: 2,
        };
        let text = render(&verdict, &["artifacts".into()], Styles::default());
        assert_eq!(
            text,
            "STATUS     SUITE   TESTS  FAILED  DETAIL\n\
             passed     api        12       0  passed in a/summary.json\n\
             MALFORMED  (file)      -       -  b/summary.json: not a flotilla summary.json\n\
             gate failed: 1 malformed; 1 passed (2 summary.json files under artifacts)\n"
        );
    }
}
