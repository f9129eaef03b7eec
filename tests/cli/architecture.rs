//! Data flows one way: no module of `src/` imports, directly or through others, a module that
//! imports it back, at the top level (`runner` → `prepare` → `config`, never back) or between
//! the files of one folder. Test code (after a file's first `#[cfg(test)]`) and comments do not
//! count.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// `src/a/b.rs` → `["a", "b"]`, `src/a/mod.rs` → `["a"]`.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

fn code_of(text: &str) -> String {
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    code.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The identifiers after each `prefix` in `code` (`crate::runner::x` → `runner`).
fn after<'a>(code: &'a str, prefix: &str) -> Vec<&'a str> {
    code.match_indices(prefix)
        .map(|(at, _)| {
            let rest = &code[at + prefix.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .filter(|name| !name.is_empty() && name.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
        .collect()
}

fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut top: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut within: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let module = module_path(&src, file);
        let Some(first) = module.first() else { continue };
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        for target in after(&code, "crate::") {
            if target != first {
                top.entry(first.clone()).or_default().insert(target.to_string());
            }
        }
        // `super::x` from a file of folder `a` names its sibling `a/x`.
        // (From `a/mod.rs`, module `a`, it names the top-level `x`: the same rule.)
        let parent = &module[..module.len() - 1];
        for sibling in after(&code, "super::") {
            let mut target = parent.to_vec();
            target.push(sibling.to_string());
            if target != module {
                within.entry(module.join("/")).or_default().insert(target.join("/"));
            }
        }
    }
    assert_eq!(find_cycle(&top), None, "modules import each other in a circle");
    assert_eq!(
        find_cycle(&within),
        None,
        "files of one folder import each other in a circle"
    );
}
