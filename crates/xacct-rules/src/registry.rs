//! The one list of rules: `xacct rules`, `xacct explain`, the docs and the engine all read it.

use crate::rules;
use crate::Severity;

/// What a rule inspects.
#[derive(Clone, Copy)]
pub enum Check {
    /// Reported by the engine while reading files (XA0xx): no check function of its own.
    Input,
    /// A check over one pipeline declaration.
    Pipeline(fn(&rules::PipelineContext<'_>, &mut Vec<crate::Diagnostic>)),
    /// A check across the files of the workspace (pipelines with their policies).
    Workspace(fn(&rules::WorkspaceContext<'_>, &mut Vec<crate::Diagnostic>)),
}

/// A rule: its identity (a product contract: codes never change meaning), its page and its check.
#[derive(Clone, Copy)]
pub struct Rule {
    /// `XA` and three digits.
    pub code: &'static str,
    /// Kebab-case name.
    pub name: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// One line: what it finds.
    pub summary: &'static str,
    /// The rule's page, `rules/CODE.md`, in Markdown.
    pub page: &'static str,
    /// What it inspects.
    pub check: Check,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.code, self.name)
    }
}

/// Declares a rule's static with its page included from `rules/CODE.md`.
macro_rules! declare_rule {
    ($code:literal, $name:literal, $severity:ident, $summary:literal, $check:expr) => {
        pub(crate) static RULE: $crate::registry::Rule = $crate::registry::Rule {
            code: $code,
            name: $name,
            severity: $crate::Severity::$severity,
            summary: $summary,
            page: include_str!(concat!("../../rules/", $code, ".md")),
            check: $check,
        };
    };
}
pub(crate) use declare_rule;

/// Every rule, ordered by code.
pub static RULES: &[&Rule] = &[
    &rules::xa000::RULE,
    &rules::xa001::RULE,
    &rules::xa002::RULE,
    &rules::xa003::RULE,
    &rules::xa004::RULE,
    &rules::xa005::RULE,
    &rules::xa006::RULE,
    &rules::xa007::RULE,
    &rules::xa008::RULE,
    &rules::xa101::RULE,
    &rules::xa102::RULE,
    &rules::xa103::RULE,
    &rules::xa104::RULE,
    &rules::xa105::RULE,
    &rules::xa106::RULE,
    &rules::xa107::RULE,
    &rules::xa108::RULE,
    &rules::xa109::RULE,
    &rules::xa110::RULE,
    &rules::xa111::RULE,
    &rules::xa112::RULE,
    &rules::xa201::RULE,
    &rules::xa202::RULE,
    &rules::xa203::RULE,
    &rules::xa204::RULE,
    &rules::xa205::RULE,
    &rules::xa206::RULE,
    &rules::xa207::RULE,
    &rules::xa208::RULE,
    &rules::xa209::RULE,
    &rules::xa210::RULE,
    &rules::xa301::RULE,
    &rules::xa302::RULE,
    &rules::xa303::RULE,
    &rules::xa304::RULE,
    &rules::xa305::RULE,
    &rules::xa306::RULE,
    &rules::xa311::RULE,
    &rules::xa312::RULE,
    &rules::xa313::RULE,
    &rules::xa315::RULE,
    &rules::xa316::RULE,
    &rules::xa317::RULE,
    &rules::xa318::RULE,
    &rules::xa401::RULE,
    &rules::xa402::RULE,
    &rules::xa403::RULE,
    &rules::xa404::RULE,
    &rules::xa405::RULE,
    &rules::xa406::RULE,
    &rules::xa407::RULE,
    &rules::xa408::RULE,
    &rules::xa501::RULE,
    &rules::xa502::RULE,
    &rules::xa503::RULE,
    &rules::xa504::RULE,
    &rules::xa505::RULE,
    &rules::xa506::RULE,
    &rules::xa507::RULE,
    &rules::xa508::RULE,
    &rules::xa509::RULE,
    &rules::xa510::RULE,
    &rules::xa511::RULE,
    &rules::xa512::RULE,
    &rules::xa513::RULE,
    &rules::xa514::RULE,
    &rules::xa515::RULE,
    &rules::xa516::RULE,
    &rules::xa517::RULE,
    &rules::xa901::RULE,
    &rules::xa902::RULE,
    &rules::xa903::RULE,
    &rules::xa904::RULE,
    &rules::xa905::RULE,
    &rules::xa906::RULE,
    &rules::xa907::RULE,
    &rules::xa910::RULE,
];

/// The rule with this code (case-insensitive) or name.
pub fn rule(code_or_name: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}
