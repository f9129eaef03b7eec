//! [`Styles`]: every colour in one place, plain by default (so tests see plain text).

use std::io::IsTerminal;

use owo_colors::Style;

/// `--color`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and `NO_COLOR` is unset.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Whether to colour output going to stdout (`stdout`) or stderr; `no_color`: `NO_COLOR`
    /// is set, which `auto` honours.
    #[must_use]
    pub fn enabled(self, stdout: bool, no_color: bool) -> bool {
        match self {
            Self::Always => true,
            Self::Never => false,
            Self::Auto => {
                let tty = if stdout {
                    std::io::stdout().is_terminal()
                } else {
                    std::io::stderr().is_terminal()
                };
                !no_color && tty
            }
        }
    }
}

/// Styles for terminal output.
#[derive(Clone, Copy, Debug, Default)]
pub struct Styles {
    pub(crate) pass: Style,
    pub(crate) fail: Style,
    pub(crate) skip: Style,
    pub(crate) flaky: Style,
    pub(crate) dim: Style,
    pub(crate) bold: Style,
}

impl Styles {
    /// Coloured styles.
    #[must_use]
    pub fn colored() -> Self {
        Self {
            pass: Style::new().green().bold(),
            fail: Style::new().red().bold(),
            skip: Style::new().yellow(),
            flaky: Style::new().magenta().bold(),
            dim: Style::new().dimmed(),
            bold: Style::new().bold(),
        }
    }
}
