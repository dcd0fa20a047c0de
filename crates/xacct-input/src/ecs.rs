//! `aws ecs describe-services` output (each service's cluster, name, account, region and task
//! definition ARN) and `aws ecs describe-task-definition` output (the definition's ARN, task
//! role and execution role): what an ECS deploy action's role passes to ECS.

use xacct_model::ecs::{cluster_name, EcsService, ServiceTaskDefinition, TaskDefinition};
use xacct_model::pipeline::Spanned;
use xacct_model::Arn;
use xacct_syntax::json::Node;

use crate::issue::{Issue, IssueKind};

const SERVICES: &str = "aws ecs describe-services";
const TASK_DEFINITION: &str = "aws ecs describe-task-definition";

/// True for `{"services": [{"serviceArn": "arn:aws:ecs:…"}, …]}`.
pub fn is_services(root: &Node) -> bool {
    root.get("services")
        .and_then(Node::as_array)
        .is_some_and(|services| {
            services.iter().any(|s| {
                s.get("serviceArn")
                    .and_then(Node::as_str)
                    .is_some_and(|arn| arn.starts_with("arn:") && arn.contains(":ecs:"))
            })
        })
}

/// True for `{"taskDefinition": {"taskDefinitionArn": …}}`.
pub fn is_task_definition(root: &Node) -> bool {
    root.get("taskDefinition")
        .and_then(|d| d.get("taskDefinitionArn"))
        .is_some()
}

/// A string member, or an issue when it is there with another type.
fn text<'n>(node: &'n Node, key: &str, command: &str, issues: &mut Vec<Issue>) -> Option<&'n str> {
    let value = node.get(key)?;
    let text = value.as_str();
    if text.is_none() {
        issues.push(Issue::new(
            IssueKind::Shape,
            value.span,
            format!("`{key}` of `{command}` output is a string"),
        ));
    }
    text
}

/// Reads the services. One without the ARNs that place it (its own, its cluster's, its task
/// definition's) is left out: what it runs is unknown.
pub fn load_services(root: &Node) -> (Vec<EcsService>, Vec<Issue>) {
    let mut services = Vec::new();
    let mut issues = Vec::new();
    let Some(list) = root.get("services").and_then(Node::as_array) else {
        return (services, issues);
    };
    for node in list {
        let service_arn = text(node, "serviceArn", SERVICES, &mut issues);
        let cluster = text(node, "clusterArn", SERVICES, &mut issues);
        let definition = text(node, "taskDefinition", SERVICES, &mut issues);
        let name = node.get("serviceName").filter(|n| n.as_str().is_some());
        let (Some(service_arn), Some(cluster), Some(definition), Some(name)) =
            (service_arn, cluster, definition, name)
        else {
            continue;
        };
        let Ok(parsed) = Arn::parse(service_arn) else {
            issues.push(Issue::new(
                IssueKind::Shape,
                node.span,
                format!("`{SERVICES}` output: the service ARN does not parse"),
            ));
            continue;
        };
        services.push(EcsService {
            cluster: cluster_name(cluster).to_string(),
            name: Spanned::new(name.as_str().unwrap_or_default().to_string(), name.span),
            account: parsed.account_id(),
            region: Some(parsed.region.to_string()).filter(|r| !r.is_empty()),
            task_definition: ServiceTaskDefinition::Arn(definition.to_string()),
        });
    }
    (services, issues)
}

/// Reads the task definition: its ARN and the roles it names.
pub fn load_task_definition(root: &Node) -> (Option<TaskDefinition>, Vec<Issue>) {
    let mut issues = Vec::new();
    let Some(node) = root.get("taskDefinition") else {
        return (None, issues);
    };
    let Some(arn) = text(node, "taskDefinitionArn", TASK_DEFINITION, &mut issues) else {
        return (None, issues);
    };
    let mut role = |key: &str| {
        let value = node.get(key)?;
        text(node, key, TASK_DEFINITION, &mut issues)
            .map(|role| Spanned::new(role.to_string(), value.span))
    };
    let task_role = role("taskRoleArn");
    let execution_role = role("executionRoleArn");
    (
        Some(TaskDefinition {
            arn: Some(arn.to_string()),
            task_role,
            execution_role,
        }),
        issues,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_services_and_their_task_definition() {
        let text = r#"{"services": [{"serviceArn": "arn:aws:ecs:us-east-2:222222222222:service/web/api", "serviceName": "api", "clusterArn": "arn:aws:ecs:us-east-2:222222222222:cluster/web", "taskDefinition": "arn:aws:ecs:us-east-2:222222222222:task-definition/api:3"}, {"serviceName": "half"}], "failures": []}"#;
        let document = xacct_syntax::json::parse(text).unwrap();
        assert!(is_services(&document.root));
        let (services, issues) = load_services(&document.root);
        assert!(issues.is_empty());
        assert_eq!(services.len(), 1);
        let s = &services[0];
        assert_eq!((s.cluster.as_str(), s.name.value.as_str()), ("web", "api"));
        assert_eq!(s.region.as_deref(), Some("us-east-2"));
        assert!(matches!(&s.task_definition,
            ServiceTaskDefinition::Arn(a) if a == "arn:aws:ecs:us-east-2:222222222222:task-definition/api:3"));
    }

    #[test]
    fn reads_a_task_definitions_roles() {
        let text = r#"{"taskDefinition": {"taskDefinitionArn": "arn:aws:ecs:us-east-2:222222222222:task-definition/api:3", "family": "api", "taskRoleArn": "arn:aws:iam::222222222222:role/api-task", "executionRoleArn": 7}}"#;
        let document = xacct_syntax::json::parse(text).unwrap();
        assert!(is_task_definition(&document.root));
        let (definition, issues) = load_task_definition(&document.root);
        let definition = definition.unwrap();
        assert_eq!(
            definition.task_role.unwrap().value,
            "arn:aws:iam::222222222222:role/api-task"
        );
        // A number where a role ARN belongs: reported, and the role unknown.
        assert!(definition.execution_role.is_none());
        assert_eq!(issues.len(), 1);
    }
}
