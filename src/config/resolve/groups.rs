//! `[group.NAME]` tables into [`TestGroup`]s, and a suite's `group` and `groups` keys into its
//! [`SuiteGroups`]: every name checked against the groups the file defines.

use super::suite::{Ctx, is_valid_name};
use crate::config::file::RawSuite;
use crate::config::{ConfigError, Setting, SuiteGroups, TestGroup};
use crate::suggest::closest;

impl Ctx<'_> {
    /// The file's `[group.NAME]` tables, in name order.
    pub(super) fn test_groups(&mut self) -> Result<Vec<TestGroup>, ConfigError> {
        let mut groups = Vec::new();
        for (name, raw) in &self.file.raw.group {
            if !is_valid_name(name.get_ref()) {
                return Err(self.error(
                    name.span(),
                    format!("invalid group name `{}`", name.get_ref()),
                    "use letters, digits, `-` and `_` only".to_string(),
                ));
            }
            let Some(limit) = &raw.max_concurrency else {
                return Err(self.error(
                    name.span(),
                    format!("group `{}` has no `max-concurrency`", name.get_ref()),
                    "add `max-concurrency = 1` (or how many of its jobs may run at once)".to_string(),
                ));
            };
            let max_concurrency = usize::try_from(*limit.get_ref())
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| {
                    self.error(
                        limit.span(),
                        format!("`max-concurrency` must be a positive integer, not {}", limit.get_ref()),
                        "write how many of the group's jobs may run at once: 1 for one at a time".to_string(),
                    )
                })?;
            let source = self.source_at(&limit.span());
            self.settings.push(Setting::new(
                format!("group.{}.max-concurrency", name.get_ref()),
                max_concurrency.to_string(),
                source,
            ));
            groups.push(TestGroup {
                name: name.get_ref().clone(),
                max_concurrency,
            });
        }
        Ok(groups)
    }

    /// The groups of suite `raw`'s files and tests (`group`, `groups`).
    pub(super) fn suite_groups(&self, raw: &RawSuite, groups: &[TestGroup]) -> Result<SuiteGroups, ConfigError> {
        let find = |name: &toml::Spanned<String>| -> Result<usize, ConfigError> {
            groups.iter().position(|g| g.name == *name.get_ref()).ok_or_else(|| {
                let known: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
                let help = match closest(name.get_ref(), known.iter().copied()) {
                    Some(best) => format!("did you mean `{best}`? groups in this file: {}", known.join(", ")),
                    None if known.is_empty() => format!(
                        "define it: add a `[group.{}]` table with `max-concurrency = 1`",
                        name.get_ref()
                    ),
                    None => format!(
                        "groups in this file: {}; or define it with a `[group.{}]` table",
                        known.join(", "),
                        name.get_ref()
                    ),
                };
                self.error(name.span(), format!("no group named `{}`", name.get_ref()), help)
            })
        };
        let whole = raw.group.as_ref().map(&find).transpose()?;
        let mut matched = Vec::new();
        for (name, patterns) in &raw.groups {
            let group = find(name)?;
            if patterns.is_empty() {
                return Err(self.error(
                    name.span(),
                    format!("`groups.{}` lists no globs", name.get_ref()),
                    format!(
                        "list the files (or test ids) of the group, e.g. `{} = [\"tests/db/**\"]`, or write `group = \"{}\"` for the whole suite",
                        name.get_ref(),
                        name.get_ref()
                    ),
                ));
            }
            matched.push((group, self.globs(patterns)?));
        }
        Ok(SuiteGroups { whole, matched })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use camino::Utf8Path;

    use crate::config::{Config, ConfigError, Overrides};

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(
            Utf8Path::new("/p/flotilla.toml"),
            Arc::new(text.to_string()),
            &Overrides::default(),
        )
    }

    const SUITE: &str = "[suite.sh]\nrunner = \"custom\"\ncommand = [\"bash\", \"{file}\"]\nfiles = [\"tests/*.sh\"]\n";

    #[test]
    fn groups_resolve_for_the_whole_suite_and_by_glob() {
        let config = parse(&format!(
            "[group.db]\nmax-concurrency = 1\n\n[group.port]\nmax-concurrency = 2\n\n{SUITE}group = \"port\"\ngroups = {{ db = [\"tests/db_*.sh\"] }}\n"
        ))
        .unwrap();
        let names: Vec<(&str, usize)> = config
            .groups
            .iter()
            .map(|g| (g.name.as_str(), g.max_concurrency))
            .collect();
        assert_eq!(names, [("db", 1), ("port", 2)]);
        let suite = &config.suites[0];
        assert_eq!(suite.groups.of("tests/db_a.sh", None), [0, 1]);
        assert_eq!(suite.groups.of("tests/other.sh", None), [1]);
        assert!(config.settings.iter().any(|s| s.key == "group.db.max-concurrency"));
    }

    #[test]
    fn max_concurrency_must_be_a_positive_integer_and_is_located() {
        for bad in ["0", "-3"] {
            let error = parse(&format!("[group.db]\nmax-concurrency = {bad}\n\n{SUITE}")).unwrap_err();
            assert_eq!(error.location, Some((2, 19)), "{bad}");
            assert!(error.message.contains("positive integer"), "{}", error.message);
        }
        let error = parse(&format!("[group.db]\nmax-concurrency = \"one\"\n\n{SUITE}")).unwrap_err();
        assert_eq!(error.location.unwrap().0, 2);
        let error = parse(&format!("[group.db]\n\n{SUITE}")).unwrap_err();
        assert_eq!(error.location, Some((1, 8)));
        assert!(error.help.unwrap().contains("max-concurrency = 1"));
        let error = parse(&format!("[group.db]\nmax-concurency = 1\n\n{SUITE}")).unwrap_err();
        assert_eq!(error.help.as_deref(), Some("did you mean `max-concurrency`?"));
    }

    #[test]
    fn an_unknown_group_is_an_error_naming_the_known_groups() {
        let two = "[group.database]\nmax-concurrency = 1\n\n[group.licence]\nmax-concurrency = 1\n\n";
        let error = parse(&format!("{two}{SUITE}group = \"databse\"\n")).unwrap_err();
        assert_eq!(error.location, Some((11, 9)));
        assert!(error.message.contains("no group named `databse`"), "{}", error.message);
        let help = error.help.unwrap();
        assert!(
            help.contains("did you mean `database`?") && help.contains("database, licence"),
            "{help}"
        );
        let error = parse(&format!("{two}{SUITE}groups = {{ port = [\"tests/a.sh\"] }}\n")).unwrap_err();
        assert_eq!(error.location, Some((11, 12)));
        assert!(error.help.unwrap().contains("groups in this file: database, licence"));
        let error = parse(&format!("{SUITE}group = \"db\"\n")).unwrap_err();
        assert!(error.help.unwrap().contains("[group.db]"));
    }

    #[test]
    fn a_group_without_globs_or_with_a_bad_glob_is_an_error() {
        let db = "[group.db]\nmax-concurrency = 1\n\n";
        let error = parse(&format!("{db}{SUITE}groups = {{ db = [] }}\n")).unwrap_err();
        assert!(error.message.contains("lists no globs"), "{}", error.message);
        let error = parse(&format!("{db}{SUITE}groups = {{ db = [\"tests/[.sh\"] }}\n")).unwrap_err();
        assert!(error.message.contains("invalid glob"), "{}", error.message);
    }
}
