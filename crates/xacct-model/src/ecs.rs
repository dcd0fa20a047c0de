//! What an ECS deploy action reaches: the service its `ClusterName` and `ServiceName` name, and
//! the service's task definition with the roles it passes to its tasks.
//!
//! The ECS deploy action registers a new revision of the service's task definition (the image
//! replaced), so its role passes that definition's task role and execution role to ECS: the
//! service role permissions of the CodePipeline user guide, "You must also add the
//! `iam:PassRole` permissions to use IAM roles for tasks". Read from `aws ecs describe-services`
//! and `aws ecs describe-task-definition` output and from `AWS::ECS::Service` and
//! `AWS::ECS::TaskDefinition` resources; nothing here reads files.

use xacct_syntax::FileId;

use crate::arn::{AccountId, Arn};
use crate::pipeline::Spanned;

/// The roles a task definition names.
#[derive(Clone, Debug, Default)]
pub struct TaskDefinition {
    /// Its ARN with revision, as `describe-task-definition` prints it; `None` for a template's
    /// definition, which its service in the same template names directly.
    pub arn: Option<String>,
    /// `taskRoleArn` (`TaskRoleArn`): the role the containers run as.
    pub task_role: Option<Spanned<String>>,
    /// `executionRoleArn` (`ExecutionRoleArn`): the role ECS pulls images and writes logs with.
    pub execution_role: Option<Spanned<String>>,
}

impl TaskDefinition {
    /// The roles it names, task role first.
    pub fn roles(&self) -> impl Iterator<Item = &Spanned<String>> {
        self.task_role.iter().chain(self.execution_role.iter())
    }
}

/// Which task definition a service runs.
#[derive(Clone, Debug)]
pub enum ServiceTaskDefinition {
    /// By ARN (`describe-services`): found among the run's task definitions.
    Arn(String),
    /// Declared beside the service (a template's `TaskDefinition: !Ref Resource`).
    Declared(TaskDefinition),
}

/// An ECS service and the task definition it runs.
#[derive(Clone, Debug)]
pub struct EcsService {
    /// The cluster's name.
    pub cluster: String,
    /// The service's name, where it is written.
    pub name: Spanned<String>,
    /// Its account, when the input says (the service ARN; else the file's account).
    pub account: Option<AccountId>,
    /// Its region, when the input says.
    pub region: Option<String>,
    /// Its task definition.
    pub task_definition: ServiceTaskDefinition,
}

/// The ECS services and task definitions of a run, each with its file.
#[derive(Clone, Debug, Default)]
pub struct Ecs {
    /// Services.
    pub services: Vec<(FileId, EcsService)>,
    /// Task definitions read by ARN.
    pub task_definitions: Vec<(FileId, TaskDefinition)>,
}

/// One role a service's tasks are given, as its task definition names it.
#[derive(Clone, Copy, Debug)]
pub struct TaskRole<'a> {
    /// The file that names it.
    pub file: FileId,
    /// The role's ARN (or name) as written, with its span.
    pub role: &'a Spanned<String>,
}

/// The cluster name of a cluster given by name or ARN (`arn:…:cluster/NAME`).
pub fn cluster_name(text: &str) -> &str {
    match Arn::parse(text) {
        Ok(arn) => arn
            .resource
            .strip_prefix("cluster/")
            .unwrap_or(arn.resource),
        Err(_) => text,
    }
}

impl Ecs {
    /// True when the run holds no service and no task definition.
    pub fn is_empty(&self) -> bool {
        self.services.is_empty() && self.task_definitions.is_empty()
    }

    /// True when `file` declares a service or a task definition.
    pub fn mentions_file(&self, file: FileId) -> bool {
        self.services.iter().any(|(f, _)| *f == file)
            || self.task_definitions.iter().any(|(f, _)| *f == file)
    }

    /// Adds another file's services and task definitions.
    pub fn extend(&mut self, other: Ecs) {
        self.services.extend(other.services);
        self.task_definitions.extend(other.task_definitions);
    }

    /// The roles the task definition of service `service` of `cluster` in `account` (and
    /// `region`, when both are known) names. `None` when the inputs hold no such service, more
    /// than one that fits, or not its task definition: unknown, never guessed.
    pub fn task_roles(
        &self,
        cluster: &str,
        service: &str,
        account: AccountId,
        region: Option<&str>,
    ) -> Option<Vec<TaskRole<'_>>> {
        let mut fits = self.services.iter().filter(|(_, s)| {
            s.cluster == cluster
                && s.name.value == service
                && s.account == Some(account)
                && match (region, s.region.as_deref()) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                }
        });
        let (file, first) = fits.next()?;
        if fits.next().is_some() {
            return None;
        }
        let (file, definition) = match &first.task_definition {
            ServiceTaskDefinition::Declared(definition) => (*file, definition),
            ServiceTaskDefinition::Arn(arn) => {
                let mut found = self
                    .task_definitions
                    .iter()
                    .filter(|(_, d)| d.arn.as_deref() == Some(arn.as_str()));
                let (file, definition) = found.next()?;
                // Two definitions of one ARN (two configurations that declare the same
                // family, whose revisions are known only once applied): which one is unknown.
                if found.next().is_some() {
                    return None;
                }
                (*file, definition)
            }
        };
        Some(
            definition
                .roles()
                .map(|role| TaskRole { file, role })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xacct_syntax::Span;

    fn spanned(text: &str) -> Spanned<String> {
        Spanned::new(text.to_string(), Span::new(0, 1))
    }

    #[test]
    fn a_service_leads_to_its_task_definitions_roles() {
        let account = AccountId::parse("222222222222").unwrap();
        let arn = "arn:aws:ecs:us-east-2:222222222222:task-definition/web:7";
        let ecs = Ecs {
            services: vec![(
                FileId(0),
                EcsService {
                    cluster: cluster_name("arn:aws:ecs:us-east-2:222222222222:cluster/web")
                        .to_string(),
                    name: spanned("api"),
                    account: Some(account),
                    region: Some("us-east-2".into()),
                    task_definition: ServiceTaskDefinition::Arn(arn.into()),
                },
            )],
            task_definitions: vec![(
                FileId(1),
                TaskDefinition {
                    arn: Some(arn.into()),
                    task_role: Some(spanned("arn:aws:iam::222222222222:role/task")),
                    execution_role: Some(spanned("arn:aws:iam::222222222222:role/exec")),
                },
            )],
        };
        let roles = ecs
            .task_roles("web", "api", account, Some("us-east-2"))
            .unwrap();
        let names: Vec<_> = roles.iter().map(|r| r.role.value.as_str()).collect();
        assert_eq!(
            names,
            [
                "arn:aws:iam::222222222222:role/task",
                "arn:aws:iam::222222222222:role/exec"
            ]
        );
        assert_eq!(roles[0].file, FileId(1));
        // Another region, another service, or a definition not in the inputs: unknown.
        assert!(ecs
            .task_roles("web", "api", account, Some("eu-west-1"))
            .is_none());
        assert!(ecs.task_roles("web", "other", account, None).is_none());
        let without = Ecs {
            task_definitions: Vec::new(),
            ..ecs.clone()
        };
        assert!(without.task_roles("web", "api", account, None).is_none());
    }
}
