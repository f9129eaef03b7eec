//! [`Facts`]: what one vendor's variables say, before `FLOTILLA_*` overrides are applied and
//! branch builds are classified as default-branch or other-branch builds.

use super::derived::Derived;
use super::vendor::Vendor;

/// The kind of event a vendor reports, before branch classification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    /// A pull/merge/change request.
    PullRequest,
    /// A scheduled build.
    Schedule,
    /// A tag build.
    Tag,
    /// A build of a branch (push, manual, API): classified by comparing the branch with the
    /// default branch.
    Branch,
}

/// One vendor's reading of the environment. Node values are already 0-based.
#[derive(Clone, Debug)]
pub(crate) struct Facts {
    pub(crate) vendor: Derived<Vendor>,
    pub(crate) event: Option<Derived<Event>>,
    pub(crate) branch: Option<Derived<String>>,
    pub(crate) default_branch: Option<Derived<String>>,
    pub(crate) commit: Option<Derived<String>>,
    pub(crate) pull_request: Option<Derived<u64>>,
    pub(crate) node_index: Option<Derived<u32>>,
    pub(crate) node_total: Option<Derived<u32>>,
    pub(crate) build_id: Option<Derived<String>>,
    pub(crate) retry: Option<Derived<u32>>,
}

impl Facts {
    /// Nothing known yet but the vendor.
    pub(crate) fn new(vendor: Derived<Vendor>) -> Self {
        Self {
            vendor,
            event: None,
            branch: None,
            default_branch: None,
            commit: None,
            pull_request: None,
            node_index: None,
            node_total: None,
            build_id: None,
            retry: None,
        }
    }
}
