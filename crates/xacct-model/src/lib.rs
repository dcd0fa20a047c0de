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
