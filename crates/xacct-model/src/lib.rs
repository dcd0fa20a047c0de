//! The AWS model of xacct: ARNs and account IDs, KMS key references, the CodePipeline
//! declaration (with a span on every field), where each action runs, what the API model and the
//! user guide say a declaration may contain.
//!
//! Depends on `xacct-syntax` only. Knows nothing of rules or rendering.

pub mod accounts;
pub mod actions;
pub mod api;
pub mod arn;
pub mod compute;
pub mod ecs;
pub mod events;
pub mod kms;
pub mod managed;
pub mod pipeline;
pub mod policy;
pub mod policy_edit;
pub mod policy_file;
pub mod principal;
pub mod providers;
pub mod stacksets;
pub mod symbol;

pub use accounts::{Accounts, Fact, Origin, Placement};
pub use arn::{AccountId, Arn, ArnError};
pub use kms::{KeyRef, KeyRefError};
pub use pipeline::{Action, ArtifactStore, Pipeline, PipelineDocument, Spanned, Stage, Text};
pub mod workspace;

/// The items of `iter`, of which there are at most `bound` (a filtered JSON list), in a
/// vector with room for that many: `collect` on a filter starts at four and doubles, which
/// left a fifth of every pipeline's actions unused room (its twelve actions in sixteen).
pub(crate) fn collect_within<T>(bound: usize, iter: impl Iterator<Item = T>) -> Vec<T> {
    let mut out = Vec::with_capacity(bound);
    out.extend(iter);
    out
}
