//! SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
//!
//! What the consumers need and where it comes from:
//!
//! - `tool.driver.rules`: one reporting descriptor per rule that has a result, in code order, built
//!   from the registry and the rule's page (`rule.page`, the one source of `xacct explain` too):
//!   the summary is the short description, the page's first paragraph the full description, the
//!   page itself the help, and `helpUri` the page in the repository.
//! - `results`: `ruleId` and `ruleIndex`, `level` (`info` is SARIF's `note`), the message (with
//!   the help line), one location, the labels as `relatedLocations` with their messages, and
//!   `partialFingerprints` from [`crate::fingerprint`], which stay put when lines move. The key is
//!   xacct's own: `primaryLocationLineHash` belongs to GitHub, whose upload action computes it
//!   and warns when a file brings a different value.
//! - Locations are URIs relative to the repository root (`%SRCROOT%`, given in
//!   `originalUriBaseIds`): the nearest folder at or above the current one that holds `.git`,
//!   else the current folder. So a run in `infra/` of a repository gives `infra/p.json`, which is
//!   where code scanning (which checks the repository out at its root) finds the file. URIs have
//!   `/` separators and percent-encoding; a file outside the root gets an absolute `file:` URI. Regions count columns in Unicode code points, as every
//!   xacct output does, and say so in `columnKind`.
//! - Findings a template suppresses are results too, with an `inSource` suppression and its
//!   reason, so that code scanning shows them as dismissed rather than fixed.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Component, Path};

use serde::Serialize;
use xacct_rules::{Diagnostic, Rule, Severity};
use xacct_syntax::{FileId, Span};

use crate::fingerprint;
use crate::lint::LintRun;

/// The schema the document declares: the OASIS Standard's.
const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The `uriBaseId` of every relative location: the repository root.
pub const SRCROOT: &str = "%SRCROOT%";

/// The key of xacct's fingerprint in `partialFingerprints` (versioned, as SARIF recommends).
/// `v2`: from the path relative to the repository root and the message without account names
/// (`v1` took both as shown, so they moved with the working folder and the config).
pub const FINGERPRINT_KEY: &str = "xacct/v2";

/// Where the rule pages are published: the workspace's `repository`, branch `main`.
pub fn help_uri(code: &str) -> String {
    format!(
        "{}/blob/main/crates/xacct-rules/rules/{code}.md",
        env!("CARGO_PKG_REPOSITORY").trim_end_matches('/')
    )
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    /// One: the run went through (`write_failed` writes the one that did not).
    invocations: [Invocation; 1],
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    original_uri_base_ids: BTreeMap<&'static str, ArtifactLocation>,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text<'a>,
    full_description: Text<'a>,
    help_uri: String,
    help: Help<'a>,
    default_configuration: Configuration,
    properties: RuleProperties<'a>,
}

#[derive(Serialize)]
struct Text<'a> {
    text: std::borrow::Cow<'a, str>,
}

fn text<'a>(s: impl Into<std::borrow::Cow<'a, str>>) -> Text<'a> {
    Text { text: s.into() }
}

#[derive(Serialize)]
struct Help<'a> {
    text: &'a str,
    markdown: &'a str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    tags: Vec<&'a str>,
    /// GitHub code scanning sorts and filters alerts by it (a number from 0.0 to 10.0, as a
    /// string): see [`security_severity`].
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

/// The `security-severity` of a rule, from its default severity: an error (the pipeline fails,
/// or access is wider than it must be) 8.0, "high" on GitHub's scale (7.0 to 8.9); a warning
/// 5.0, "medium" (4.0 to 6.9); an info 2.0, "low" (0.1 to 3.9). None is "critical" (9.0 and
/// above): xacct finds configurations that fail or grant too much, not exploits.
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Info => "2.0",
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text<'a>,
    locations: [Location<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
}

/// SARIF's `fix`: a description and, per file, its replacements.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    description: Text<'a>,
    artifact_changes: Vec<ArtifactChange>,
    properties: FixProperties,
}

#[derive(Serialize)]
struct FixProperties {
    /// `safe`, `needs-review` or `manual`: SARIF has no word for it.
    applicability: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: DeletedRegion,
    inserted_content: InsertedContent,
}

/// The bytes to replace, by byte offset (exact, as the edits are) and by line and column.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeletedRegion {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
    byte_offset: u32,
    byte_length: u32,
}

#[derive(Serialize)]
struct InsertedContent {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

/// A file's URI: relative to `%SRCROOT%`, or absolute.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    /// A URI reference.
    pub uri: String,
    /// `%SRCROOT%` for a relative `uri`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    /// The column after the last character (SARIF's regions end exclusively).
    end_column: u32,
}

#[derive(Serialize)]
struct Suppression<'a> {
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<&'a str>,
}

/// SARIF's name for a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The first paragraph of a rule page after its title and severity line, unwrapped: what the
/// rule finds, in the page's own words.
pub fn full_description(page: &str) -> String {
    page.lines()
        .skip_while(|l| l.starts_with('#') || l.starts_with("**Severity:**") || l.is_empty())
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The family a rule page names on its severity line (`**Family:** S3`).
pub fn family(page: &str) -> Option<&str> {
    page.lines()
        .find_map(|l| l.split_once("**Family:**"))
        .map(|(_, family)| family.trim())
        .filter(|f| !f.is_empty())
}

fn descriptor(rule: &'static Rule) -> ReportingDescriptor<'static> {
    ReportingDescriptor {
        id: rule.code,
        name: rule.name,
        short_description: text(rule.summary),
        full_description: text(full_description(rule.page)),
        help_uri: help_uri(rule.code),
        help: Help {
            text: rule.page,
            markdown: rule.page,
        },
        default_configuration: Configuration {
            level: level(rule.severity),
        },
        properties: RuleProperties {
            // GitHub reads `security-severity` only on rules tagged `security`: the least
            // privilege rules are about security, the others about pipelines that fail.
            tags: family(rule.page)
                .into_iter()
                .chain((family(rule.page) == Some("least privilege")).then_some("security"))
                .collect(),
            security_severity: security_severity(rule.severity),
        },
    }
}

/// Characters kept as they are in a path segment of a URI (RFC 3986 `pchar` less `:`, which
/// would make the first segment of a relative reference look like a scheme).
fn keep_in_segment(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=@".contains(&b)
}

fn encode_segment(segment: &str, out: &mut String) {
    for &b in segment.as_bytes() {
        if keep_in_segment(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// The path's components as text, `.` dropped, or `None` when it climbs out of where it starts.
fn normal_segments(path: &Path) -> Option<Vec<String>> {
    let mut segments: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                segments.pop()?;
            }
            Component::Normal(s) => segments.push(s.to_string_lossy().into_owned()),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(segments)
}

fn relative_uri(segments: &[String]) -> String {
    let mut uri = String::new();
    for (i, segment) in segments.iter().enumerate() {
        if i > 0 {
            uri.push('/');
        }
        encode_segment(segment, &mut uri);
    }
    uri
}

/// `file:` URI of an absolute path (a folder's ends with `/`).
pub fn file_uri(path: &Path, folder: bool) -> String {
    let mut uri = String::from("file://");
    let mut segments = Vec::new();
    for component in path.components() {
        match component {
            Component::Prefix(p) => {
                // `C:` on Windows: `file:///C:/...`.
                uri.push('/');
                uri.push_str(&p.as_os_str().to_string_lossy().replace('\\', "/"));
            }
            Component::RootDir => {}
            Component::CurDir => {}
            Component::ParentDir => {
                segments.pop();
            }
            Component::Normal(s) => segments.push(s.to_string_lossy().into_owned()),
        }
    }
    for segment in &segments {
        uri.push('/');
        for &b in segment.as_bytes() {
            if keep_in_segment(b) || b == b':' {
                uri.push(char::from(b));
            } else {
                uri.push_str(&format!("%{b:02X}"));
            }
        }
    }
    if folder || segments.is_empty() {
        uri.push('/');
    }
    uri
}

/// Where a file is, for SARIF: relative to `cwd` when it is inside it (as every path given
/// relative on the command line is), else an absolute `file:` URI.
pub fn artifact_location(path: &Path, cwd: Option<&Path>) -> ArtifactLocation {
    let relative = if path.is_relative() {
        normal_segments(path)
    } else {
        cwd.and_then(|cwd| path.strip_prefix(cwd).ok())
            .and_then(normal_segments)
    };
    match relative {
        Some(segments) if !segments.is_empty() => ArtifactLocation {
            uri: relative_uri(&segments),
            uri_base_id: Some(SRCROOT),
        },
        _ => match cwd {
            Some(cwd) if path.is_relative() => ArtifactLocation {
                uri: file_uri(&cwd.join(path), false),
                uri_base_id: None,
            },
            // Without the current folder a path that climbs out of it stays relative.
            None if path.is_relative() => {
                let segments: Vec<String> = path
                    .components()
                    .filter(|c| !matches!(c, Component::CurDir))
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                ArtifactLocation {
                    uri: relative_uri(&segments),
                    uri_base_id: Some(SRCROOT),
                }
            }
            _ => ArtifactLocation {
                uri: file_uri(path, false),
                uri_base_id: None,
            },
        },
    }
}

struct Writer<'a> {
    run: &'a LintRun,
    /// The current folder, which relative paths are relative to.
    cwd: Option<&'a Path>,
    /// The folder URIs are relative to.
    root: Option<&'a Path>,
    /// Per file, its location (computed once).
    locations: BTreeMap<FileId, ArtifactLocation>,
}

impl<'a> Writer<'a> {
    fn physical(&mut self, file: FileId, span: Span) -> PhysicalLocation {
        let source = self.run.source(file);
        let (cwd, root) = (self.cwd, self.root);
        let artifact_location = self
            .locations
            .entry(file)
            .or_insert_with(|| match cwd {
                Some(cwd) if source.path().is_relative() => {
                    artifact_location(&crate::paths::absolute(&cwd.join(source.path())), root)
                }
                _ => artifact_location(source.path(), root),
            })
            .clone();
        let start = source.line_col(span.start);
        let end = source.line_col(span.end.max(span.start));
        PhysicalLocation {
            artifact_location,
            region: Region {
                start_line: start.line,
                start_column: start.column,
                end_line: end.line,
                end_column: end.column,
            },
        }
    }

    fn result(
        &mut self,
        d: &'a Diagnostic,
        rule_index: usize,
        fingerprint: String,
        suppression: Option<Option<&'a str>>,
    ) -> SarifResult<'a> {
        let message = match &d.help {
            Some(help) => text(format!("{}\nhelp: {help}", d.message)),
            None => text(d.message.as_str()),
        };
        let location = Location {
            id: None,
            physical_location: self.physical(d.file, d.span),
            message: None,
        };
        let related_locations = d
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| Location {
                id: Some(i + 1),
                physical_location: self.physical(l.file, l.span),
                message: Some(text(l.message.as_str())),
            })
            .collect();
        SarifResult {
            rule_id: d.code,
            rule_index,
            level: level(d.severity),
            message,
            locations: [location],
            related_locations,
            partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, fingerprint)]),
            suppressions: suppression
                .map(|justification| Suppression {
                    kind: "inSource",
                    justification,
                })
                .into_iter()
                .collect(),
            fixes: d.fixes.iter().map(|f| self.fix(f)).collect(),
        }
    }

    fn fix(&mut self, fix: &'a xacct_rules::Fix) -> SarifFix<'a> {
        let artifact_changes = fix
            .files()
            .into_iter()
            .map(|file| {
                let artifact_location = self.physical(file, Span::empty(0)).artifact_location;
                let source = self.run.source(file);
                let mut edits: Vec<&xacct_rules::Edit> =
                    fix.edits.iter().filter(|e| e.file == file).collect();
                edits.sort_by_key(|e| (e.span.start, e.span.end));
                let replacements = edits
                    .into_iter()
                    .map(|e| {
                        let start = source.line_col(e.span.start);
                        let end = source.line_col(e.span.end.max(e.span.start));
                        Replacement {
                            deleted_region: DeletedRegion {
                                start_line: start.line,
                                start_column: start.column,
                                end_line: end.line,
                                end_column: end.column,
                                byte_offset: e.span.start,
                                byte_length: e.span.len(),
                            },
                            inserted_content: InsertedContent {
                                text: e.replacement.clone(),
                            },
                        }
                    })
                    .collect();
                ArtifactChange {
                    artifact_location,
                    replacements,
                }
            })
            .collect();
        SarifFix {
            description: text(fix.title.as_str()),
            artifact_changes,
            properties: FixProperties {
                applicability: fix.applicability.as_str(),
            },
        }
    }
}

/// Writes the log. `cwd` is the folder relative paths are relative to (`None` when it cannot be
/// known: relative paths then still print relative, and `originalUriBaseIds` is left out); URIs
/// are relative to the repository root holding it.
pub fn write(out: &mut impl Write, run: &LintRun, cwd: Option<&Path>) -> io::Result<()> {
    let root = cwd.map(|cwd| crate::fingerprint::repository_root(cwd).unwrap_or(cwd.to_path_buf()));
    let suppressed: Vec<(&Diagnostic, Option<&str>)> = run
        .files
        .iter()
        .flat_map(|f| f.suppressed.iter())
        .map(|(d, reason)| (d, reason.as_deref()))
        .collect();
    // The rules that have a result, in code order; results point at them by index.
    let mut used: Vec<&'static Rule> = run
        .diagnostics()
        .chain(suppressed.iter().map(|(d, _)| *d))
        .filter_map(|d| xacct_rules::rule(d.code))
        .collect();
    used.sort_by_key(|r| r.code);
    used.dedup_by_key(|r| r.code);
    let index_of = |code: &str| used.iter().position(|r| r.code == code).unwrap_or(0);

    let mut writer = Writer {
        run,
        cwd,
        root: root.as_deref(),
        locations: BTreeMap::new(),
    };
    let mut results = Vec::new();
    for (d, fp) in run.diagnostics().zip(fingerprint::fingerprints(run)) {
        results.push(writer.result(d, index_of(d.code), fp, None));
    }
    for ((d, reason), fp) in suppressed
        .iter()
        .zip(fingerprint::suppressed_fingerprints(run))
    {
        results.push(writer.result(d, index_of(d.code), fp, Some(*reason)));
    }
    let original_uri_base_ids = root
        .as_deref()
        .filter(|_| writer.locations.values().any(|l| l.uri_base_id.is_some()))
        .map(|root| {
            (
                SRCROOT,
                ArtifactLocation {
                    uri: file_uri(root, true),
                    uri_base_id: None,
                },
            )
        })
        .into_iter()
        .collect();
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "xacct",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    rules: used.iter().map(|r| descriptor(r)).collect(),
                },
            },
            invocations: [Invocation {
                execution_successful: true,
            }],
            original_uri_base_ids,
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    let text = serde_json::to_string_pretty(&log).map_err(io::Error::other)?;
    writeln!(out, "{}", crate::escape::json(text))
}

/// Writes the log of a run that could not start (exit status 2): no results, and an
/// invocation with `executionSuccessful: false` and one `toolExecutionNotifications` entry a
/// trouble (at its place in the config when it has one). Upload steps then get a valid log,
/// and code scanning shows why the tool failed instead of an empty file.
pub fn write_failed(
    out: &mut impl Write,
    troubles: &[crate::Trouble],
    cwd: Option<&Path>,
) -> io::Result<()> {
    let root = cwd.map(|cwd| crate::fingerprint::repository_root(cwd).unwrap_or(cwd.to_path_buf()));
    let mut relative_used = false;
    let notifications: Vec<serde_json::Value> = troubles
        .iter()
        .map(|t| {
            let mut note = serde_json::json!({
                "level": "error",
                "message": {"text": t.message},
                "descriptor": {"id": "config"},
            });
            if let Some(path) = &t.path {
                let absolute = match cwd {
                    Some(cwd) if path.is_relative() => crate::paths::absolute(&cwd.join(path)),
                    _ => path.clone(),
                };
                let artifact = artifact_location(&absolute, root.as_deref());
                relative_used |= artifact.uri_base_id.is_some();
                let mut physical = serde_json::json!({"artifactLocation": artifact});
                if let Some((line, column)) = t.at {
                    physical["region"] =
                        serde_json::json!({"startLine": line, "startColumn": column});
                }
                note["locations"] = serde_json::json!([{"physicalLocation": physical}]);
            }
            if t.path.is_none() {
                note["descriptor"] = serde_json::json!({"id": "arguments"});
            }
            note
        })
        .collect();
    let mut run = serde_json::json!({
        "tool": {"driver": {
            "name": "xacct",
            "version": env!("CARGO_PKG_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "informationUri": env!("CARGO_PKG_REPOSITORY"),
            "rules": [],
        }},
        "invocations": [{
            "executionSuccessful": false,
            "exitCode": crate::EXIT_TROUBLE,
            "toolExecutionNotifications": notifications,
        }],
        "columnKind": "unicodeCodePoints",
        "results": [],
    });
    if let (Some(root), true) = (&root, relative_used) {
        run["originalUriBaseIds"] = serde_json::json!({SRCROOT: {"uri": file_uri(root, true)}});
    }
    let log = serde_json::json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [run],
    });
    let text = serde_json::to_string_pretty(&log).map_err(io::Error::other)?;
    writeln!(out, "{}", crate::escape::json(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(path: &str) -> ArtifactLocation {
        artifact_location(Path::new(path), Some(Path::new("/work/repo")))
    }

    #[test]
    fn relative_paths_become_relative_uris_under_srcroot() {
        assert_eq!(
            rel("./tools/pipeline.json"),
            ArtifactLocation {
                uri: "tools/pipeline.json".into(),
                uri_base_id: Some(SRCROOT)
            }
        );
        assert_eq!(rel("a/./b/../c.json").uri, "a/c.json");
        assert_eq!(rel("/work/repo/x/y.json").uri, "x/y.json");
        assert_eq!(rel("/work/repo/x/y.json").uri_base_id, Some(SRCROOT));
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(
            rel("my pipelines/100%/ü:x#1?.json").uri,
            "my%20pipelines/100%25/%C3%BC%3Ax%231%3F.json"
        );
        // Sub-delimiters and `@` are kept.
        assert_eq!(rel("a+b/(c)@d,e;f=g.json").uri, "a+b/(c)@d,e;f=g.json");
    }

    #[test]
    fn paths_outside_the_current_folder_are_absolute_file_uris() {
        assert_eq!(
            rel("../other/p.json"),
            ArtifactLocation {
                uri: "file:///work/other/p.json".into(),
                uri_base_id: None
            }
        );
        assert_eq!(rel("/etc/p q.json").uri, "file:///etc/p%20q.json");
        assert_eq!(
            file_uri(Path::new("/work/repo"), true),
            "file:///work/repo/"
        );
        assert_eq!(file_uri(Path::new("/"), true), "file:///");
    }

    #[test]
    fn every_rule_page_gives_a_full_description_and_a_family() {
        for rule in xacct_rules::RULES {
            let full = full_description(rule.page);
            assert!(
                full.len() > rule.summary.len() / 2 && !full.starts_with('#'),
                "{}: {full:?}",
                rule.code
            );
            assert!(!full.contains('\n'));
            assert!(family(rule.page).is_some(), "{} names no family", rule.code);
        }
    }

    #[test]
    fn help_uris_point_at_the_rule_pages_in_the_repository() {
        assert_eq!(
            help_uri("XA201"),
            "https://github.com/xacct/xacct/blob/main/crates/xacct-rules/rules/XA201.md"
        );
    }
}
