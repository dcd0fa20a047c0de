//! What a Terraform configuration or plan declares of an ECS deploy action's reach, into the
//! model's ECS services and task definitions (`xacct_model::ecs`), as `aws ecs
//! describe-services` and `describe-task-definition` output and `AWS::ECS::Service` give them:
//! `aws_ecs_service` (`name`, `cluster`, `task_definition`) and `aws_ecs_task_definition`
//! (`family`, `task_role_arn`, `execution_role_arn`), each in its provider's account and region.
//!
//! A task definition's ARN holds its revision, which is known only once applied: it is the
//! placeholder `${ADDRESS.revision}`, the same wherever the configuration refers to `.arn`. A
//! service names its definition by that ARN, by the ARN without revision or by family (ECS
//! takes "the family and revision (`family:revision`) or full ARN of the task definition",
//! without revision the latest one, which the configuration's is once applied): once every
//! resource is in, [`link`] replaces those by the ARN of the one definition of that family
//! through the same provider configuration.

use xacct_model::ecs::{cluster_name, EcsService, ServiceTaskDefinition, TaskDefinition};
use xacct_model::pipeline::Spanned;

use super::eval::Provider;
use super::resources::{entry, Output, Resource};
use super::value::{At, Val};

/// The resource types read here.
pub const KINDS: &[&str] = &["aws_ecs_service", "aws_ecs_task_definition"];

/// A task definition of the run, for [`link`]: its provider configuration's scope, family and
/// ARN.
#[derive(Clone, Debug)]
pub struct Family {
    scope: u64,
    family: String,
    arn: String,
}

/// A service of the run whose task definition [`link`] may resolve: its scope, file and index
/// among that file's services.
#[derive(Clone, Copy, Debug)]
pub struct Pending {
    scope: u64,
    file: u32,
    index: usize,
}

/// The attributes Terraform computes that xacct computes too: a task definition's ARN (its
/// revision a placeholder) and family, a cluster's and a service's ARN and name. `arg` gives an argument's
/// text.
pub fn computed(
    kind: &str,
    attr: &str,
    address: &str,
    arg: &dyn Fn(&str) -> Option<String>,
    ecs_arn: &dyn Fn(&str) -> String,
    at: At,
) -> Option<Val> {
    let unknown = || Val::unknown(at, format!("{address}.{attr}"));
    Some(match (kind, attr) {
        ("aws_ecs_task_definition", "arn" | "arn_without_revision") => {
            let Some(family) = arg("family") else {
                return Some(unknown());
            };
            let revision = xacct_model::symbol::placeholder(&format!("{address}.revision"));
            Val::str(
                at,
                match attr {
                    "arn" => ecs_arn(&format!("task-definition/{family}:{revision}")),
                    _ => ecs_arn(&format!("task-definition/{family}")),
                },
            )
        }
        ("aws_ecs_task_definition", "family") => {
            arg("family").map_or_else(unknown, |f| Val::str(at, f))
        }
        // The provider's `id` of a cluster is its ARN.
        ("aws_ecs_cluster", "arn" | "id") => match arg("name") {
            Some(name) => Val::str(at, ecs_arn(&format!("cluster/{name}"))),
            None => unknown(),
        },
        ("aws_ecs_cluster", "name") => arg("name").map_or_else(unknown, |n| Val::str(at, n)),
        // The provider's `id` of a service is its ARN (`service/CLUSTER/NAME`; without
        // `cluster`, the account's `default` one).
        ("aws_ecs_service", "arn" | "id") => {
            let Some(name) = arg("name") else {
                return Some(unknown());
            };
            let cluster = arg("cluster").unwrap_or_else(|| "default".to_string());
            Val::str(
                at,
                ecs_arn(&format!("service/{}/{name}", cluster_name(&cluster))),
            )
        }
        ("aws_ecs_service", "name") => arg("name").map_or_else(unknown, |n| Val::str(at, n)),
        _ => return None,
    })
}

/// The text of an argument with its span: its own text when written in the resource's block,
/// else (a reference, `aws_iam_role.task.arn`) the argument that names it. A value known only
/// once applied is absent.
fn spanned(r: &Resource<'_>, key: &str) -> Option<Spanned<String>> {
    let (key_at, value) = entry(&r.values, key)?;
    let text = value.text()?.into_owned();
    if xacct_model::symbol::contains_placeholder(&text) {
        return None;
    }
    Some(Spanned::new(text, super::compute::site(r, key_at, value)))
}

/// The documents of one ECS resource.
pub fn emit(out: &mut Output, r: &Resource<'_>) {
    let file = r.at.file;
    match r.kind {
        "aws_ecs_task_definition" => {
            let Some(arn) = (r.attr)("arn").text().map(|t| t.into_owned()) else {
                return;
            };
            if let Some(family) = spanned(r, "family") {
                out.ecs_families.push(Family {
                    scope: r.scope,
                    family: family.value,
                    arn: arn.clone(),
                });
            }
            out.of(file).task_definitions.push(TaskDefinition {
                arn: Some(arn),
                task_role: spanned(r, "task_role_arn"),
                execution_role: spanned(r, "execution_role_arn"),
            });
        }
        "aws_ecs_service" => {
            // A name or cluster known only once applied: which service the action names is
            // unknown, so the service is left out.
            let Some(name) = spanned(r, "name") else {
                return;
            };
            let cluster = match entry(&r.values, "cluster") {
                // The provider's default: the account's `default` cluster.
                None => "default".to_string(),
                Some(_) => match spanned(r, "cluster") {
                    Some(cluster) => cluster_name(&cluster.value).to_string(),
                    None => return,
                },
            };
            // A service deployed by CodeDeploy or an external controller may name none.
            let Some(definition) = entry(&r.values, "task_definition")
                .and_then(|(_, v)| v.text().map(|t| t.into_owned()))
            else {
                return;
            };
            let contents = out.of(file);
            contents.ecs_services.push(EcsService {
                cluster,
                name,
                account: r.provider.account,
                region: r.provider.region.clone(),
                task_definition: ServiceTaskDefinition::Arn(definition),
            });
            let index = contents.ecs_services.len() - 1;
            out.ecs_pending.push(Pending {
                scope: r.scope,
                file,
                index,
            });
        }
        _ => {}
    }
}

/// Once every resource is in: a service that names its task definition by family, by
/// `family:revision` with the revision the configuration's, or by ARN without revision, names
/// the ARN of the one definition of that family through the same provider configuration.
/// Anything else (an ARN, a definition elsewhere, two of a family) is left as written.
pub fn link(out: &mut Output) {
    let families = std::mem::take(&mut out.ecs_families);
    for pending in std::mem::take(&mut out.ecs_pending) {
        let Some(service) = out
            .files
            .get_mut(&pending.file)
            .and_then(|c| c.ecs_services.get_mut(pending.index))
        else {
            continue;
        };
        let ServiceTaskDefinition::Arn(written) = &service.task_definition else {
            continue;
        };
        let names = |f: &Family| {
            let without_revision = f.arn.rsplit_once(':').map_or("", |(a, _)| a);
            let family_revision = f.arn.split_once("task-definition/").map_or("", |(_, t)| t);
            *written == f.family || *written == without_revision || *written == family_revision
        };
        let mut fits = families
            .iter()
            .filter(|f| f.scope == pending.scope && names(f));
        if let (Some(found), None) = (fits.next(), fits.next()) {
            service.task_definition = ServiceTaskDefinition::Arn(found.arn.clone());
        }
    }
}

/// `arn:PARTITION:ecs:REGION:ACCOUNT:RESOURCE` through `provider`.
pub fn ecs_arn(provider: &Provider, resource: &str) -> String {
    super::resources::service_arn(provider, "ecs", resource)
}
