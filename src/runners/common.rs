//! Helpers the adapters share: [`regex_escape`] and [`anchored_union`] for runners that select
//! tests by a regular expression, [`path_arg`] so a file name is never read as an option,
//! [`project_file`], how a path a runner reports is matched to a file of the project, and
//! [`mentions`], how a failure message is matched to the files it is about.

use std::ffi::OsString;

use camino::Utf8Path;

use crate::results::formats::normalize_path;

/// `text` with every regular-expression metacharacter escaped, for JavaScript (`RegExp`, also
/// with the `u` flag) and Go (RE2) alike.
#[must_use]
pub fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '^' | '$' | '.' | '*' | '+' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `^(a|b|c)$` with every name escaped: exactly these names, nothing that merely contains one.
#[must_use]
pub fn anchored_union<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let mut names: Vec<String> = names.into_iter().map(regex_escape).collect();
    names.sort();
    names.dedup();
    format!("^({})$", names.join("|"))
}

/// `--dry-run --format json [TAG_FLAG SELECT] FILES…`: how RSpec and Cucumber list tests.
#[must_use]
pub fn dry_run_json_args(files: &[String], tag_flag: &str, select: Option<&str>) -> Vec<OsString> {
    let mut args: Vec<OsString> = ["--dry-run", "--format", "json"]
        .into_iter()
        .map(OsString::from)
        .collect();
    if let Some(select) = select {
        args.push(tag_flag.into());
        args.push(select.into());
    }
    args.extend(files.iter().map(|f| path_arg(f)));
    args
}

/// A file as an argument: relative paths that start with `-` get a `./` so no runner reads
/// them as an option.
#[must_use]
pub fn path_arg(file: &str) -> OsString {
    if file.starts_with('-') {
        OsString::from(format!("./{file}"))
    } else {
        OsString::from(file)
    }
}

/// `file`'s package folder in go's syntax: `./pkg` (a bare `pkg` would be an import path).
#[must_use]
pub fn go_package_arg(dir: &str) -> OsString {
    if dir == "." || dir.is_empty() {
        OsString::from(".")
    } else {
        OsString::from(format!("./{dir}"))
    }
}

/// The file of `files` a runner's (already root-relative) `reported` path is: the same path,
/// or, for an absolute path outside `root` as given, the same file under the canonical root
/// (runners such as Jest report real paths, the root may be spelled through a symlink), or an
/// absolute path that ends with it.
#[must_use]
pub fn project_file(
    reported: &str,
    files: &[String],
    root: &Utf8Path,
    canonical_root: Option<&Utf8Path>,
) -> Option<String> {
    if let Some(file) = files.iter().find(|f| f.as_str() == reported) {
        return Some(file.clone());
    }
    if !Utf8Path::new(reported).is_absolute() {
        return None;
    }
    let canonical = canonical_root
        .map(Utf8Path::to_path_buf)
        .or_else(|| root.canonicalize_utf8().ok());
    if let Some(canonical) = canonical {
        let relative = normalize_path(reported, &canonical);
        if let Some(file) = files.iter().find(|f| **f == relative) {
            return Some(file.clone());
        }
    }
    files.iter().find(|f| reported.ends_with(&format!("/{f}"))).cloned()
}

/// Whether `text` names `needle` (a relative path, or a package or binary name) as a whole,
/// not as part of a longer name. Before it: the start, a character that cannot be part of a
/// name, `./`, or one of the absolute `roots` followed by `/` (runners print absolute paths
/// too). After it: the end or a character that cannot continue a name. So `spec/a_spec.rb` is
/// named in "loading ./spec/a_spec.rb." and in "/root/spec/a_spec.rb[1:2]", but not in
/// "x/spec/a_spec.rb" or "spec/a_spec.rb.bak".
#[must_use]
pub fn mentions(text: &str, needle: &str, roots: &[&str]) -> bool {
    if needle.is_empty() {
        return false;
    }
    let mut from = 0;
    while let Some(found) = text[from..].find(needle) {
        let start = from + found;
        let end = start + needle.len();
        if boundary_before(&text[..start], roots) && boundary_after(&text[end..]) {
            return true;
        }
        from = start + needle.chars().next().map_or(1, char::len_utf8);
    }
    false
}

fn name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '@' | '+' | '~' | '$')
}

fn boundary_before(before: &str, roots: &[&str]) -> bool {
    if let Some(rest) = before.strip_suffix("./") {
        return !rest
            .chars()
            .next_back()
            .is_some_and(|c| name_char(c) || c == '.' || c == '/');
    }
    if let Some(rest) = before.strip_suffix('/') {
        return roots
            .iter()
            .map(|root| root.trim_end_matches('/'))
            .any(|root| root.starts_with('/') && rest.ends_with(root));
    }
    match before.chars().next_back() {
        None => true,
        Some(c) => c != '.' && !name_char(c),
    }
}

fn boundary_after(after: &str) -> bool {
    let mut chars = after.chars();
    match chars.next() {
        None => true,
        Some('/') => false,
        Some('.') => !chars.next().is_some_and(name_char),
        Some(c) => !name_char(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_anchors_names() {
        assert_eq!(regex_escape("adds [p0] (a|b) 1.5*"), r"adds \[p0\] \(a\|b\) 1\.5\*");
        assert_eq!(regex_escape("a/b - c"), "a/b - c");
        assert_eq!(anchored_union(["b", "a.c", "b"]), r"^(a\.c|b)$");
    }

    #[test]
    fn file_names_are_never_options() {
        assert_eq!(path_arg("-x.test.js"), "./-x.test.js");
        assert_eq!(path_arg("t/a.js"), "t/a.js");
        assert_eq!(go_package_arg("."), ".");
        assert_eq!(go_package_arg("pkg/a"), "./pkg/a");
    }

    #[test]
    fn mentions_need_whole_names() {
        let roots = ["/work/p"];
        let text = "An error occurred while loading ./spec/a_spec.rb.\n# /work/p/spec/b_spec.rb:3";
        assert!(mentions(text, "spec/a_spec.rb", &roots));
        assert!(
            mentions(text, "spec/b_spec.rb", &roots),
            "an absolute spelling names it too"
        );
        assert!(!mentions(text, "spec/b_spec.rb", &["/elsewhere"]));
        assert!(!mentions(text, "a_spec.rb", &roots), "part of a longer path");
        assert!(!mentions("x/spec/a_spec.rb", "spec/a_spec.rb", &roots));
        assert!(!mentions("../spec/a_spec.rb", "spec/a_spec.rb", &roots));
        assert!(!mentions("spec/a_spec.rb.bak", "spec/a_spec.rb", &roots));
        assert!(!mentions("spec/a_spec.rbx", "spec/a_spec.rb", &roots));
        assert!(mentions("spec/a_spec.rb[1:2] failed", "spec/a_spec.rb", &roots));
        assert!(mentions(
            "features/b.feature: Parser errors:",
            "features/b.feature",
            &roots
        ));
        assert!(mentions(
            "package example.com/m/broken failed",
            "example.com/m/broken",
            &roots
        ));
        assert!(!mentions(
            "package example.com/m/broken failed",
            "example.com/m",
            &roots
        ));
        assert!(mentions("could not compile `broken` (test)", "broken", &roots));
        assert!(!mentions("could not compile `broken-2`", "broken", &roots));
        assert!(!mentions("", "x", &roots));
        assert!(!mentions("x", "", &roots));
    }
}
