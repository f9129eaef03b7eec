//! The `custom` runner: the suite's `command` template is the whole argv; results are JUnit at
//! `{result}` if the command writes any, else each file's outcome is the exit code.

use std::ffi::OsString;

use super::Capabilities;
use super::ListError;
use super::adapter::{Adapter, Invocation, ListedTest, Project, ReportFormat, ReportSource};

/// A user-supplied command (the argv comes from the suite's `CommandTemplate`).
#[derive(Debug)]
pub struct Custom;

impl Adapter for Custom {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            report_required: false,
            ..Capabilities::DEFAULT
        }
    }

    fn default_files(&self) -> &'static [&'static str] {
        &[]
    }
    fn default_program(&self) -> &'static [&'static str] {
        &[]
    }
    fn batch_args(&self, _: &Invocation<'_>) -> Vec<OsString> {
        Vec::new()
    }
    fn report(&self) -> ReportSource {
        ReportSource::File(ReportFormat::Junit)
    }
    fn list_args(&self, _: &Project<'_>, _: Option<&str>) -> Option<Vec<OsString>> {
        None
    }
    fn parse_list(&self, _: &str, _: &Project<'_>) -> Result<Vec<ListedTest>, ListError> {
        Ok(Vec::new())
    }
}
