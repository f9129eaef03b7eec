//! [`Workers`]: how many jobs run at once, a number or `"auto"`.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};

/// The worker count as written: a positive number, or `"auto"` for the CPU count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workers {
    /// One worker per CPU.
    Auto,
    /// Exactly this many.
    Fixed(usize),
}

impl Workers {
    /// The number of worker slots this resolves to on this machine (at least 1).
    #[must_use]
    pub fn resolve(self) -> usize {
        match self {
            Self::Auto => std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            Self::Fixed(n) => n.max(1),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Workers {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct WorkersVisitor;
        impl Visitor<'_> for WorkersVisitor {
            type Value = Workers;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a positive number of workers (4) or \"auto\"")
            }
            fn visit_i64<E: de::Error>(self, value: i64) -> Result<Workers, E> {
                match usize::try_from(value) {
                    Ok(n) if n > 0 => Ok(Workers::Fixed(n)),
                    _ => Err(E::custom(format!(
                        "workers must be at least 1, got {value}; use a positive number or \"auto\""
                    ))),
                }
            }
            fn visit_u64<E: de::Error>(self, value: u64) -> Result<Workers, E> {
                self.visit_i64(i64::try_from(value).unwrap_or(i64::MAX))
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<Workers, E> {
                if value == "auto" {
                    Ok(Workers::Auto)
                } else {
                    Err(E::custom(format!(
                        "invalid workers `{value}`; use a positive number or \"auto\""
                    )))
                }
            }
        }
        deserializer.deserialize_any(WorkersVisitor)
    }
}
