//! What the config near each file says of it, and where templates are deployed: `[[stack]]`
//! entries, the manifests of CDK cloud assemblies (`cdk.out/manifest.json`) among the files to
//! lint, and what templates tell each other (exports and imports, nested stacks). The config
//! wins over a manifest and a parent stack (it is the user's explicit word); the loader falls
//! back to the folder convention.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use xacct_input::cdk::read_assemblies;
use xacct_input::{FileSettings, Gate, StackFacts};

use crate::config::ConfigSet;
use crate::discover::Candidate;
use crate::paths::normalize;

/// The settings of every file among `files`, keyed by the files' own paths. Templates a
/// manifest lists that are not among `files` yet (a manifest named on its own) are added.
pub fn settings(
    gate: &Gate,
    files: &mut Vec<Candidate>,
    configs: &ConfigSet,
    region: Option<&str>,
) -> HashMap<PathBuf, FileSettings> {
    terraform_companions(gate, files);
    let from_manifests = manifests(gate, files, configs);
    let mut out = HashMap::with_capacity(files.len());
    let mut told = HashSet::new();
    for candidate in files.iter() {
        let config = configs.of(&candidate.path);
        let from_config = config.and_then(|c| c.stack_of(&candidate.path));
        if from_config.is_some() {
            told.insert(candidate.path.clone());
        }
        let mut stack = from_config
            .or_else(|| {
                // Most runs have no CDK manifest: no path to normalise then.
                (!from_manifests.is_empty())
                    .then(|| from_manifests.get(&normalize(&candidate.path)).cloned())
                    .flatten()
            })
            .unwrap_or_default();
        for (name, value) in config.map(|c| &c.parameters).into_iter().flatten() {
            stack
                .parameters
                .entry(name.clone())
                .or_insert_with(|| value.clone());
        }
        out.insert(
            candidate.path.clone(),
            FileSettings {
                region: config.and_then(|c| c.region.clone()),
                stack,
                limits: config.map(|c| c.limits).unwrap_or_default(),
                terraform: None,
            },
        );
    }
    link_templates(gate, files, &mut out, &told, region);
    link_terraform(files, &mut out, region);
    out
}

/// The other `.tf` and `.tfvars` files of the folder of each Terraform file named on the
/// command line: a folder's files are one module, and a file cannot be read without them.
fn terraform_companions(gate: &Gate, files: &mut Vec<Candidate>) {
    use xacct_input::terraform::is_terraform_path;
    let folders: HashSet<PathBuf> = files
        .iter()
        .filter(|c| c.explicit && c.error.is_none() && is_terraform_path(&c.path))
        .map(|c| match c.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        })
        .collect();
    if folders.is_empty() {
        return;
    }
    let mut known: HashSet<PathBuf> = files.iter().map(|c| normalize(&c.path)).collect();
    let mut folders: Vec<PathBuf> = folders.into_iter().collect();
    folders.sort();
    for folder in folders {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| {
                // Shown as the named file's folder shows it (`main.tf`, not `./main.tf`).
                match folder.as_os_str() == "." {
                    true => PathBuf::from(e.file_name()),
                    false => folder.join(e.file_name()),
                }
            })
            .filter(|p| is_terraform_path(p) && gate.lexically_inside(p))
            .collect();
        found.sort();
        for path in found {
            if known.insert(normalize(&path)) {
                files.push(Candidate {
                    path,
                    explicit: false,
                    error: None,
                    bytes: None,
                    from_stdin: false,
                    canonical: None,
                });
            }
        }
    }
}

/// Evaluates the Terraform configurations among `files` (read already, by
/// [`link_templates`]): every folder of `.tf` files is a module, module blocks are followed
/// among them, and each file is handed what is written in it.
fn link_terraform(
    files: &[Candidate],
    settings: &mut HashMap<PathBuf, FileSettings>,
    region: Option<&str>,
) {
    use xacct_input::terraform::{is_terraform_path, link, settings_of, Source};
    let sources: Vec<Source<'_>> = files
        .iter()
        .filter(|c| is_terraform_path(&c.path))
        .filter_map(|candidate| {
            let text = std::str::from_utf8(candidate.bytes.as_deref()?).ok()?;
            let options = xacct_input::Options {
                region: region.map(str::to_string),
                files: HashMap::new(),
            };
            let mut view = options.file(&candidate.path);
            view.settings = settings.get(&candidate.path);
            Some(Source {
                path: &candidate.path,
                text,
                settings: settings_of(&candidate.path, &view),
            })
        })
        .collect();
    if sources.is_empty() {
        return;
    }
    for (path, contents) in link(&sources) {
        if let Some(file) = settings.get_mut(&path) {
            file.terraform = Some(contents);
        }
    }
}

/// Reads the files (each once: their bytes go on to the lint), and links the templates among
/// them: every template learns what the others export, a nested template where and with which
/// parameters its parent deploys it (unless the config says), a parent what its children
/// output.
fn link_templates(
    gate: &Gate,
    files: &mut [Candidate],
    settings: &mut HashMap<PathBuf, FileSettings>,
    told: &HashSet<PathBuf>,
    region: Option<&str>,
) {
    use rayon::prelude::*;
    use xacct_input::cfn::stacks::{link, may_link, TemplateSource};
    files.par_iter_mut().for_each(|candidate| {
        if candidate.error.is_some() || candidate.bytes.is_some() {
            return;
        }
        let limit = settings.get(&candidate.path).map_or_else(
            || xacct_input::Limits::default().file_size,
            |s| s.limits.file_size,
        );
        let read = gate.read_resolved(&candidate.path, candidate.canonical.as_deref(), limit);
        // A file that cannot be read is read again by the lint, which reports why.
        candidate.bytes = read.ok();
    });
    // Every text is searched for what links templates: on all threads (an organisation's
    // run reads a hundred megabytes, and most of it links nothing).
    let sources: Vec<TemplateSource<'_>> = files
        .par_iter()
        .filter_map(|candidate| {
            let text = std::str::from_utf8(candidate.bytes.as_deref()?).ok()?;
            if !may_link(text) {
                return None;
            }
            let own = settings.get(&candidate.path);
            let mut facts = own.map(|s| s.stack.clone()).unwrap_or_default();
            if facts.account.is_none() {
                facts.account = xacct_model::workspace::account_of_path(&candidate.path);
            }
            if facts.region.is_none() {
                facts.region = region
                    .map(str::to_string)
                    .or_else(|| own.and_then(|s| s.region.clone()));
            }
            Some(TemplateSource {
                path: &candidate.path,
                text,
                facts,
                limits: own.map(|s| s.limits).unwrap_or_default(),
            })
        })
        .collect();
    if sources.is_empty() {
        return;
    }
    let linked = link(&sources);
    if !linked.exports.is_empty() {
        let exports = std::sync::Arc::new(linked.exports);
        for file in settings.values_mut() {
            file.stack.exports = exports.clone();
        }
    }
    for candidate in files.iter() {
        let key = xacct_input::gate::lexical(&candidate.path);
        let Some(file) = settings.get_mut(&candidate.path) else {
            continue;
        };
        if let Some(nested) = linked.nested.get(&key) {
            if !told.contains(&candidate.path) {
                file.stack.account = nested.account.or(file.stack.account);
                file.stack.region = nested.region.clone().or(file.stack.region.take());
                // What the parent passes wins over `[parameters]`, the defaults of the run.
                file.stack.parameters.extend(
                    nested
                        .parameters
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone())),
                );
            }
        }
        if let Some(outputs) = linked.nested_outputs.get(&key) {
            file.stack.nested_outputs = outputs.clone();
        }
    }
}

/// The stacks CDK manifests among `files` describe, by template path; the templates they name
/// that are not among `files` yet are added (in one pass: a set of the paths, not a scan per
/// stack).
fn manifests(
    gate: &Gate,
    files: &mut Vec<Candidate>,
    configs: &ConfigSet,
) -> HashMap<PathBuf, StackFacts> {
    let manifests: Vec<PathBuf> = files
        .iter()
        .filter(|c| c.error.is_none() && c.path.file_name().is_some_and(|n| n == "manifest.json"))
        .map(|c| c.path.clone())
        .collect();
    if manifests.is_empty() {
        return HashMap::new();
    }
    let limits = manifests
        .first()
        .and_then(|m| configs.of(m))
        .map(|c| c.limits)
        .unwrap_or_default();
    let mut known: HashSet<PathBuf> = files.iter().map(|c| normalize(&c.path)).collect();
    let mut from_manifests = HashMap::new();
    let mut assemblies = read_assemblies(gate, manifests, &limits);
    // A manifest among the files is linted from the bytes read here: each file is read once.
    for candidate in files.iter_mut() {
        if candidate
            .path
            .file_name()
            .is_some_and(|n| n == "manifest.json")
        {
            if let Ok(canonical) = gate.admit(&candidate.path) {
                candidate.bytes = assemblies.read.remove(&canonical);
            }
        }
    }
    for stack in assemblies.stacks {
        let template = normalize(&stack.template);
        // A template outside the lint roots is listed, to be reported as not read; one inside
        // that does not exist (a partly committed `cdk.out`) is left out, as before.
        let listed = !gate.lexically_inside(&stack.template)
            || std::fs::symlink_metadata(&stack.template).is_ok();
        if listed && known.insert(template.clone()) {
            files.push(Candidate {
                path: stack.template,
                explicit: false,
                error: None,
                bytes: None,
                from_stdin: false,
                canonical: None,
            });
        }
        from_manifests.insert(template, stack.facts);
    }
    from_manifests
}
