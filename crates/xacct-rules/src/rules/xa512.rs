//! XA512 action-role-only-assumes: an action's role may do nothing but assume roles of other
//! accounts, as if CodePipeline would go on to them.

use crate::registry::{declare_rule, Check};
use crate::rules::WorkspaceContext;
use crate::Diagnostic;

declare_rule!(
    "XA512",
    "action-role-only-assumes",
    Error,
    "An action's role may only assume roles of other accounts: CodePipeline does not chain roles, so the action runs as this role and can do nothing.",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    for hop in &cx.graph.hops {
        let Some((file, span, _)) = cx.role_site(&hop.need) else {
            continue;
        };
        let unit = cx.pipeline(&hop.need);
        let pipeline_role = unit
            .doc
            .pipeline
            .role_arn
            .as_ref()
            .map_or("the pipeline role", |r| r.value.as_str());
        let Some(first) = hop.targets.first() else {
            continue;
        };
        let listed: Vec<String> = hop.targets.iter().map(|t| format!("`{}`", t.arn)).collect();
        let mut diag = cx
            .diag(
                &RULE,
                file,
                span,
                format!(
                    "{} runs as `{}`, whose policies only let it assume {}: CodePipeline does not chain roles, so the action works as `{}` in its own account, where it may do nothing",
                    cx.who(&hop.need),
                    hop.role,
                    listed.join(", "),
                    hop.role
                ),
            )
            .help(format!(
                "name the role that does the work as the action's `roleArn` (`{}`), let `{pipeline_role}` assume it, and have its trust policy name `{pipeline_role}`",
                first.arn
            ));
        for target in &hop.targets {
            diag = diag.label_in(
                target.file,
                target.span,
                format!(
                    "`{}` may assume this role of account {}",
                    hop.role, target.account
                ),
            );
        }
        out.push(diag);
    }
}
