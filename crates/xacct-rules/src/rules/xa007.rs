//! XA007 circular-dependency: resources of a template refer to each other in a circle, which
//! CloudFormation refuses.
//!
//! Found by `xacct-input` from the references a template's resources make (`Ref`,
//! `Fn::GetAtt`, `Fn::Sub` names, `DependsOn`); the finding shows the circle and each
//! reference that closes a step of it.

use crate::registry::{declare_rule, Check};

declare_rule!(
    "XA007",
    "circular-dependency",
    Error,
    "Resources of a template refer to each other in a circle; CloudFormation refuses the template (\"Circular dependency between resources\").",
    Check::Input
);
