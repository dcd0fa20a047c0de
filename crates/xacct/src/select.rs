//! Which rules are reported, and at which severity: `select`, `extend-select`, `ignore`,
//! `per-file-ignores` and `[severity]` in `xacct.toml`, and `--select`, `--extend-select`,
//! `--ignore` on the command line, with ruff's semantics:
//!
//! - every rule is selected by default;
//! - a selector is a rule code (`XA503`), a prefix of codes (`XA5`, `XA50`, `XA`) or `ALL`;
//! - within one source (the config, then the command line), more specific selectors win over
//!   less specific ones (`select = ["XA5"]`, `ignore = ["XA503"]` keeps XA501–XA507 but XA503;
//!   `ignore = ["XA5"]`, `select = ["XA503"]` keeps XA503 only of the family), and at equal
//!   specificity `ignore` wins;
//! - a source that sets `select` replaces the selection of the sources before it (so
//!   `--select` on the command line overrides the config's `select`, `extend-select` and
//!   `ignore`); one that sets only `extend-select` and `ignore` adjusts it;
//! - `per-file-ignores` then removes rules for the files its globs match;
//! - XA001 (a file that cannot be read or parsed) is always reported: naming it in an `ignore`
//!   is an error, and prefixes that cover it (`XA0`, `ALL`) leave it on.
//!
//! The selection filters findings after the run; `[severity]` then changes the severity of the
//! findings it names (the most specific selector wins), before `--fail-on` and rendering.

use std::collections::HashMap;
use std::path::Path;

use xacct_rules::{Severity, RULES};

use crate::config::ConfigSet;
use crate::lint::LintRun;

/// Edit distance of two short ASCII texts, a swap of two neighbours counting one edit
/// (`XA530` is one edit from `XA503`: optimal string alignment).
fn distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// What a selector that selects nothing was probably meant to be: the code of a rule named
/// so (`bucket-policy-missing-grant` is XA401), else the code or prefix of the same length
/// one or two edits away (`XA530` is XA503, `XB1` is XA1), else a rule whose name is one or
/// two edits away.
pub fn suggestion(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() || text.len() > 64 {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    if let Some(rule) = RULES.iter().find(|r| r.name == lower) {
        return Some(rule.code.to_string());
    }
    let upper = text.to_ascii_uppercase();
    let mut prefixes: Vec<&str> = RULES
        .iter()
        .filter_map(|r| r.code.get(..upper.len()))
        .collect();
    prefixes.dedup();
    let best = |candidates: &mut dyn Iterator<Item = (usize, String)>| {
        candidates
            .filter(|(d, _)| *d <= 2)
            .min_by_key(|(d, _)| *d)
            .map(|(_, s)| s)
    };
    best(
        &mut prefixes
            .iter()
            .map(|p| (distance(&upper, p), p.to_string())),
    )
    .or_else(|| {
        best(
            &mut RULES
                .iter()
                .map(|r| (distance(&lower, r.name), r.code.to_string())),
        )
    })
}

/// The rule that can never be turned off.
pub const ALWAYS_ON: &str = "XA001";

/// A rule code, a prefix of codes, or `ALL`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Selector {
    /// Every rule.
    All,
    /// Codes starting with this text (upper case), a whole code included.
    Prefix(String),
}

impl Selector {
    /// Reads a selector; the error says why it selects nothing.
    pub fn parse(text: &str) -> Result<Selector, String> {
        let trimmed = text.trim();
        if trimmed.eq_ignore_ascii_case("ALL") {
            return Ok(Selector::All);
        }
        let upper = trimmed.to_ascii_uppercase();
        if upper.len() >= 2 && RULES.iter().any(|r| r.code.starts_with(&upper)) {
            return Ok(Selector::Prefix(upper));
        }
        let hint = suggestion(trimmed)
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        Err(format!(
            "`{text}` is no rule code or prefix of codes (such as `XA503`, `XA5` or `ALL`); \
             {hint}`xacct rules` lists them"
        ))
    }

    /// Reads a selector meant to turn rules off: as [`Selector::parse`], and XA001 by name is
    /// refused.
    pub fn parse_ignore(text: &str) -> Result<Selector, String> {
        let selector = Selector::parse(text)?;
        if selector == Selector::Prefix(ALWAYS_ON.to_string()) {
            return Err(format!(
                "{ALWAYS_ON} cannot be ignored: a file that cannot be read or parsed is always \
                 reported (its other findings would be missing silently)"
            ));
        }
        Ok(selector)
    }

    /// True when the selector covers `code`.
    pub fn matches(&self, code: &str) -> bool {
        match self {
            Selector::All => true,
            Selector::Prefix(prefix) => code.starts_with(prefix.as_str()),
        }
    }

    /// How specific the selector is: `ALL` least, a whole code most.
    fn specificity(&self) -> usize {
        match self {
            Selector::All => 0,
            Selector::Prefix(prefix) => prefix.len(),
        }
    }
}

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Selector::All => f.write_str("ALL"),
            Selector::Prefix(prefix) => f.write_str(prefix),
        }
    }
}

/// One source of rule selection: a config, or the command line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layer {
    /// `select`: when given, replaces what the sources before said.
    pub select: Option<Vec<Selector>>,
    /// `extend-select`: added.
    pub extend_select: Vec<Selector>,
    /// `ignore`: removed.
    pub ignore: Vec<Selector>,
}

impl Layer {
    /// The command line's layer, from `--select`, `--extend-select` and `--ignore`.
    pub fn from_args(
        select: Option<&[String]>,
        extend_select: &[String],
        ignore: &[String],
    ) -> Result<Layer, String> {
        let parse = |flag: &str, values: &[String], ignoring: bool| {
            values
                .iter()
                .map(|v| {
                    if ignoring {
                        Selector::parse_ignore(v)
                    } else {
                        Selector::parse(v)
                    }
                    .map_err(|e| format!("{flag}: {e}"))
                })
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(Layer {
            select: select
                .map(|values| parse("--select", values, false))
                .transpose()?,
            extend_select: parse("--extend-select", extend_select, false)?,
            ignore: parse("--ignore", ignore, true)?,
        })
    }
}

/// The rules a file is checked with, by index into [`RULES`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSet {
    enabled: Vec<bool>,
}

impl RuleSet {
    /// Resolves the sources, in order, on top of the default (every rule).
    pub fn resolve(layers: &[&Layer]) -> RuleSet {
        let mut enabled = vec![true; RULES.len()];
        for layer in layers {
            // The rule → on/off updates of this layer: by specificity, least first, ignores
            // after selects at each level, so the most specific word wins and ignore breaks ties.
            let mut updates: HashMap<usize, bool> = HashMap::new();
            let selects: Vec<&Selector> = layer
                .select
                .iter()
                .flatten()
                .chain(&layer.extend_select)
                .collect();
            let levels = selects
                .iter()
                .copied()
                .chain(&layer.ignore)
                .map(Selector::specificity)
                .max()
                .unwrap_or(0);
            for level in 0..=levels {
                for selector in selects.iter().filter(|s| s.specificity() == level) {
                    for (i, rule) in RULES.iter().enumerate() {
                        if selector.matches(rule.code) {
                            updates.insert(i, true);
                        }
                    }
                }
                for selector in layer.ignore.iter().filter(|s| s.specificity() == level) {
                    for (i, rule) in RULES.iter().enumerate() {
                        if selector.matches(rule.code) {
                            updates.insert(i, false);
                        }
                    }
                }
            }
            if layer.select.is_some() {
                enabled = vec![false; RULES.len()];
            }
            for (i, on) in updates {
                enabled[i] = on;
            }
        }
        RuleSet { enabled }
    }

    /// True when findings of `code` are reported.
    pub fn is_enabled(&self, code: &str) -> bool {
        code == ALWAYS_ON
            || RULES
                .iter()
                .position(|r| r.code == code)
                .is_none_or(|i| self.enabled[i])
    }

    /// The codes enabled, in registry order.
    #[cfg(test)]
    fn codes(&self) -> impl Iterator<Item = &'static str> + '_ {
        RULES
            .iter()
            .zip(&self.enabled)
            .filter(|(r, on)| **on || r.code == ALWAYS_ON)
            .map(|(r, _)| r.code)
    }
}

/// The severity `[severity]` gives `code`: the most specific matching selector's.
pub fn severity_of(overrides: &[(Selector, Severity)], code: &str) -> Option<Severity> {
    overrides
        .iter()
        .filter(|(s, _)| s.matches(code))
        .max_by_key(|(s, _)| s.specificity())
        .map(|(_, severity)| *severity)
}

/// Applies each file's selection (its config, then the command line's `cli` layer), its
/// `per-file-ignores` and its `[severity]` to the findings of `run`, suppressed ones included.
/// A finding belongs to the file of its primary span.
pub fn apply(run: &mut LintRun, configs: &ConfigSet, cli: &Layer) {
    let mut by_config: HashMap<Option<usize>, RuleSet> = HashMap::new();
    for file in &mut run.files {
        if file.diagnostics.is_empty() && file.suppressed.is_empty() {
            continue;
        }
        let path = file.source.path().to_path_buf();
        let config = configs.of(&path);
        let rules = by_config
            .entry(configs.index_of(&path))
            .or_insert_with(|| rules_of(configs, cli, &path));
        let ignored: Vec<&Selector> = config.map(|c| c.ignored_in(&path)).unwrap_or_default();
        let keep = |code: &str| reported(rules, &ignored, code);
        file.diagnostics.retain(|d| keep(d.code));
        file.suppressed.retain(|(d, _)| keep(d.code));
        if let Some(config) = config.filter(|c| !c.severity.is_empty()) {
            let diagnostics = file
                .diagnostics
                .iter_mut()
                .chain(file.suppressed.iter_mut().map(|(d, _)| d));
            for d in diagnostics {
                if let Some(severity) = severity_of(&config.severity, d.code) {
                    d.severity = severity;
                }
            }
        }
    }
}

/// True when findings of `code` are reported in a file checked with `rules`, whose
/// `per-file-ignores` turn off `ignored`.
fn reported(rules: &RuleSet, ignored: &[&Selector], code: &str) -> bool {
    code == ALWAYS_ON || (rules.is_enabled(code) && !ignored.iter().any(|s| s.matches(code)))
}

/// The rule set of the config of `path` under the command line's layer.
fn rules_of(configs: &ConfigSet, cli: &Layer, path: &Path) -> RuleSet {
    match configs.of(path) {
        Some(config) => RuleSet::resolve(&[&config.rules, cli]),
        None => RuleSet::resolve(&[cli]),
    }
}

#[cfg(test)]
mod suggestion_tests {
    use super::*;

    #[test]
    fn suggestions_are_the_nearest_code_or_a_rule_name() {
        assert_eq!(suggestion("XA530").as_deref(), Some("XA503"));
        assert_eq!(suggestion("xa5033").as_deref(), None);
        assert_eq!(suggestion("XB1").as_deref(), Some("XA1"));
        assert_eq!(
            suggestion("bucket-policy-missing-grant").as_deref(),
            Some("XA401")
        );
        assert_eq!(
            suggestion("bucket-policy-missing-grnt").as_deref(),
            Some("XA401")
        );
        assert_eq!(suggestion("E3012"), None);
        assert_eq!(
            Selector::parse("XA530").unwrap_err(),
            "`XA530` is no rule code or prefix of codes (such as `XA503`, `XA5` or `ALL`); did you mean `XA503`? `xacct rules` lists them"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(items: &[&str]) -> Vec<Selector> {
        items.iter().map(|s| Selector::parse(s).unwrap()).collect()
    }

    fn layer(select: Option<&[&str]>, extend: &[&str], ignore: &[&str]) -> Layer {
        Layer {
            select: select.map(sel),
            extend_select: sel(extend),
            ignore: sel(ignore),
        }
    }

    fn codes(set: &RuleSet) -> Vec<&'static str> {
        set.codes().collect()
    }

    #[test]
    fn selectors_are_codes_prefixes_or_all() {
        assert_eq!(Selector::parse("ALL"), Ok(Selector::All));
        assert_eq!(Selector::parse("all"), Ok(Selector::All));
        assert_eq!(Selector::parse("xa5"), Ok(Selector::Prefix("XA5".into())));
        assert_eq!(
            Selector::parse("XA503"),
            Ok(Selector::Prefix("XA503".into()))
        );
        assert!(Selector::parse("XA8").is_err());
        assert!(Selector::parse("XA5031").is_err());
        assert!(Selector::parse("X").is_err());
        assert!(Selector::parse("").is_err());
        assert!(Selector::parse_ignore("XA001").is_err());
        assert!(Selector::parse_ignore("XA00").is_ok());
    }

    #[test]
    fn default_is_every_rule() {
        let all = RuleSet::resolve(&[]);
        assert_eq!(codes(&all).len(), RULES.len());
        assert_eq!(RuleSet::resolve(&[&Layer::default()]), all);
    }

    #[test]
    fn ignore_wins_at_equal_specificity_and_the_more_specific_word_wins() {
        let set = RuleSet::resolve(&[&layer(Some(&["XA5"]), &[], &["XA5"])]);
        assert_eq!(codes(&set), ["XA001"]);
        let set = RuleSet::resolve(&[&layer(Some(&["XA5"]), &[], &["XA503"])]);
        assert!(set.is_enabled("XA501") && !set.is_enabled("XA503"));
        assert!(!set.is_enabled("XA201"));
        let set = RuleSet::resolve(&[&layer(Some(&["XA503"]), &[], &["XA5"])]);
        assert!(set.is_enabled("XA503") && !set.is_enabled("XA501"));
    }

    #[test]
    fn extend_select_adds_and_a_later_select_replaces() {
        let config = layer(Some(&["XA2"]), &["XA3"], &["XA201"]);
        let set = RuleSet::resolve(&[&config]);
        assert!(set.is_enabled("XA202") && set.is_enabled("XA301"));
        assert!(!set.is_enabled("XA201") && !set.is_enabled("XA501"));
        // The command line's --select replaces the config's select and ignore.
        let set = RuleSet::resolve(&[&config, &layer(Some(&["XA201"]), &[], &[])]);
        assert_eq!(codes(&set), ["XA001", "XA201"]);
        // --extend-select and --ignore adjust it.
        let set = RuleSet::resolve(&[&config, &layer(None, &["XA5"], &["XA3"])]);
        assert!(set.is_enabled("XA501") && set.is_enabled("XA202"));
        assert!(!set.is_enabled("XA301") && !set.is_enabled("XA201"));
    }

    #[test]
    fn xa001_stays_on() {
        let set = RuleSet::resolve(&[&layer(None, &[], &["ALL"])]);
        assert_eq!(codes(&set), ["XA001"]);
        assert!(set.is_enabled("XA001"));
        let set = RuleSet::resolve(&[&layer(Some(&["XA9"]), &[], &[])]);
        assert!(set.is_enabled("XA001") && !set.is_enabled("XA002"));
    }

    #[test]
    fn the_most_specific_severity_wins() {
        let overrides = vec![
            (Selector::Prefix("XA5".into()), Severity::Info),
            (Selector::Prefix("XA503".into()), Severity::Error),
            (Selector::All, Severity::Warning),
        ];
        assert_eq!(severity_of(&overrides, "XA503"), Some(Severity::Error));
        assert_eq!(severity_of(&overrides, "XA501"), Some(Severity::Info));
        assert_eq!(severity_of(&overrides, "XA201"), Some(Severity::Warning));
        assert_eq!(severity_of(&[], "XA201"), None);
    }

    #[test]
    fn without_a_config_only_the_command_line_counts() {
        let configs = ConfigSet::default();
        let cli = layer(None, &[], &["XA9"]);
        let rules = rules_of(&configs, &cli, Path::new("a.json"));
        assert!(!reported(&rules, &[], "XA901"));
        assert!(reported(&rules, &[], "XA201"));
        let xa2 = Selector::Prefix("XA2".into());
        assert!(!reported(&rules, &[&xa2], "XA201"));
        assert!(reported(&rules, &[&Selector::All], "XA001"));
    }
}
