//! `xacct init`: writes a commented starter `xacct.toml` in the current folder, pre-filled with
//! what the files there tell, read by the engine's own loaders (the files are linted once,
//! without a config, and the workspace is read back):
//!
//! - `[accounts]`: every account ID a folder name (`prod-222222222222/`) or an ARN of a
//!   pipeline or policy names; a folder's prefix names it (`prod`), else `account-<ID>`;
//! - `region`: when the ARNs of all `get-pipeline` outputs agree on it;
//! - `[[bind]]`: for a key policy that cannot name its key, the key ARN of the artifact store a
//!   pipeline uses in the account of the policy's folder, when there is exactly one such key
//!   and one such policy (likewise the bucket of an ownership-controls file); otherwise, and for
//!   every other policy tied to nothing, a commented-out entry to complete;
//! - `[[stack]]`: for each template whose folder names its account (CDK stacks, whose manifest
//!   says, are left out); a commented-out entry for the others;
//! - `[parameters]`: for each template parameter without a default; an account parameter
//!   (`…AccountId`, or one constrained to twelve digits) named after an account of
//!   `[accounts]` (`ProdAccountId` and `prod`) gets its ID, the others are left to complete,
//!   so the second run already links the accounts.
//!
//! Nothing is guessed: what the files do not say is left commented out.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use xacct_input::DocumentKind;
use xacct_model::arn::{AccountId, Arn};
use xacct_model::policy::PrincipalKind;
use xacct_model::policy_file::{PolicyKind, Subject};
use xacct_model::workspace::{account_of_path, Governs, Workspace};
use xacct_model::KeyRef;
use xacct_rules::{LintOptions, Outcome};
use xacct_syntax::FileId;

use crate::config::{ConfigSet, FILE_NAME};
use crate::discover::{self, Filter};
use crate::fingerprint::portable_path;
use crate::lint::{self, LintRun};
use crate::{stacks, EXIT_CLEAN, EXIT_TROUBLE};

/// `xacct init [--force]`.
pub fn run(force: bool) -> u8 {
    let target = Path::new(FILE_NAME);
    if std::fs::symlink_metadata(target).is_ok() && !force {
        eprintln!("error: {FILE_NAME} exists already; `xacct init --force` overwrites it");
        return EXIT_TROUBLE;
    }
    let text = match starter() {
        Ok((text, summary)) => {
            // Whole or not at all, and never through a link (a dangling one included).
            if let Err(e) = xacct_input::gate::write_atomic(target, text.as_bytes()) {
                eprintln!("error: cannot write {FILE_NAME}: {e}");
                return EXIT_TROUBLE;
            }
            summary
        }
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_TROUBLE;
        }
    };
    println!("{text}");
    EXIT_CLEAN
}

/// The config for the current folder's files, and a line saying what it holds.
fn starter() -> Result<(String, String), String> {
    let filter = Filter::new(&[], &[]).map_err(|e| e.to_string())?;
    let here = PathBuf::from(".");
    let mut discovered = discover::discover(std::slice::from_ref(&here), &filter);
    let mut gate = xacct_input::Gate::new();
    gate.add_named(&here);
    let settings = stacks::settings(&gate, &mut discovered.files, &ConfigSet::default(), None);
    // The templates' parameters without a default (the files were read for the link).
    let mut open: BTreeMap<String, bool> = BTreeMap::new();
    for candidate in &discovered.files {
        let Some(text) = candidate
            .bytes
            .as_deref()
            .and_then(|b| std::str::from_utf8(b).ok())
        else {
            continue;
        };
        let limits = xacct_input::Limits::default();
        for parameter in xacct_input::cfn::stacks::open_parameters(&candidate.path, text, &limits) {
            *open.entry(parameter.name).or_default() |= parameter.account;
        }
    }
    // Templates whose CDK manifest says where they are deployed need no [[stack]].
    let told: HashSet<PathBuf> = settings
        .iter()
        .filter(|(_, s)| s.stack.account.is_some())
        .map(|(path, _)| path.clone())
        .collect();
    let options = LintOptions {
        input: xacct_input::Options {
            files: settings,
            ..xacct_input::Options::default()
        },
        ..LintOptions::default()
    };
    let (run, workspace, _) =
        lint::lint_with_graph(&gate, discovered.files, &HashMap::new(), &options, false);
    let mut inferred = infer(&run, &workspace, &told);
    inferred.parameters = propose_parameters(&open, &inferred.accounts);
    let summary = inferred.summary(run.files.len());
    Ok((inferred.render(), summary))
}

/// A `[[bind]]` entry, settled or to complete.
struct Bind {
    file: String,
    /// `key`, `bucket` or `role`.
    field: &'static str,
    /// The value, when the files tell it.
    value: Option<String>,
    /// Why, or what is missing.
    comment: String,
    /// The value to show commented out, when not told.
    example: String,
}

/// A `[[stack]]` entry: the template and its account's name (`None`: to complete).
struct Stack {
    file: String,
    account: Option<String>,
}

/// What the files tell.
struct Inferred {
    /// Account names, by ID.
    accounts: BTreeMap<AccountId, String>,
    /// The regions of pipeline ARNs.
    regions: BTreeSet<String>,
    binds: Vec<Bind>,
    stacks: Vec<Stack>,
    /// Template parameters without a default: name, and the account ID an `[accounts]` name
    /// gives it (for `…AccountId` parameters), or `None` (to complete).
    parameters: Vec<(String, Option<AccountId>, bool)>,
}

/// A value for each template parameter without a default: an account parameter named after
/// an account (`ProdAccountId` and the account named `prod`) gets its ID; the others are left
/// to complete.
fn propose_parameters(
    open: &BTreeMap<String, bool>,
    accounts: &BTreeMap<AccountId, String>,
) -> Vec<(String, Option<AccountId>, bool)> {
    open.iter()
        .map(|(name, &account)| {
            let stem = name
                .to_ascii_lowercase()
                .trim_end_matches("id")
                .trim_end_matches("account")
                .trim_end_matches(['-', '_'])
                .to_string();
            let matching: Vec<AccountId> = accounts
                .iter()
                .filter(|(_, n)| {
                    !stem.is_empty()
                        && n.to_ascii_lowercase().replace(['-', '_'], "")
                            == stem.replace(['-', '_'], "")
                })
                .map(|(id, _)| *id)
                .collect();
            let value = match (account, matching.as_slice()) {
                (true, [one]) => Some(*one),
                _ => None,
            };
            (name.clone(), value, account)
        })
        .collect()
}

fn account_of_arn(text: &str) -> Option<AccountId> {
    Arn::parse(text).ok()?.account_id()
}

/// The account a folder name gives, with the name its prefix gives: `prod-222222222222`
/// names `prod`, `222222222222` nothing.
fn folder_account(name: &str) -> Option<(AccountId, Option<String>)> {
    if let Some(id) = AccountId::parse(name) {
        return Some((id, None));
    }
    let (prefix, digits) = name.rsplit_once('-')?;
    let id = AccountId::parse(digits)?;
    let prefix = prefix.trim_matches('-');
    Some((
        id,
        (!prefix.is_empty() && AccountId::parse(prefix).is_none()).then(|| prefix.to_string()),
    ))
}

/// Every account a pipeline or policy of the workspace names in an ARN (or a policy as a bare
/// account principal).
fn accounts_named(workspace: &Workspace) -> BTreeSet<AccountId> {
    let mut out = BTreeSet::new();
    for unit in &workspace.pipelines {
        let pipeline = &unit.doc.pipeline;
        let arns = unit
            .doc
            .pipeline_arn
            .iter()
            .chain(&pipeline.role_arn)
            .chain(
                pipeline
                    .stages
                    .iter()
                    .flat_map(|s| &s.actions)
                    .filter_map(|a| a.role_arn.as_ref()),
            );
        out.extend(arns.filter_map(|a| account_of_arn(&a.value)));
        out.extend(store_keys(unit).filter_map(|k| KeyRef::parse(k).ok()?.account()));
        out.extend(unit.accounts.pipeline_account());
    }
    for policy in &workspace.policies {
        let entry = &policy.entry;
        match &entry.subject {
            Some(Subject::RoleArn(arn)) => out.extend(account_of_arn(&arn.value)),
            Some(Subject::Key(key)) => out.extend(account_of_arn(key)),
            _ => {}
        }
        for statement in &entry.document.statements {
            for principal in statement.principal.iter().flat_map(|p| &p.entries) {
                if principal.kind == PrincipalKind::Aws {
                    let value = &principal.value.value;
                    out.extend(AccountId::parse(value).or_else(|| account_of_arn(value)));
                }
            }
            for resource in statement.resource.iter().flat_map(|r| &r.values) {
                out.extend(account_of_arn(&resource.value));
            }
        }
    }
    out
}

/// The artifact stores' encryption keys of a pipeline, as written.
fn store_keys(unit: &xacct_model::workspace::PipelineUnit) -> impl Iterator<Item = &str> {
    stores(unit).filter_map(|s| s.encryption_key.as_ref().map(|k| k.value.as_str()))
}

fn stores(
    unit: &xacct_model::workspace::PipelineUnit,
) -> impl Iterator<Item = &xacct_model::ArtifactStore> {
    let pipeline = &unit.doc.pipeline;
    pipeline.stores()
}

/// Names for the accounts: the folder's prefix when a folder gives one (the first folder, in
/// walk order), else `account-<ID>`; a name two accounts would share gets the ID appended.
fn name_accounts(run: &LintRun, workspace: &Workspace) -> BTreeMap<AccountId, String> {
    let mut named: BTreeMap<AccountId, Option<String>> = BTreeMap::new();
    for file in &run.files {
        let Some(parent) = file.source.path().parent() else {
            continue;
        };
        for component in parent.components() {
            let Some((id, name)) = component.as_os_str().to_str().and_then(folder_account) else {
                continue;
            };
            let slot = named.entry(id).or_insert(None);
            if slot.is_none() {
                *slot = name;
            }
        }
    }
    for id in accounts_named(workspace) {
        named.entry(id).or_insert(None);
    }
    let mut uses: HashMap<String, usize> = HashMap::new();
    for name in named.values().flatten() {
        *uses.entry(name.clone()).or_insert(0) += 1;
    }
    named
        .into_iter()
        .map(|(id, name)| {
            let name = match name {
                Some(name) if uses[&name] == 1 => name,
                Some(name) => format!("{name}-{id}"),
                None => format!("account-{id}"),
            };
            (id, name)
        })
        .collect()
}

fn infer(run: &LintRun, workspace: &Workspace, told: &HashSet<PathBuf>) -> Inferred {
    let accounts = name_accounts(run, workspace);
    let path_of = |file: FileId| portable_path(run.source(file).path());
    let regions: BTreeSet<String> = workspace
        .pipelines
        .iter()
        .filter_map(|u| u.doc.pipeline_arn.as_ref())
        .filter_map(|arn| {
            let arn = Arn::parse(&arn.value).ok()?;
            xacct_model::arn::is_region_name(arn.region).then(|| arn.region.to_string())
        })
        .collect();

    // Keys and buckets of artifact stores, by the account they are in, that no policy file
    // names already.
    let mut keys: BTreeMap<AccountId, BTreeSet<String>> = BTreeMap::new();
    let mut buckets: BTreeMap<AccountId, BTreeSet<String>> = BTreeMap::new();
    for unit in &workspace.pipelines {
        for key in store_keys(unit) {
            if let Ok(KeyRef::KeyArn {
                account: Some(account),
                ..
            }) = KeyRef::parse(key)
            {
                if workspace
                    .governing(&Governs::Key(key.to_string()))
                    .next()
                    .is_none()
                {
                    keys.entry(account).or_default().insert(key.to_string());
                }
            }
        }
        if let Some(account) = unit.accounts.pipeline_account() {
            for store in stores(unit) {
                let Some(location) = &store.location else {
                    continue;
                };
                let known = workspace
                    .ownership
                    .iter()
                    .any(|o| o.bucket.as_deref() == Some(location.value.as_str()));
                if !known && !xacct_model::symbol::is_placeholder(&location.value) {
                    buckets
                        .entry(account)
                        .or_default()
                        .insert(location.value.to_string());
                }
            }
        }
    }

    // Files with policies tied to nothing, with the kind of their first such policy.
    let mut unbound: BTreeMap<FileId, (Option<PolicyKind>, Option<AccountId>)> = BTreeMap::new();
    for policy in workspace.policies.iter().filter(|p| p.governs.is_none()) {
        unbound
            .entry(policy.file)
            .or_insert((policy.entry.kind, policy.account));
    }
    let key_files_in = |account: Option<AccountId>| {
        unbound
            .values()
            .filter(|(kind, a)| *kind == Some(PolicyKind::Key) && *a == account)
            .count()
    };
    let name_of = |account: Option<AccountId>| match account {
        Some(id) => format!("account {id}"),
        None => "an account its folder does not name".to_string(),
    };
    let mut binds = Vec::new();
    for (&file, &(kind, account)) in &unbound {
        let path = path_of(file);
        let bind = match kind {
            Some(PolicyKind::Key) => {
                let candidates: Vec<&String> = account
                    .and_then(|a| keys.get(&a))
                    .into_iter()
                    .flatten()
                    .collect();
                match candidates.as_slice() {
                    [key] if key_files_in(account) == 1 => Bind {
                        file: path,
                        field: "key",
                        value: Some((*key).clone()),
                        comment: format!(
                            "the key of a pipeline's artifact store in {}",
                            name_of(account)
                        ),
                        example: String::new(),
                    },
                    _ => Bind {
                        file: path,
                        field: "key",
                        value: None,
                        comment: match candidates.len() {
                            0 => format!(
                                "no pipeline here stores artifacts with a key in {}: which key is it?",
                                name_of(account)
                            ),
                            _ => format!(
                                "which key? the artifact stores in {} use {}",
                                name_of(account),
                                candidates
                                    .iter()
                                    .map(|k| format!("`{k}`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        },
                        example: candidates.first().map_or_else(
                            || {
                                format!(
                                    "arn:aws:kms:REGION:{}:key/KEY-ID",
                                    account.map_or("ACCOUNT".to_string(), |a| a.to_string())
                                )
                            },
                            |k| (*k).clone(),
                        ),
                    },
                }
            }
            Some(PolicyKind::Bucket) => Bind {
                file: path,
                field: "bucket",
                value: None,
                comment: "which bucket? its resources do not name it".to_string(),
                example: "BUCKET-NAME".to_string(),
            },
            _ => Bind {
                file: path,
                field: "role",
                value: None,
                comment: format!(
                    "which role? the file does not name it ({})",
                    kind.map_or("a policy", PolicyKind::describe)
                ),
                example: format!(
                    "arn:aws:iam::{}:role/NAME",
                    account.map_or("ACCOUNT".to_string(), |a| a.to_string())
                ),
            },
        };
        binds.push(bind);
    }
    // Ownership controls name no bucket.
    let unbound_ownership: Vec<(FileId, Option<AccountId>)> = workspace
        .ownership
        .iter()
        .filter(|o| o.bucket.is_none())
        .map(|o| (o.file, account_of_path(run.source(o.file).path())))
        .collect();
    for &(file, account) in &unbound_ownership {
        let candidates: Vec<&String> = account
            .and_then(|a| buckets.get(&a))
            .into_iter()
            .flatten()
            .collect();
        let alone = unbound_ownership
            .iter()
            .filter(|(_, a)| *a == account)
            .count()
            == 1;
        let bind = match candidates.as_slice() {
            [bucket] if alone => Bind {
                file: path_of(file),
                field: "bucket",
                value: Some((*bucket).clone()),
                comment: format!("the artifact bucket of a pipeline in {}", name_of(account)),
                example: String::new(),
            },
            _ => Bind {
                file: path_of(file),
                field: "bucket",
                value: None,
                comment: "which bucket's ownership controls are these?".to_string(),
                example: candidates
                    .first()
                    .map_or_else(|| "BUCKET-NAME".to_string(), |b| (*b).clone()),
            },
        };
        binds.push(bind);
    }
    binds.sort_by(|a, b| a.file.cmp(&b.file));

    let mut stacks = Vec::new();
    for file in &run.files {
        if file.outcome != Outcome::Checked(DocumentKind::Template)
            || told.contains(file.source.path())
        {
            continue;
        }
        let account = account_of_path(file.source.path());
        stacks.push(Stack {
            file: portable_path(file.source.path()),
            account: account.map(|id| accounts[&id].clone()),
        });
    }
    Inferred {
        accounts,
        regions,
        binds,
        stacks,
        parameters: Vec::new(),
    }
}

/// A TOML basic string.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML key: bare when it may be.
fn key(text: &str) -> String {
    let bare = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if bare {
        text.to_string()
    } else {
        quoted(text)
    }
}

impl Inferred {
    fn render(&self) -> String {
        let mut out = String::new();
        let w = &mut out;
        let _ = writeln!(
            w,
            "# xacct.toml, written by `xacct init` from the files in this folder: review it.\n\
             # The keys are described in README.md (`xacct.toml`); paths are relative to this file.\n\
             # Commented-out entries are what the files could not tell.\n"
        );
        match self.regions.iter().collect::<Vec<_>>().as_slice() {
            [region] => {
                let _ = writeln!(
                    w,
                    "# The pipeline region for files that do not say (every pipeline ARN here says it).\n\
                     region = {}",
                    quoted(region)
                );
            }
            [] => {
                let _ = writeln!(
                    w,
                    "# The pipeline region for files that do not say (no pipeline ARN here says it).\n\
                     # region = \"us-east-1\""
                );
            }
            several => {
                let _ = writeln!(
                    w,
                    "# The pipeline region for files that do not say: the pipeline ARNs here name several\n\
                     # ({}).\n\
                     # region = {}",
                    several
                        .iter()
                        .map(|r| r.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    quoted(several[0])
                );
            }
        }
        let _ = writeln!(
            w,
            "\n# Which rules to report: codes or prefixes (`XA503`, `XA5`, `ALL`), as ruff selects them;\n\
             # every rule by default, `ignore` wins over `select`, XA001 is always reported.\n\
             # select = [\"ALL\"]\n\
             # extend-select = []\n\
             # ignore = []\n\
             # Files not to lint when walking folders (globs, relative to this file).\n\
             # exclude = []"
        );
        let _ = writeln!(
            w,
            "\n# Names for account IDs, shown after them in messages (from folder names and ARNs)."
        );
        let _ = writeln!(w, "[accounts]");
        if self.accounts.is_empty() {
            let _ = writeln!(w, "# prod = \"222222222222\"");
        }
        let mut by_name: Vec<(&String, &AccountId)> =
            self.accounts.iter().map(|(id, name)| (name, id)).collect();
        by_name.sort();
        for (name, id) in by_name {
            let _ = writeln!(w, "{} = {}", key(name), quoted(id.as_str()));
        }
        if !self.binds.is_empty() {
            let _ = writeln!(w, "\n# What policy files govern, when they cannot say.");
        }
        for bind in &self.binds {
            let _ = writeln!(w, "\n# {}: {}.", bind.file, bind.comment);
            match &bind.value {
                Some(value) => {
                    let _ = writeln!(
                        w,
                        "[[bind]]\nfile = {}\n{} = {}",
                        quoted(&bind.file),
                        bind.field,
                        quoted(value)
                    );
                }
                None => {
                    let _ = writeln!(
                        w,
                        "# [[bind]]\n# file = {}\n# {} = {}",
                        quoted(&bind.file),
                        bind.field,
                        quoted(&bind.example)
                    );
                }
            }
        }
        if !self.stacks.is_empty() {
            let _ = writeln!(
                w,
                "\n# Where templates are deployed. A folder that names an account says so already; these\n\
                 # entries are where to add the stack's `region`, `parameters` and `resources`."
            );
        }
        for stack in &self.stacks {
            match &stack.account {
                Some(account) => {
                    let _ = writeln!(
                        w,
                        "\n[[stack]]\nfile = {}\naccount = {}",
                        quoted(&stack.file),
                        quoted(account)
                    );
                }
                None => {
                    let _ = writeln!(
                        w,
                        "\n# {}: which account is it deployed to?\n# [[stack]]\n# file = {}\n# account = \"ACCOUNT\"",
                        stack.file,
                        quoted(&stack.file)
                    );
                }
            }
        }
        let _ = writeln!(
            w,
            "\n# Template parameter values, for every template (those without a default here)."
        );
        if self.parameters.is_empty() {
            let _ = writeln!(w, "# [parameters]\n# Env = \"prod\"");
        } else {
            let _ = writeln!(w, "[parameters]");
        }
        for (name, value, account) in &self.parameters {
            match value {
                Some(id) => {
                    let _ = writeln!(w, "{} = {}", key(name), quoted(id.as_str()));
                }
                None if *account => {
                    let _ = writeln!(w, "# {} = \"ACCOUNT\"", key(name));
                }
                None => {
                    let _ = writeln!(w, "# {} = \"VALUE\"", key(name));
                }
            }
        }
        let _ = writeln!(
            w,
            "\n# Severities by code or prefix (the most specific wins): error, warning or info.\n\
             # [severity]\n\
             # XA503 = \"error\"\n\
             \n# Rules not to report in some files (globs relative to this file; `!` negates).\n\
             # [per-file-ignores]\n\
             # \"legacy/**\" = [\"XA9\"]"
        );
        out
    }

    fn summary(&self, files: usize) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let settled = self.binds.iter().filter(|b| b.value.is_some()).count();
        let stacks = self.stacks.iter().filter(|s| s.account.is_some()).count();
        let open = self.binds.len() - settled + self.stacks.len() - stacks;
        let region = match self.regions.len() {
            1 => format!("region {}", self.regions.iter().next().map_or("", |r| r)),
            _ => "no region".to_string(),
        };
        let mut line = format!(
            "wrote {FILE_NAME} from {}: {}, {region}, {}, {}",
            plural(files, "file"),
            plural(self.accounts.len(), "account"),
            plural(settled, "binding"),
            plural(stacks, "stack"),
        );
        match open {
            0 => {}
            1 => line.push_str("; 1 entry to complete (commented out)"),
            n => {
                let _ = write!(line, "; {n} entries to complete (commented out)");
            }
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_name_accounts() {
        let id = |s| AccountId::parse(s).unwrap();
        assert_eq!(
            folder_account("prod-222222222222"),
            Some((id("222222222222"), Some("prod".to_string())))
        );
        assert_eq!(
            folder_account("eu-prod-222222222222"),
            Some((id("222222222222"), Some("eu-prod".to_string())))
        );
        assert_eq!(
            folder_account("222222222222"),
            Some((id("222222222222"), None))
        );
        assert_eq!(folder_account("prod"), None);
        assert_eq!(folder_account("prod-2222"), None);
    }

    #[test]
    fn keys_are_bare_when_they_may_be() {
        assert_eq!(key("prod"), "prod");
        assert_eq!(key("eu prod"), "\"eu prod\"");
        assert_eq!(quoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }
}
