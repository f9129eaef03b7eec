//! [`blame`]: which job files the report's errors outside tests (collection, import, compile,
//! load errors) are about; and [`never_reached`]: the targets a runner that stopped at such an
//! error before running anything never got to, queued again instead of reported.

use std::collections::BTreeMap;

use crate::runners::{Adapter, Project, Target};

/// The job files each error outside tests is about (the adapter's [`Adapter::blame`]); an
/// error that names none of them is about every file of the job.
pub(super) fn blame(
    adapter: &dyn Adapter,
    errors: &[String],
    project: &Project<'_>,
    names: &[(String, String)],
) -> BTreeMap<String, Vec<String>> {
    let mut blamed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for message in errors {
        let mut files = adapter.blame(message, project, names);
        if files.is_empty() {
            files = project.files.to_vec();
        }
        for file in files {
            blamed.entry(file).or_default().push(message.clone());
        }
    }
    blamed
}

/// The ids of the targets whose files no error was blamed on.
pub(super) fn never_reached(targets: &[Target], blamed: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    targets
        .iter()
        .filter(|t| !blamed.contains_key(&t.file))
        .map(|t| t.id().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use camino::Utf8Path;

    use super::*;

    #[test]
    fn errors_outside_tests_are_blamed_on_the_files_they_name() {
        let files = vec!["spec/a_spec.rb".to_string(), "broken/b_spec.rb".to_string()];
        let project = Project {
            root: Utf8Path::new("/repo"),
            files: &files,
        };
        let adapter = crate::runners::RunnerKind::Rspec.adapter();
        let errors = vec![
            "An error occurred while loading ./broken/b_spec.rb.".to_string(),
            "An error occurred in an `after(:context)` hook.".to_string(),
        ];
        let blamed = blame(adapter, &errors, &project, &[]);
        assert_eq!(blamed["broken/b_spec.rb"].len(), 2);
        assert_eq!(
            blamed["spec/a_spec.rb"],
            ["An error occurred in an `after(:context)` hook."],
            "an error that names no file is about every file"
        );
    }

    #[test]
    fn targets_of_unblamed_files_were_never_reached() {
        let targets = [
            Target::file("a.rb"),
            Target {
                file: "b.rb".into(),
                test: Some("b.rb[1:1]".into()),
            },
            Target::file("c.rb"),
        ];
        let blamed = BTreeMap::from([("a.rb".to_string(), vec!["boom".to_string()])]);
        assert_eq!(never_reached(&targets, &blamed), ["b.rb[1:1]", "c.rb"]);
    }
}
