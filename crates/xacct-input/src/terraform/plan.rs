//! `terraform show -json` output: a plan (`planned_values`, with `resource_changes` saying
//! what is known only once applied) or a state (`values`). Its values are evaluated already;
//! they go through the same resource code as a configuration's. Policies in it are JSON
//! strings: parsed in place, so a finding points at the character inside the string.
//!
//! Accounts: a resource is created through the provider configuration its
//! `provider_config_key` names (`configuration`, passed modules already followed); that
//! configuration's account is the one a constant `assume_role` role ARN or a single
//! `allowed_account_ids` names, else the one the ARNs of the resources it creates share, else
//! the config's or the folder's.

use std::collections::HashMap;

use xacct_model::arn::{AccountId, Arn};
use xacct_syntax::json::{Node, Value};
use xacct_syntax::{FileId, Span};

use super::eval::Provider;
use super::resources::{self, Managed, Output, Resource};
use super::value::{from_node, At, Val, V};
use crate::{FileView, Input, Issue, IssueKind};

/// True when a parsed JSON file is `terraform show -json` output.
pub fn is_plan(root: &Node<'_>) -> bool {
    root.get("format_version").is_some()
        && (root.get("planned_values").is_some()
            || (root.get("values").is_some() && root.get("terraform_version").is_some()))
}

/// A resource of the plan's values.
struct Planned<'n> {
    address: String,
    kind: String,
    at: Span,
    values: Option<&'n Node<'n>>,
}

/// Every managed resource of a module of the values and its descendants.
fn collect<'n>(module: &'n Node<'n>, out: &mut Vec<Planned<'n>>, depth: usize) {
    if depth > 64 {
        return;
    }
    for resource in module
        .get("resources")
        .and_then(Node::as_array)
        .unwrap_or_default()
    {
        if resource.get("mode").and_then(Node::as_str) != Some("managed") {
            continue;
        }
        let (Some(address), Some(kind)) = (
            resource.get("address"),
            resource.get("type").and_then(Node::as_str),
        ) else {
            continue;
        };
        let Some(address_text) = address.as_str() else {
            continue;
        };
        out.push(Planned {
            address: address_text.to_string(),
            kind: kind.to_string(),
            at: address.span,
            values: resource.get("values"),
        });
    }
    for child in module
        .get("child_modules")
        .and_then(Node::as_array)
        .unwrap_or_default()
    {
        collect(child, out, depth + 1);
    }
}

/// `module.a["x"].module.b[0].aws_iam_role.r[1]` without instance keys:
/// `module.a.module.b.aws_iam_role.r`.
fn without_keys(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0usize;
    let mut quoted = false;
    for c in address.chars() {
        match c {
            '"' if depth > 0 => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The provider configuration key of each resource of the configuration, by address without
/// instance keys.
fn provider_keys(module: &Node<'_>, prefix: &str, out: &mut HashMap<String, String>, depth: usize) {
    if depth > 64 {
        return;
    }
    for resource in module
        .get("resources")
        .and_then(Node::as_array)
        .unwrap_or_default()
    {
        if let (Some(address), Some(key)) = (
            resource.get("address").and_then(Node::as_str),
            resource.get("provider_config_key").and_then(Node::as_str),
        ) {
            let address = address.strip_prefix(prefix).unwrap_or(address);
            out.insert(format!("{prefix}{address}"), key.to_string());
        }
    }
    for call in module
        .get("module_calls")
        .and_then(Node::as_object)
        .unwrap_or_default()
    {
        if let Some(child) = call.value.get("module") {
            provider_keys(
                child,
                &format!("{prefix}module.{}.", call.key),
                out,
                depth + 1,
            );
        }
    }
}

/// The constant value of an expression of the configuration.
fn constant<'n>(expressions: &'n Node<'n>, key: &str) -> Option<&'n Node<'n>> {
    expressions.get(key)?.get("constant_value")
}

/// The account and region a provider configuration's constant arguments name.
fn provider_facts(config: &Node<'_>) -> (Option<AccountId>, Option<String>) {
    let Some(expressions) = config.get("expressions") else {
        return (None, None);
    };
    let role_account = expressions
        .get("assume_role")
        .and_then(|a| match &a.value {
            Value::Array(items) => items.first(),
            _ => Some(a),
        })
        .and_then(|block| constant(block, "role_arn"))
        .and_then(Node::as_str)
        .and_then(|arn| Arn::parse(arn).ok()?.account_id());
    let allowed = constant(expressions, "allowed_account_ids")
        .and_then(Node::as_array)
        .and_then(|ids| match ids {
            [one] => AccountId::parse(one.as_str()?),
            _ => None,
        });
    let region = constant(expressions, "region")
        .and_then(Node::as_str)
        .map(str::to_string);
    (role_account.or(allowed), region)
}

/// Sets what `after_unknown` marks as known only once applied to placeholders.
fn fill_unknown(value: &mut Val, unknown: &Node<'_>, name: &str, depth: usize) {
    if depth > 64 {
        return;
    }
    match &unknown.value {
        Value::Bool(true) if !matches!(value.v, V::Map(_) | V::List(_)) => {
            value.v = V::Unknown(name.to_string());
        }
        Value::Object(members) => {
            if !matches!(value.v, V::Map(_)) {
                value.v = V::Map(Vec::new());
            }
            let at = value.at;
            let V::Map(entries) = &mut value.v else {
                return;
            };
            for m in members {
                let child_name = format!("{name}.{}", m.key);
                match entries.iter_mut().find(|(k, _, _)| *k == m.key) {
                    Some((_, _, child)) => fill_unknown(child, &m.value, &child_name, depth + 1),
                    None => {
                        let mut child = Val::new(at, V::Null);
                        fill_unknown(&mut child, &m.value, &child_name, depth + 1);
                        if !child.is_null() {
                            entries.push((m.key.to_string(), at, child));
                        }
                    }
                }
            }
        }
        Value::Array(items) => {
            let V::List(list) = &mut value.v else {
                return;
            };
            for (i, (child, item)) in list.iter_mut().zip(items).enumerate() {
                fill_unknown(child, item, &format!("{name}[{i}]"), depth + 1);
            }
        }
        _ => {}
    }
}

/// The account an ARN attribute of a resource names, and its region.
fn arn_facts(values: &Val) -> Option<(AccountId, Option<String>)> {
    let arn = values.get("arn")?.known_str()?;
    let parsed = Arn::parse(arn).ok()?;
    let account = parsed.account_id()?;
    let region = (!parsed.region.is_empty()).then(|| parsed.region.to_string());
    Some((account, region))
}

/// Loads a plan or state into `input`.
pub fn load(file: FileId, root: &Node<'_>, text: &str, view: &FileView<'_>, input: &mut Input) {
    input.outcome = crate::Outcome::Checked(crate::DocumentKind::TerraformPlan);
    if let Some(version) = root.get("format_version") {
        let major = version.as_str().and_then(|v| v.split('.').next());
        if !matches!(major, Some("0" | "1")) {
            input.issues.push(
                Issue::new(
                    IssueKind::Shape,
                    version.span,
                    "a `format_version` xacct does not know: Terraform's JSON output changes incompatibly only with a new major version",
                )
                .help("xacct reads format versions 0.x and 1.x of `terraform show -json`"),
            );
            return;
        }
    }
    let Some(values_root) = root
        .get("planned_values")
        .or_else(|| root.get("values"))
        .and_then(|v| v.get("root_module"))
    else {
        return;
    };
    let mut planned = Vec::new();
    collect(values_root, &mut planned, 0);
    let configuration = root.get("configuration");
    let mut keys = HashMap::new();
    if let Some(module) = configuration.and_then(|c| c.get("root_module")) {
        provider_keys(module, "", &mut keys, 0);
    }
    let mut unknowns: HashMap<&str, &Node<'_>> = HashMap::new();
    for change in root
        .get("resource_changes")
        .and_then(Node::as_array)
        .unwrap_or_default()
    {
        if let (Some(address), Some(after)) = (
            change.get("address").and_then(Node::as_str),
            change.get("change").and_then(|c| c.get("after_unknown")),
        ) {
            unknowns.insert(address, after);
        }
    }
    let settings = super::settings_of(input.path.as_path(), view);
    let resources: Vec<(Planned<'_>, Val, String)> = planned
        .into_iter()
        .map(|p| {
            let mut values = match p.values {
                Some(node) => from_node(node, 0, Some(text), 0),
                None => Val::new(
                    At {
                        file: 0,
                        span: p.at,
                    },
                    V::Map(Vec::new()),
                ),
            };
            if let Some(unknown) = unknowns.get(p.address.as_str()) {
                fill_unknown(&mut values, unknown, &p.address, 0);
            }
            let key = keys
                .get(&without_keys(&p.address))
                .cloned()
                .unwrap_or_else(|| p.kind.split('_').next().unwrap_or("aws").to_string());
            (p, values, key)
        })
        .collect();
    // Each provider configuration's account and region: its constant arguments, else what
    // the ARNs of the resources it creates agree on.
    let mut providers: HashMap<String, Provider> = HashMap::new();
    for (_, values, key) in &resources {
        let provider = providers.entry(key.clone()).or_insert_with(|| {
            let config = configuration
                .and_then(|c| c.get("provider_config"))
                .and_then(|p| p.get(key));
            let (account, region) = config.map(provider_facts).unwrap_or_default();
            // A plan's `tags_all` holds the default tags already.
            Provider {
                account,
                region,
                name: key.clone(),
                default_tags: None,
            }
        });
        let _ = values;
        let _ = provider;
    }
    let mut inferred: HashMap<String, (Option<AccountId>, Option<String>, bool)> = HashMap::new();
    for (_, values, key) in &resources {
        if let Some((account, region)) = arn_facts(values) {
            let slot = inferred
                .entry(key.clone())
                .or_insert((Some(account), None, true));
            if slot.0 != Some(account) {
                slot.2 = false;
            }
            if slot.1.is_none() {
                slot.1 = region;
            }
        }
    }
    for (key, provider) in providers.iter_mut() {
        let inferred = inferred.get(key).filter(|(_, _, agree)| *agree);
        if provider.account.is_none() {
            provider.account = inferred.and_then(|(a, _, _)| *a).or(settings.account);
        }
        if provider.region.is_none() {
            provider.region = inferred
                .and_then(|(_, r, _)| r.clone())
                .or_else(|| settings.region.clone());
        }
    }
    let mut managed: Managed = HashMap::new();
    for (p, values, _) in &resources {
        if p.kind != "aws_iam_policy" {
            continue;
        }
        if let (Some(arn), Some(policy)) =
            (values.get("arn").and_then(Val::text), values.get("policy"))
        {
            let name = values
                .get("name")
                .and_then(Val::known_str)
                .map_or_else(|| p.address.clone(), str::to_string);
            managed.insert(arn.into_owned(), (policy.clone(), name));
        }
    }
    let mut output = Output::default();
    for (p, values, key) in &resources {
        if !resources::EMITTING.contains(&p.kind.as_str()) {
            continue;
        }
        let at = At {
            file: 0,
            span: p.at,
        };
        let address = p.address.clone();
        let attr = |name: &str| match values.get(name) {
            Some(v) if !v.is_null() => v.clone(),
            _ => Val::unknown(at, format!("{address}.{name}")),
        };
        let resource = Resource {
            kind: &p.kind,
            address: p.address.clone(),
            at,
            values: values.clone(),
            provider: providers.get(key).cloned().unwrap_or_default(),
            // A plan is one configuration: its provider configurations are its own.
            scope: super::scope_of(&[b"plan", &file.0.to_le_bytes(), key.as_bytes()]),
            attr: &attr,
        };
        resources::emit(&mut output, &[], &resource, &managed);
    }
    output.finish();
    let contents = output.files.remove(&0).unwrap_or_default();
    input.issues.extend(contents.issues.iter().cloned());
    let fallback_region = view.default_region();
    super::add_documents(file, &contents, fallback_region.as_deref(), input);
    let _ = Span::empty(0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_without_instance_keys() {
        assert_eq!(
            without_keys("module.a[\"x]\"].module.b[0].aws_iam_role.r[1]"),
            "module.a.module.b.aws_iam_role.r"
        );
    }
}
