//! The page: the embedded template, stylesheet and script, with the report's data as a JSON
//! block, under a Content Security Policy that allows exactly that stylesheet and that script
//! (by hash) and nothing from anywhere: the report opens offline and cannot fetch a thing.
//!
//! The data is inert: a `<script type="application/json">` is never executed, the script reads
//! it with `JSON.parse` and writes every name, message and log line with `textContent`. Inside
//! the block every `<`, `>` and `&` is written as a JSON `\u` escape, so no test name can close
//! the block (`</script>`) or open a comment (`<!--`) around it.

use std::io::{self, Write};

use base64::Engine;
use sha2::Digest;

use super::data::ReportData;

const TEMPLATE: &str = include_str!("assets/report.html");
const STYLE: &str = include_str!("assets/report.css");
const SCRIPT: &str = include_str!("assets/report.js");

fn csp_hash(text: &str) -> String {
    let digest = sha2::Sha256::digest(text.as_bytes());
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest))
}

/// The Content Security Policy of every report.
pub(super) fn content_security_policy() -> String {
    format!(
        "default-src 'none'; script-src {}; style-src {}; img-src data:; base-uri 'none'; form-action 'none'",
        csp_hash(SCRIPT),
        csp_hash(STYLE)
    )
}

/// Writes the whole page for `data` to `out`.
pub(super) fn write_page(data: &ReportData, title: &str, out: &mut impl Write) -> io::Result<()> {
    let mut rest = TEMPLATE;
    while let Some(start) = rest.find("{{") {
        out.write_all(&rest.as_bytes()[..start])?;
        let end = start + rest[start..].find("}}").expect("the template closes every placeholder");
        match &rest[start + 2..end] {
            "csp" => out.write_all(content_security_policy().as_bytes())?,
            "title" => out.write_all(escape_html(title).as_bytes())?,
            "style" => out.write_all(STYLE.as_bytes())?,
            "script" => out.write_all(SCRIPT.as_bytes())?,
            "data" => serde_json::to_writer(ScriptSafe(&mut *out), data).map_err(io::Error::other)?,
            other => unreachable!("unknown placeholder {other} in report.html"),
        }
        rest = &rest[end + 2..];
    }
    out.write_all(rest.as_bytes())
}

/// Text for an HTML text node or attribute.
pub(super) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Rewrites `<`, `>` and `&` of serialized JSON as `\u003c`, `\u003e`, `\u0026`. They only
/// occur inside JSON strings, where the escape means the same character.
struct ScriptSafe<W: Write>(W);

impl<W: Write> Write for ScriptSafe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut start = 0;
        for (i, &byte) in buf.iter().enumerate() {
            let escape: &[u8] = match byte {
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                b'&' => b"\\u0026",
                _ => continue,
            };
            self.0.write_all(&buf[start..i])?;
            self.0.write_all(escape)?;
            start = i + 1;
        }
        self.0.write_all(&buf[start..])?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script_safe(value: &serde_json::Value) -> String {
        let mut out = Vec::new();
        serde_json::to_writer(ScriptSafe(&mut out), value).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn data_cannot_close_its_block_or_open_a_comment() {
        let hostile = serde_json::json!({"name": "</script><script>alert(1)</script><!-- & -->"});
        let text = script_safe(&hostile);
        assert!(
            !text.contains('<') && !text.contains('>') && !text.contains('&'),
            "{text}"
        );
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, hostile, "the escapes mean the same characters");
    }

    proptest::proptest! {
        #[test]
        fn any_string_survives_the_block(name in ".*") {
            let value = serde_json::json!({ "name": name });
            let text = script_safe(&value);
            proptest::prop_assert!(!text.contains("</"));
            proptest::prop_assert!(!text.contains("<!--"));
            let back: serde_json::Value = serde_json::from_str(&text).unwrap();
            proptest::prop_assert_eq!(back, value);
        }
    }

    #[test]
    fn the_policy_names_the_embedded_script_and_style() {
        let policy = content_security_policy();
        assert!(policy.starts_with("default-src 'none';"), "{policy}");
        assert!(policy.contains(&csp_hash(SCRIPT)) && policy.contains(&csp_hash(STYLE)));
        assert!(!policy.contains("unsafe"), "{policy}");
    }

    #[test]
    fn titles_are_escaped() {
        assert_eq!(escape_html("<b a=\"x\">&'"), "&lt;b a=&quot;x&quot;&gt;&amp;&#39;");
    }
}
