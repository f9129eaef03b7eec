//! `[profile.NAME]` tables into [`Profile`]s in file order ([`profiles`], the order
//! [`choose`](crate::config::profile::choose) tries them in), and the chosen one into a settings
//! [`Layer`] whose values name the profile and their line ([`profile_layer`]).

use std::collections::BTreeMap;

use toml::Spanned;

use crate::config::file::RawProfile;
use crate::config::profile::{Profile, ProfileOverrides};
use crate::config::{ConfigFile, Layer, Source, Sourced};

/// The profiles of the file, in the order they appear (by the position of their names).
pub(crate) fn profiles(raw: &BTreeMap<Spanned<String>, RawProfile>) -> Vec<Profile> {
    let mut tables: Vec<_> = raw.iter().collect();
    tables.sort_by_key(|(name, _)| name.span().start);
    tables
        .into_iter()
        .map(|(name, raw)| Profile {
            name: name.get_ref().clone(),
            when: raw.when.0.clone(),
            overrides: ProfileOverrides {
                select: raw.select.as_ref().map(|s| s.get_ref().clone()),
                env: raw
                    .env
                    .0
                    .iter()
                    .map(|(k, v)| (k.clone(), v.get_ref().clone()))
                    .collect(),
                retries: raw.retries.as_ref().map(|r| *r.get_ref()),
                workers: raw.workers.as_ref().map(|w| *w.get_ref()),
                suites: raw.suites.as_ref().map(|s| s.get_ref().clone()),
            },
        })
        .collect()
}

/// What the profile `name` sets, each value with the profile's name and its line.
pub(crate) fn profile_layer(name: &str, raw: &RawProfile, file: &ConfigFile) -> Layer {
    let sourced = |span: std::ops::Range<usize>| Source::Profile {
        name: name.to_string(),
        line: file.line_of(span.start),
    };
    // Destructured: a key added to `[profile.NAME]` must be given a place in the layer here.
    let RawProfile {
        when: _,
        select,
        env,
        retries,
        workers,
        suites,
        max_fail,
    } = raw;
    Layer {
        workers: workers.as_ref().map(|w| Sourced::new(*w.get_ref(), sourced(w.span()))),
        retries: retries.as_ref().map(|r| Sourced::new(*r.get_ref(), sourced(r.span()))),
        max_fail: max_fail.as_ref().map(|m| Sourced::new(*m.get_ref(), sourced(m.span()))),
        suites: suites
            .as_ref()
            .map(|s| Sourced::new(s.get_ref().clone(), sourced(s.span()))),
        select: select
            .as_ref()
            .map(|s| Sourced::new(s.get_ref().clone(), sourced(s.span()))),
        env: env
            .0
            .iter()
            .map(|(k, v)| (k.clone(), Sourced::new(v.get_ref().clone(), sourced(v.span()))))
            .collect(),
        ..Layer::default()
    }
}
