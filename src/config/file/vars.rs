//! [`RawVars`]: an `env = { NAME = "value" }` table as written on a suite, a step or a profile.
//! `env` once named a compose environment (`env = "app"`); that form is an error whose message
//! names the key that replaced it (`services = "app"`).

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use toml::Spanned;

/// Environment variables, in name order, each value with its span.
#[derive(Clone, Debug, Default)]
pub(crate) struct RawVars(pub(crate) BTreeMap<String, Spanned<String>>);

impl<'de> Deserialize<'de> for RawVars {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct VarsVisitor;
        impl<'de> Visitor<'de> for VarsVisitor {
            type Value = RawVars;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("environment variables: a table such as { LOG_LEVEL = \"debug\" }")
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<RawVars, E> {
                Err(E::custom(format!(
                    "`env` holds environment variables ({{ NAME = \"value\" }}); compose services are named by `services` now: write `services = \"{name}\"`"
                )))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawVars, A::Error> {
                let mut vars = BTreeMap::new();
                while let Some((name, value)) = map.next_entry::<String, Spanned<String>>()? {
                    vars.insert(name, value);
                }
                Ok(RawVars(vars))
            }
        }
        deserializer.deserialize_any(VarsVisitor)
    }
}
