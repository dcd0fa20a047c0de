//! Builds one pipeline: first as a small model (so a mistake can be injected where it fits),
//! then as the JSON `get-pipeline` prints.
//!
//! What keeps a generated pipeline clean, rule by rule: artifacts are only produced in the
//! pipeline account and consumed later (XA101, XA201); actions in other accounts produce nothing
//! (XA205 would warn for CodeBuild); approvals run in the pipeline account (XA207); a
//! CloudFormation `RoleArn` is in the account of its action (XA203); every store key is a key ARN
//! of the pipeline account in the store's region (XA3xx); only deploy actions cross regions, and
//! then through `artifactStores` (XA104, XA110); names, namespaces and outputs are unique (XA102,
//! XA107).
//!
//! The pipelines of a corpus share a [`World`]: a pool of accounts, a few of them tooling
//! accounts that host pipelines, and teams. Each team has one tooling account, a favourite
//! region and a Dev, Test, Staging and Prod account among the workload accounts, as real
//! organisations arrange them, so that a team's pipelines share their cross-account roles,
//! artifact buckets and keys (`crate::policies` writes the policies around them).

use std::collections::HashSet;

use crate::emit::{obj, s, to_pretty, J};
use crate::rng::Rng;
use crate::{GeneratedFile, Mistake};

const TEAMS: &[&str] = &[
    "payments",
    "orders",
    "catalog",
    "search",
    "identity",
    "billing",
    "ledger",
    "inventory",
    "shipping",
    "notifications",
    "analytics",
    "checkout",
    "profile",
    "pricing",
    "reviews",
    "media",
    "gateway",
    "reporting",
    "fraud",
    "loyalty",
];
const COMPONENTS: &[&str] = &[
    "api", "service", "worker", "web", "frontend", "backend", "stream", "batch", "etl", "auth",
];
pub(crate) const REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-west-1",
    "eu-west-2",
    "eu-central-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ca-central-1",
    "sa-east-1",
];
const STACKS: &[&str] = &[
    "Network",
    "Database",
    "App",
    "Api",
    "Queues",
    "Monitoring",
    "Frontend",
    "Cdn",
    "Iam",
    "Storage",
    "Cache",
    "Search",
];
const BRANCHES: &[&str] = &["main", "main", "main", "master", "release", "develop"];

/// The default size of the account pool.
pub(crate) const DEFAULT_ACCOUNTS: usize = 50;

/// The pool of account IDs a corpus draws from: `size` distinct 12-digit IDs (the first 50
/// are the same whatever the size).
pub(crate) fn account_pool(seed: u64, size: usize) -> Vec<String> {
    let mut rng = Rng::new(seed ^ 0xACC0_17D5);
    let mut pool: Vec<String> = Vec::with_capacity(size);
    let mut seen: HashSet<String> = HashSet::with_capacity(size);
    while pool.len() < size {
        let id = rng.digits(12);
        if seen.insert(id.clone()) {
            pool.push(id);
        }
    }
    pool
}

/// A team: the pipelines of its applications live in its tooling account and deploy into its
/// environment accounts.
#[derive(Clone, Debug)]
pub(crate) struct Team {
    pub(crate) name: String,
    pub(crate) home: String,
    /// Where most of its pipelines run.
    pub(crate) region: &'static str,
    /// The accounts of Dev, Test, Staging and Prod (two environments may share one).
    pub(crate) envs: [String; 4],
    /// True when its pipelines keep artifacts in the console's default bucket of the tooling
    /// account and region (shared with other teams), false for a bucket of its own per region.
    pub(crate) console_bucket: bool,
}

/// What every pipeline of a corpus shares.
#[derive(Clone, Debug)]
pub(crate) struct World {
    pub(crate) seed: u64,
    /// Every account ID; the first `tooling` host pipelines, the others are workload accounts.
    pub(crate) pool: Vec<String>,
    pub(crate) tooling: usize,
    pub(crate) teams: Vec<Team>,
}

impl World {
    /// The world of `accounts` accounts (at least 2): 6 tooling accounts and 20 teams per 50
    /// accounts.
    pub(crate) fn new(seed: u64, accounts: usize) -> World {
        let accounts = accounts.max(2);
        let pool = account_pool(seed, accounts);
        let tooling = (accounts * 6 / 50).clamp(1, accounts - 1);
        let team_count = (accounts * 2 / 5).max(1);
        let workload = &pool[tooling..];
        let teams = (0..team_count)
            .map(|index| {
                let mut rng = Rng::keyed(seed, &["team", &index.to_string()]);
                let base = TEAMS[index % TEAMS.len()];
                let name = match index / TEAMS.len() {
                    0 => base.to_string(),
                    n => format!("{base}{}", n + 1),
                };
                // Four distinct accounts when the pool has them.
                let mut envs: Vec<String> = Vec::with_capacity(4);
                while envs.len() < 4 {
                    let account = workload[rng.below(workload.len())].clone();
                    if !envs.contains(&account) || envs.len() >= workload.len() {
                        envs.push(account);
                    }
                }
                // Many teams test where they develop; a few stage where they test.
                if rng.chance(35) {
                    envs[1] = envs[0].clone();
                }
                if rng.chance(10) {
                    envs[2] = envs[1].clone();
                }
                let [dev, test, staging, prod]: [String; 4] = envs
                    .try_into()
                    .unwrap_or_else(|_| unreachable!("four accounts"));
                Team {
                    name,
                    home: pool[index % tooling].clone(),
                    region: rng.pick(REGIONS),
                    envs: [dev, test, staging, prod],
                    console_bucket: rng.chance(50),
                }
            })
            .collect();
        World {
            seed,
            pool,
            tooling,
            teams,
        }
    }

    /// The KMS key a team keeps pipeline artifacts of `region` under, in its tooling account.
    pub(crate) fn team_key(&self, team: &Team, region: &str) -> String {
        let mut rng = Rng::keyed(self.seed, &["key", &team.name, region]);
        format!("arn:aws:kms:{region}:{}:key/{}", team.home, uuid(&mut rng))
    }

    /// The artifact bucket a team's pipelines of `region` use.
    pub(crate) fn team_bucket(&self, team: &Team, region: &str, home_region: bool) -> String {
        if team.console_bucket && home_region {
            // The console creates one per account and region, `codepipeline-REGION-` and 12
            // random digits.
            let mut rng = Rng::keyed(self.seed, &["bucket", &team.home, region]);
            format!("codepipeline-{region}-{}", rng.digits(12))
        } else {
            format!("{}-pipeline-artifacts-{region}", team.name)
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Action {
    pub(crate) name: String,
    pub(crate) category: &'static str,
    pub(crate) owner: &'static str,
    pub(crate) provider: &'static str,
    pub(crate) run_order: u64,
    pub(crate) config: Vec<(&'static str, String)>,
    pub(crate) outputs: Vec<String>,
    pub(crate) inputs: Vec<String>,
    pub(crate) role_arn: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) namespace: Option<String>,
}

impl Action {
    fn new(name: String, category: &'static str, provider: &'static str, run_order: u64) -> Action {
        Action {
            name,
            category,
            owner: "AWS",
            provider,
            run_order,
            config: Vec::new(),
            outputs: Vec::new(),
            inputs: Vec::new(),
            role_arn: None,
            region: None,
            namespace: None,
        }
    }

    pub(crate) fn config_value(&self, key: &str) -> Option<&String> {
        self.config.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    fn to_json(&self) -> J {
        let mut config = self.config.clone();
        // `get-pipeline` returns the configuration map with its keys sorted.
        config.sort_by_key(|(k, _)| *k);
        let artifacts =
            |names: &[String]| J::Arr(names.iter().map(|n| obj([("name", s(n))])).collect());
        let mut members = vec![
            ("name".to_string(), s(&self.name)),
            (
                "actionTypeId".to_string(),
                obj([
                    ("category", s(self.category)),
                    ("owner", s(self.owner)),
                    ("provider", s(self.provider)),
                    ("version", s("1")),
                ]),
            ),
            ("runOrder".to_string(), J::Int(self.run_order)),
            (
                "configuration".to_string(),
                J::Obj(
                    config
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), s(v)))
                        .collect(),
                ),
            ),
            ("outputArtifacts".to_string(), artifacts(&self.outputs)),
            ("inputArtifacts".to_string(), artifacts(&self.inputs)),
        ];
        let optional = [
            ("roleArn", &self.role_arn),
            ("region", &self.region),
            ("namespace", &self.namespace),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                members.push((key.to_string(), s(value)));
            }
        }
        J::Obj(members)
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Stage {
    pub(crate) name: String,
    pub(crate) actions: Vec<Action>,
}

#[derive(Clone, Debug)]
pub(crate) struct Store {
    pub(crate) region: String,
    pub(crate) bucket: String,
    pub(crate) key: String,
}

/// The kinds of work a deploy stage does; a pipeline favours one platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Work {
    CfnStack,
    CfnChangeSet,
    CodeDeploy,
    Ecs,
    S3,
    SmokeTest,
    IntegrationTest,
}

/// Everything one pipeline's actions share.
struct Builder<'a> {
    rng: Rng,
    seed: u64,
    team: &'a str,
    app: String,
    region: &'static str,
    home: String,
    second_region: Option<&'static str>,
    /// Whether actions carry `region` (newer pipelines print it on every action).
    action_regions: bool,
    /// `#{SourceVariables.CommitId}` or what the first source exports.
    source_variable: String,
    /// `#{variables.NAME}` of a V2 pipeline variable, when there is one.
    pipeline_variable: Option<String>,
    namespaces: HashSet<String>,
    outputs: HashSet<String>,
    cross_account_role: String,
    cfn_role: String,
    platform: &'static [(Work, u64)],
}

/// Makes `base` unique in `taken` by a numeric suffix, and records it.
fn unique(taken: &mut HashSet<String>, base: &str) -> String {
    let mut name = base.to_string();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base}{n}");
        n += 1;
    }
    taken.insert(name.clone());
    name
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// A random (version 4) UUID, the form of KMS key IDs.
fn uuid(rng: &mut Rng) -> String {
    let variant = rng.pick(&['8', '9', 'a', 'b']);
    format!(
        "{}-{}-4{}-{variant}{}-{}",
        rng.hex(8),
        rng.hex(4),
        rng.hex(3),
        rng.hex(3),
        rng.hex(12)
    )
}

fn timestamp(rng: &mut Rng, year: usize) -> String {
    format!(
        "{year}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}+00:00",
        rng.range(1, 12),
        rng.range(1, 28),
        rng.below(24),
        rng.below(60),
        rng.below(60),
        rng.below(1_000_000)
    )
}

impl Builder<'_> {
    /// The service a deploy action updates, distinct within a stage: the pipeline's own
    /// application first, then sibling components of the same team. Returns the service name
    /// and a suffix for the action name (empty for the application itself).
    fn service(&mut self, taken: &mut HashSet<String>) -> (String, String) {
        if taken.insert(self.app.clone()) {
            return (self.app.clone(), String::new());
        }
        let component = self.rng.pick(COMPONENTS);
        let service = unique(taken, &format!("{}-{component}", self.team));
        let suffix = capitalize(&service[self.team.len() + 1..]);
        (service, suffix)
    }

    fn region_field(&self, region: &str) -> Option<String> {
        (self.action_regions || region != self.region).then(|| region.to_string())
    }

    fn source_stage(&mut self, count: usize) -> (Stage, Vec<String>) {
        let mut names = HashSet::new();
        let mut actions = Vec::new();
        let mut artifacts = Vec::new();
        let first = self.rng.weighted(&[75, 20, 5]);
        let mut extras = vec![0, 1, 2];
        for index in 0..count {
            let kind = if index == 0 {
                first
            } else {
                extras.remove(self.rng.below(extras.len()))
            };
            let (base, output, mut action) = match kind {
                0 => {
                    let (base, output, repository) = if index == 0 {
                        (
                            self.rng
                                .pick(&["Source", "Source", "CodeCommit", "Checkout"]),
                            "SourceArtifact",
                            self.app.clone(),
                        )
                    } else {
                        (
                            "ConfigSource",
                            "ConfigArtifact",
                            format!("{}-config", self.team),
                        )
                    };
                    let mut action = Action::new(String::new(), "Source", "CodeCommit", 1);
                    action.config.push(("RepositoryName", repository));
                    action
                        .config
                        .push(("BranchName", self.rng.pick(BRANCHES).to_string()));
                    action
                        .config
                        .push(("PollForSourceChanges", "false".to_string()));
                    if self.rng.chance(50) {
                        action
                            .config
                            .push(("OutputArtifactFormat", "CODE_ZIP".to_string()));
                    }
                    (base, output, action)
                }
                1 => {
                    let (base, output, key) = if index == 0 {
                        (
                            "Source",
                            "SourceArtifact",
                            format!("{}/source.zip", self.app),
                        )
                    } else {
                        (
                            "Assets",
                            "AssetsArtifact",
                            format!("{}/assets.zip", self.app),
                        )
                    };
                    let mut action = Action::new(String::new(), "Source", "S3", 1);
                    action.config.push((
                        "S3Bucket",
                        format!("{}-pipeline-sources-{}", self.team, self.region),
                    ));
                    action.config.push(("S3ObjectKey", key));
                    action
                        .config
                        .push(("PollForSourceChanges", "false".to_string()));
                    (base, output, action)
                }
                _ => {
                    let (base, output, repository) = if index == 0 {
                        ("Image", "ImageArtifact", self.app.clone())
                    } else {
                        (
                            "BaseImage",
                            "BaseImageArtifact",
                            format!("{}/base", self.team),
                        )
                    };
                    let mut action = Action::new(String::new(), "Source", "ECR", 1);
                    action.config.push(("RepositoryName", repository));
                    action.config.push(("ImageTag", "latest".to_string()));
                    (base, output, action)
                }
            };
            action.name = unique(&mut names, base);
            let output = unique(&mut self.outputs, output);
            action.outputs.push(output.clone());
            action.region = self.region_field(self.region);
            let namespace = if index == 0 {
                "SourceVariables".to_string()
            } else {
                format!("{}Variables", action.name)
            };
            action.namespace = Some(unique(&mut self.namespaces, &namespace));
            if index == 0 {
                let variable = ["CommitId", "VersionId", "ImageDigest"][kind];
                self.source_variable = format!("#{{SourceVariables.{variable}}}");
            }
            artifacts.push(output);
            actions.push(action);
        }
        let name = self.rng.pick(&["Source", "Source", "Sources"]).to_string();
        (Stage { name, actions }, artifacts)
    }

    fn environment_variables(&self, environment: &str) -> String {
        let mut value = format!(
            "[{{\"name\":\"COMMIT_ID\",\"value\":\"{}\",\"type\":\"PLAINTEXT\"}},{{\"name\":\"STAGE\",\"value\":\"{environment}\",\"type\":\"PLAINTEXT\"}}",
            self.source_variable
        );
        if let Some(variable) = &self.pipeline_variable {
            value.push_str(&format!(
                ",{{\"name\":\"TIER\",\"value\":\"{variable}\",\"type\":\"PLAINTEXT\"}}"
            ));
        }
        value.push(']');
        value
    }

    /// The build stage: returns it, the main build output and the artifact holding templates.
    fn build_stage(&mut self, count: usize, sources: &[String]) -> (Stage, String, String) {
        let mut names = HashSet::new();
        let mut actions = Vec::new();
        let mut build = Action::new(unique(&mut names, "Build"), "Build", "CodeBuild", 1);
        build
            .config
            .push(("ProjectName", format!("{}-build", self.app)));
        build
            .config
            .push(("EnvironmentVariables", self.environment_variables("build")));
        if sources.len() > 1 {
            build.config.push(("PrimarySource", sources[0].clone()));
        }
        build.inputs = sources.to_vec();
        let output = unique(
            &mut self.outputs,
            self.rng.pick(&["BuildArtifact", "BuildOutput"]),
        );
        build.outputs.push(output.clone());
        build.region = self.region_field(self.region);
        build.namespace = Some(unique(&mut self.namespaces, "BuildVariables"));
        actions.push(build);
        let mut templates = output.clone();
        for _ in 1..count {
            let mut action = match self.rng.weighted(&[30, 20, 15, 15, 12, 8]) {
                0 => {
                    let mut a =
                        Action::new(unique(&mut names, "UnitTests"), "Test", "CodeBuild", 2);
                    a.config
                        .push(("ProjectName", format!("{}-unit-tests", self.app)));
                    a.inputs.push(output.clone());
                    a
                }
                1 => {
                    let mut a = Action::new(unique(&mut names, "Lint"), "Test", "CodeBuild", 1);
                    a.config.push(("ProjectName", format!("{}-lint", self.app)));
                    a.inputs.push(sources[0].clone());
                    a
                }
                2 => {
                    let mut a =
                        Action::new(unique(&mut names, "SecurityScan"), "Test", "CodeBuild", 2);
                    a.config
                        .push(("ProjectName", format!("{}-security-scan", self.team)));
                    a.config
                        .push(("EnvironmentVariables", self.environment_variables("scan")));
                    a.inputs.push(output.clone());
                    a
                }
                3 => {
                    let mut a = Action::new(
                        unique(&mut names, "PackageTemplates"),
                        "Build",
                        "CodeBuild",
                        2,
                    );
                    a.config
                        .push(("ProjectName", format!("{}-package", self.app)));
                    a.inputs.push(output.clone());
                    let packaged = unique(&mut self.outputs, "PackagedTemplates");
                    a.outputs.push(packaged.clone());
                    templates = packaged;
                    a
                }
                4 => {
                    let component = capitalize(self.rng.pick(COMPONENTS));
                    let mut a = Action::new(
                        unique(&mut names, &format!("Build{component}")),
                        "Build",
                        "CodeBuild",
                        1,
                    );
                    a.config.push((
                        "ProjectName",
                        format!("{}-{}-build", self.team, component.to_lowercase()),
                    ));
                    a.inputs
                        .push(sources[self.rng.below(sources.len())].clone());
                    a.outputs.push(unique(
                        &mut self.outputs,
                        &format!("{component}BuildOutput"),
                    ));
                    a
                }
                _ => {
                    let mut a =
                        Action::new(unique(&mut names, "NotifyBuild"), "Invoke", "Lambda", 3);
                    a.config
                        .push(("FunctionName", format!("{}-pipeline-notifier", self.team)));
                    a.config.push((
                        "UserParameters",
                        format!(
                            "{{\"pipeline\": \"{}\", \"commit\": \"{}\"}}",
                            self.app, self.source_variable
                        ),
                    ));
                    a
                }
            };
            action.region = self.region_field(self.region);
            actions.push(action);
        }
        let name = self
            .rng
            .pick(&["Build", "Build", "BuildAndTest"])
            .to_string();
        (Stage { name, actions }, output, templates)
    }

    /// A deploy stage for `environment`, every action but the approval in `account`.
    fn deploy_stage(
        &mut self,
        name: String,
        environment: &str,
        account: &str,
        count: usize,
        build: &str,
        templates: &str,
    ) -> Stage {
        let env = environment.to_lowercase();
        let mut names = HashSet::new();
        let mut stacks = HashSet::new();
        let mut services = HashSet::new();
        let mut actions = Vec::new();
        let mut left = count;
        let mut base = 1;
        let role = format!("arn:aws:iam::{account}:role/{}", self.cross_account_role);
        if left >= 2 && environment != "Dev" && self.rng.chance(70) {
            let mut approval = Action::new(
                unique(&mut names, &format!("Approve{environment}")),
                "Approval",
                "Manual",
                1,
            );
            if self.rng.chance(60) {
                approval.config.push((
                    "NotificationArn",
                    format!(
                        "arn:aws:sns:{}:{}:{}-release-approvals",
                        self.region, self.home, self.team
                    ),
                ));
                approval.config.push((
                    "CustomData",
                    format!("Approve the release of {} to {env}", self.source_variable),
                ));
            }
            approval.region = self.region_field(self.region);
            actions.push(approval);
            left -= 1;
            base = 2;
        }
        let mut outputs_namespace: Option<String> = None;
        while left > 0 {
            let weights: Vec<u64> = self.platform.iter().map(|(_, w)| *w).collect();
            let mut kind = self.platform[self.rng.weighted(&weights)].0;
            if kind == Work::CfnChangeSet && left < 2 {
                kind = Work::CfnStack;
            }
            // Cross-region pipelines deploy some of their actions to the second region.
            let region = match self.second_region {
                Some(second) if self.rng.chance(50) => second,
                _ => self.region,
            };
            let mut stage_actions = Vec::new();
            match kind {
                Work::CfnStack | Work::CfnChangeSet => {
                    let stack = self.rng.pick(STACKS);
                    let stack = unique(&mut stacks, stack);
                    let stack_name = format!("{}-{env}-{}", self.app, stack.to_lowercase());
                    let mut overrides = format!(
                        "{{\"Environment\": \"{env}\", \"ImageTag\": \"{}\"",
                        self.source_variable
                    );
                    if let Some(variable) = &self.pipeline_variable {
                        overrides.push_str(&format!(", \"Tier\": \"{variable}\""));
                    }
                    overrides.push('}');
                    let cfn_role = format!("arn:aws:iam::{account}:role/{}", self.cfn_role);
                    let mut deploy = Action::new(String::new(), "Deploy", "CloudFormation", base);
                    deploy.config.push(("StackName", stack_name.clone()));
                    deploy.config.push((
                        "TemplatePath",
                        format!("{templates}::{}.yaml", stack.to_lowercase()),
                    ));
                    deploy.config.push(("RoleArn", cfn_role));
                    deploy.config.push((
                        "Capabilities",
                        "CAPABILITY_IAM,CAPABILITY_NAMED_IAM,CAPABILITY_AUTO_EXPAND".to_string(),
                    ));
                    deploy.config.push(("ParameterOverrides", overrides));
                    deploy.inputs.push(templates.to_string());
                    if self.rng.chance(30) {
                        deploy.config.push((
                            "TemplateConfiguration",
                            format!("{templates}::config/{env}.json"),
                        ));
                    }
                    if kind == Work::CfnStack {
                        deploy.name = unique(&mut names, &format!("Deploy{stack}"));
                        deploy
                            .config
                            .push(("ActionMode", "CREATE_UPDATE".to_string()));
                        if self.rng.chance(50) {
                            let namespace = unique(
                                &mut self.namespaces,
                                &format!("{environment}{stack}Outputs"),
                            );
                            outputs_namespace.get_or_insert(namespace.clone());
                            deploy.namespace = Some(namespace);
                        }
                        stage_actions.push(deploy);
                    } else {
                        let change_set = format!("{stack_name}-changes");
                        deploy.name = unique(&mut names, &format!("{stack}-CreateChangeSet"));
                        deploy
                            .config
                            .push(("ActionMode", "CHANGE_SET_REPLACE".to_string()));
                        deploy.config.push(("ChangeSetName", change_set.clone()));
                        let mut execute = Action::new(
                            unique(&mut names, &format!("{stack}-ExecuteChangeSet")),
                            "Deploy",
                            "CloudFormation",
                            base + 1,
                        );
                        execute
                            .config
                            .push(("ActionMode", "CHANGE_SET_EXECUTE".to_string()));
                        execute.config.push(("StackName", stack_name));
                        execute.config.push(("ChangeSetName", change_set));
                        stage_actions.push(deploy);
                        stage_actions.push(execute);
                    }
                }
                Work::CodeDeploy => {
                    let (service, suffix) = self.service(&mut services);
                    let mut a = Action::new(
                        unique(&mut names, &format!("Deploy{suffix}")),
                        "Deploy",
                        "CodeDeploy",
                        base,
                    );
                    a.config.push(("ApplicationName", service.clone()));
                    a.config
                        .push(("DeploymentGroupName", format!("{service}-{env}")));
                    a.inputs.push(build.to_string());
                    stage_actions.push(a);
                }
                Work::Ecs => {
                    let (service, suffix) = self.service(&mut services);
                    let mut a = Action::new(
                        unique(&mut names, &format!("Deploy{suffix}Service")),
                        "Deploy",
                        "ECS",
                        base,
                    );
                    a.config
                        .push(("ClusterName", format!("{}-{env}", self.team)));
                    a.config.push(("ServiceName", service));
                    a.config
                        .push(("FileName", "imagedefinitions.json".to_string()));
                    if self.rng.chance(40) {
                        a.config.push(("DeploymentTimeout", "30".to_string()));
                    }
                    a.inputs.push(build.to_string());
                    stage_actions.push(a);
                }
                Work::S3 => {
                    let (service, suffix) = self.service(&mut services);
                    let mut a = Action::new(
                        unique(&mut names, &format!("Publish{suffix}")),
                        "Deploy",
                        "S3",
                        base,
                    );
                    a.config
                        .push(("BucketName", format!("{service}-{env}-{account}")));
                    if self.rng.chance(70) {
                        a.config.push(("Extract", "true".to_string()));
                        a.config.push(("CacheControl", "max-age=300".to_string()));
                    } else {
                        a.config.push(("Extract", "false".to_string()));
                        a.config.push((
                            "ObjectKey",
                            format!("releases/{}.zip", self.source_variable),
                        ));
                    }
                    if self.rng.chance(40) {
                        // The team's key for deployed objects in that account and region.
                        let mut keyed =
                            Rng::keyed(self.seed, &["deploy-key", self.team, account, region]);
                        let key =
                            format!("arn:aws:kms:{region}:{account}:key/{}", uuid(&mut keyed));
                        a.config.push(("KMSEncryptionKeyARN", key));
                    }
                    a.inputs.push(build.to_string());
                    stage_actions.push(a);
                }
                Work::SmokeTest => {
                    let mut a = Action::new(
                        unique(&mut names, "SmokeTest"),
                        "Invoke",
                        "Lambda",
                        base + 2,
                    );
                    a.config
                        .push(("FunctionName", format!("{}-smoke-test", self.app)));
                    let target = match &outputs_namespace {
                        Some(namespace) => format!("#{{{namespace}.Endpoint}}"),
                        None => format!("https://{}.{env}.example.com/health", self.app),
                    };
                    a.config.push((
                        "UserParameters",
                        format!(
                            "{{\"url\": \"{target}\", \"commit\": \"{}\"}}",
                            self.source_variable
                        ),
                    ));
                    stage_actions.push(a);
                }
                Work::IntegrationTest => {
                    let mut a = Action::new(
                        unique(&mut names, "IntegrationTests"),
                        "Test",
                        "CodeBuild",
                        base + 2,
                    );
                    a.config
                        .push(("ProjectName", format!("{}-integration-tests", self.app)));
                    a.config
                        .push(("EnvironmentVariables", self.environment_variables(&env)));
                    a.inputs.push(build.to_string());
                    stage_actions.push(a);
                }
            }
            for mut action in stage_actions {
                action.role_arn = Some(role.clone());
                action.region = self.region_field(region);
                left -= 1;
                actions.push(action);
            }
        }
        Stage { name, actions }
    }
}

const CFN_PLATFORM: &[(Work, u64)] = &[
    (Work::CfnStack, 50),
    (Work::CfnChangeSet, 30),
    (Work::SmokeTest, 10),
    (Work::IntegrationTest, 10),
];
const ECS_PLATFORM: &[(Work, u64)] = &[
    (Work::Ecs, 50),
    (Work::CfnStack, 25),
    (Work::SmokeTest, 10),
    (Work::IntegrationTest, 15),
];
const CODEDEPLOY_PLATFORM: &[(Work, u64)] = &[
    (Work::CodeDeploy, 55),
    (Work::CfnStack, 20),
    (Work::SmokeTest, 10),
    (Work::IntegrationTest, 15),
];
const STATIC_SITE_PLATFORM: &[(Work, u64)] =
    &[(Work::S3, 55), (Work::CfnStack, 25), (Work::SmokeTest, 20)];
const MIXED_PLATFORM: &[(Work, u64)] = &[
    (Work::CfnStack, 20),
    (Work::CfnChangeSet, 15),
    (Work::CodeDeploy, 15),
    (Work::Ecs, 15),
    (Work::S3, 15),
    (Work::SmokeTest, 10),
    (Work::IntegrationTest, 10),
];

/// The whole pipeline before it is printed.
pub(crate) struct Model {
    pub(crate) name: String,
    /// Index of its team in the world.
    pub(crate) team: usize,
    pub(crate) role_arn: String,
    pub(crate) home: String,
    pub(crate) region: &'static str,
    pub(crate) stores: Vec<Store>,
    pub(crate) multi_region: bool,
    pub(crate) stages: Vec<Stage>,
    version: u64,
    pipeline_type: &'static str,
    execution_mode: &'static str,
    variables: Vec<(String, String, String)>,
    created: String,
    updated: String,
}

impl Model {
    fn to_json(&self) -> J {
        let store_json = |store: &Store| {
            obj([
                ("type", s("S3")),
                ("location", s(&store.bucket)),
                (
                    "encryptionKey",
                    obj([("id", s(&store.key)), ("type", s("KMS"))]),
                ),
            ])
        };
        let mut pipeline = vec![
            ("name".to_string(), s(&self.name)),
            ("roleArn".to_string(), s(&self.role_arn)),
        ];
        if self.multi_region {
            let stores = self
                .stores
                .iter()
                .map(|store| (store.region.clone(), store_json(store)))
                .collect();
            pipeline.push(("artifactStores".to_string(), J::Obj(stores)));
        } else {
            pipeline.push(("artifactStore".to_string(), store_json(&self.stores[0])));
        }
        let stages = self
            .stages
            .iter()
            .map(|stage| {
                obj([
                    ("name", s(&stage.name)),
                    (
                        "actions",
                        J::Arr(stage.actions.iter().map(Action::to_json).collect()),
                    ),
                ])
            })
            .collect();
        pipeline.push(("stages".to_string(), J::Arr(stages)));
        pipeline.push(("version".to_string(), J::Int(self.version)));
        pipeline.push(("executionMode".to_string(), s(self.execution_mode)));
        pipeline.push(("pipelineType".to_string(), s(self.pipeline_type)));
        if !self.variables.is_empty() {
            let variables = self
                .variables
                .iter()
                .map(|(name, default, description)| {
                    obj([
                        ("name", s(name)),
                        ("defaultValue", s(default)),
                        ("description", s(description)),
                    ])
                })
                .collect();
            pipeline.push(("variables".to_string(), J::Arr(variables)));
        }
        obj([
            ("pipeline", J::Obj(pipeline)),
            (
                "metadata",
                obj([
                    (
                        "pipelineArn",
                        s(format!(
                            "arn:aws:codepipeline:{}:{}:{}",
                            self.region, self.home, self.name
                        )),
                    ),
                    ("created", s(&self.created)),
                    ("updated", s(&self.updated)),
                ]),
            ),
        ])
    }

    fn foreign_actions(&self) -> impl Iterator<Item = &Action> + '_ {
        let home = format!("::{}:", self.home);
        self.stages
            .iter()
            .flat_map(|stage| stage.actions.iter())
            .filter(move |action| {
                action
                    .role_arn
                    .as_ref()
                    .is_some_and(|role| !role.contains(&home))
            })
    }

    /// Injects `mistake` if the pipeline has a place for it.
    fn inject(&mut self, mistake: Mistake, rng: &mut Rng, pool: &[String]) -> bool {
        let home_store = 0;
        match mistake {
            Mistake::KeyAliasName | Mistake::KeyAliasArn | Mistake::KeyBareId => {
                // With `artifactStores` the home-region store may serve no cross-account action,
                // and then the key's form does not matter.
                if self.multi_region || self.foreign_actions().next().is_none() {
                    return false;
                }
                let alias = format!("{}-artifacts", self.name);
                self.stores[home_store].key = match mistake {
                    Mistake::KeyAliasName => format!("alias/{alias}"),
                    Mistake::KeyAliasArn => {
                        format!("arn:aws:kms:{}:{}:alias/{alias}", self.region, self.home)
                    }
                    _ => uuid(rng),
                };
                true
            }
            Mistake::KeyInOtherRegion => {
                let store = &mut self.stores[home_store];
                let other = loop {
                    let region = rng.pick(REGIONS);
                    if *region != store.region {
                        break region;
                    }
                };
                store.key = format!("arn:aws:kms:{other}:{}:key/{}", self.home, uuid(rng));
                true
            }
            Mistake::CfnRoleInOtherAccount | Mistake::CfnRoleWithoutActionRole => {
                let home = self.home.clone();
                let Some(action) = self
                    .stages
                    .iter_mut()
                    .flat_map(|stage| stage.actions.iter_mut())
                    .filter(|a| {
                        a.provider == "CloudFormation"
                            && a.config_value("RoleArn").is_some()
                            && a.role_arn.is_some()
                    })
                    .last()
                else {
                    return false;
                };
                if mistake == Mistake::CfnRoleWithoutActionRole {
                    // The Q&A case: the deployment role is in the target account, but the action
                    // has no role there, so it runs in the pipeline account.
                    action.role_arn = None;
                    return true;
                }
                let own = action.config_value("RoleArn").cloned().unwrap_or_default();
                let other = loop {
                    let account = if rng.chance(50) {
                        &home
                    } else {
                        &pool[rng.below(pool.len())]
                    };
                    if !own.contains(account.as_str()) {
                        break account.clone();
                    }
                };
                if let Some((_, role)) = action.config.iter_mut().find(|(k, _)| *k == "RoleArn") {
                    *role = format!("arn:aws:iam::{other}:role/cloudformation-deployment-role");
                }
                true
            }
            Mistake::InputNameCase => {
                let Some(action) = self
                    .stages
                    .iter_mut()
                    .flat_map(|stage| stage.actions.iter_mut())
                    .find(|a| {
                        matches!(a.provider, "CodeDeploy" | "ECS" | "S3") && a.inputs.len() == 1
                    })
                else {
                    return false;
                };
                // `BuildOutput` → `buildOutput`: the typo CodePipeline reports only at run time.
                let input = &mut action.inputs[0];
                *input = input[..1].to_lowercase() + &input[1..];
                true
            }
        }
    }
}

/// Generates file `index` of the corpus. `taken` holds the pipeline names already used in each
/// tooling account (`ACCOUNT/name`): a name is unique in its account, as in AWS.
pub(crate) fn pipeline(
    index: usize,
    world: &World,
    mistake_percent: u64,
    taken: &mut HashSet<String>,
) -> (GeneratedFile, Model) {
    let mut rng = Rng::for_file(world.seed, index);
    let team_index = rng.below(world.teams.len());
    let team = &world.teams[team_index];
    let component = rng.pick(COMPONENTS);
    let app = format!("{}-{component}", team.name);
    let region = if rng.chance(70) {
        team.region
    } else {
        rng.pick(REGIONS)
    };
    let home = team.home.clone();
    let total = rng.range(5, 30);
    let stage_count = rng.range(3, 6.min(total));
    let environments: &[(&str, usize)] = match stage_count - 2 {
        1 => &[("Prod", 3)],
        2 => &[("Staging", 2), ("Prod", 3)],
        3 => &[("Dev", 0), ("Staging", 2), ("Prod", 3)],
        _ => &[("Dev", 0), ("Test", 1), ("Staging", 2), ("Prod", 3)],
    };
    let second_region = if rng.chance(15) {
        loop {
            let other = rng.pick(REGIONS);
            if other != region {
                break Some(other);
            }
        }
    } else {
        None
    };
    let pipeline_type = if rng.chance(70) { "V2" } else { "V1" };
    let execution_mode = if pipeline_type == "V2" {
        rng.pick(&["SUPERSEDED", "SUPERSEDED", "QUEUED"])
    } else {
        "SUPERSEDED"
    };
    let mut variables = Vec::new();
    if pipeline_type == "V2" && rng.chance(30) {
        variables.push((
            "ServiceTier".to_string(),
            (rng.pick(&["standard", "critical"])).to_string(),
            "Tier passed to every stack as the Tier parameter".to_string(),
        ));
    }
    let platform = match rng.weighted(&[45, 20, 15, 10, 10]) {
        0 => CFN_PLATFORM,
        1 => ECS_PLATFORM,
        2 => CODEDEPLOY_PLATFORM,
        3 => STATIC_SITE_PLATFORM,
        _ => MIXED_PLATFORM,
    };
    let base_name = match rng.below(3) {
        0 => app.clone(),
        1 => format!("{app}-pipeline"),
        _ => format!(
            "{}{}Pipeline",
            capitalize(&team.name),
            capitalize(component)
        ),
    };
    // A second pipeline of the same application gets a suffix, as people name them.
    let mut name = base_name.clone();
    let mut n = 2;
    while !taken.insert(format!("{home}/{name}")) {
        name = format!("{base_name}-{n}");
        n += 1;
    }
    // The console creates a service role per pipeline; teams that script their setup share one
    // per application.
    let role_arn = if rng.chance(50) {
        format!("arn:aws:iam::{home}:role/service-role/AWSCodePipelineServiceRole-{region}-{name}")
    } else {
        format!("arn:aws:iam::{home}:role/{app}-codepipeline-role")
    };
    let mut builder = Builder {
        rng,
        seed: world.seed,
        team: &team.name,
        app,
        region,
        home: home.clone(),
        second_region,
        action_regions: second_region.is_some(),
        source_variable: String::new(),
        pipeline_variable: variables
            .first()
            .map(|(name, _, _)| format!("#{{variables.{name}}}")),
        namespaces: HashSet::new(),
        outputs: HashSet::new(),
        cross_account_role: format!("{}-codepipeline-cross-account", team.name),
        cfn_role: format!("{}-cloudformation-deploy", team.name),
        platform,
    };
    builder.action_regions |= builder.rng.chance(40);

    // Every stage gets one action, the source stage up to three, the rest anywhere after it.
    let source_count = (1 + builder.rng.weighted(&[70, 22, 8])).min(total - (stage_count - 1));
    let mut per_stage = vec![1; stage_count];
    per_stage[0] = source_count;
    for _ in 0..total - source_count - (stage_count - 1) {
        per_stage[builder.rng.range(1, stage_count - 1)] += 1;
    }

    let (source, artifacts) = builder.source_stage(per_stage[0]);
    let (build, build_output, templates) = builder.build_stage(per_stage[1], &artifacts);
    let mut stages = vec![source, build];
    let style = builder.rng.below(3);
    for (index, (environment, slot)) in environments.iter().enumerate() {
        // Each environment deploys into the team's account for it.
        let account = team.envs[*slot].clone();
        let stage_name = match style {
            0 => format!("Deploy{environment}"),
            1 => environment.to_string(),
            _ => format!("Deploy-{environment}"),
        };
        let stage = builder.deploy_stage(
            stage_name,
            environment,
            &account,
            per_stage[index + 2],
            &build_output,
            &templates,
        );
        stages.push(stage);
    }

    let mut rng = builder.rng;
    let mut stores = vec![Store {
        region: region.to_string(),
        bucket: world.team_bucket(team, region, true),
        key: world.team_key(team, region),
    }];
    if let Some(second) = second_region {
        stores.push(Store {
            region: second.to_string(),
            bucket: world.team_bucket(team, second, false),
            key: world.team_key(team, second),
        });
    }
    let year = rng.range(2021, 2025);
    let mut model = Model {
        name,
        team: team_index,
        role_arn,
        home,
        region,
        stores,
        multi_region: second_region.is_some(),
        stages,
        version: rng.range(1, 40) as u64,
        pipeline_type,
        execution_mode,
        variables,
        created: timestamp(&mut rng, year),
        updated: timestamp(&mut rng, year + 1),
    };

    let mut mistake = None;
    if rng.chance(mistake_percent) {
        let first = rng.below(Mistake::ALL.len());
        // Try the drawn mistake, then the next ones: KeyInOtherRegion always fits.
        for offset in 0..Mistake::ALL.len() {
            let candidate = Mistake::ALL[(first + offset) % Mistake::ALL.len()];
            if model.inject(candidate, &mut rng, &world.pool) {
                mistake = Some(candidate);
                break;
            }
        }
    }

    let actions = model.stages.iter().map(|stage| stage.actions.len()).sum();
    let mut accounts: Vec<&str> = vec![&model.home];
    for role in model
        .stages
        .iter()
        .flat_map(|stage| stage.actions.iter())
        .filter_map(|a| a.role_arn.as_deref())
    {
        let account = role
            .trim_start_matches("arn:aws:iam::")
            .split(':')
            .next()
            .unwrap_or_default();
        if !accounts.contains(&account) {
            accounts.push(account);
        }
    }
    let accounts = accounts.len();
    let file = GeneratedFile {
        name: format!(
            "tools-{}/pipelines/{index:05}-{}.json",
            model.home, model.name
        ),
        json: to_pretty(&model.to_json()),
        expected_codes: mistake.map_or_else(Vec::new, |m| m.codes().to_vec()),
        mistake,
        actions,
        accounts,
    };
    (file, model)
}
