//! A deterministic corpus of realistic cross-account pipelines, for the benchmark
//! (`src/bin/bench.rs`, see `docs/performance.md`) and as a precision/recall check of the rules.
//!
//! Every file is what `aws codepipeline get-pipeline` prints for a pipeline in a tooling account
//! that deploys into one to four workload accounts: 3 to 6 stages, 5 to 30 actions, CodeCommit,
//! S3 and ECR sources, CodeBuild builds and tests, CloudFormation stacks and change sets,
//! CodeDeploy, ECS and S3 deploys, manual approvals and Lambda invokes, some of them in a second
//! region through `artifactStores`. Most files are clean: a finding on one is a false positive.
//! A few carry one deliberate [`Mistake`], whose codes [`GeneratedFile::expected_codes`] lists: a
//! missing finding there is a false negative.

mod corpus;
mod emit;
mod rng;

/// One generated pipeline file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    /// A file name, unique in the corpus (`0042-payments-api.json`).
    pub name: String,
    /// The file's text, pretty-printed as the AWS CLI prints it.
    pub json: String,
    /// The rule codes linting the file must report, each once; empty for a clean file.
    pub expected_codes: Vec<&'static str>,
    /// The mistake injected into the file, if any.
    pub mistake: Option<Mistake>,
    /// How many actions the pipeline has.
    pub actions: usize,
    /// How many accounts its actions run in, the pipeline account included.
    pub accounts: usize,
}

/// A realistic error injected into an otherwise clean pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mistake {
    /// The artifact store key is named `alias/NAME` while actions run in other accounts.
    KeyAliasName,
    /// The artifact store key is named by its alias ARN while actions run in other accounts.
    KeyAliasArn,
    /// The artifact store key is a bare key ID while actions run in other accounts.
    KeyBareId,
    /// The key ARN is in another region than its artifact store.
    KeyInOtherRegion,
    /// A cross-account CloudFormation action whose `RoleArn` is in a third account.
    CfnRoleInOtherAccount,
    /// A CloudFormation action whose `RoleArn` is in a workload account but that has no action
    /// `roleArn`, so it runs in the pipeline account.
    CfnRoleWithoutActionRole,
    /// An input artifact named with the wrong case (`buildOutput` for `BuildOutput`).
    InputNameCase,
}

impl Mistake {
    /// Every mistake the generator injects.
    pub const ALL: [Mistake; 7] = [
        Mistake::KeyAliasName,
        Mistake::KeyAliasArn,
        Mistake::KeyBareId,
        Mistake::KeyInOtherRegion,
        Mistake::CfnRoleInOtherAccount,
        Mistake::CfnRoleWithoutActionRole,
        Mistake::InputNameCase,
    ];

    /// The findings the mistake must produce, each exactly once.
    pub fn codes(self) -> &'static [&'static str] {
        match self {
            Mistake::KeyAliasName | Mistake::KeyAliasArn => &["XA302"],
            Mistake::KeyBareId => &["XA303"],
            Mistake::KeyInOtherRegion => &["XA304"],
            Mistake::CfnRoleInOtherAccount | Mistake::CfnRoleWithoutActionRole => &["XA203"],
            Mistake::InputNameCase => &["XA101"],
        }
    }
}

/// How a corpus is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// The share of files, in percent, that carry a [`Mistake`].
    pub mistake_percent: u64,
}

impl Default for Options {
    /// A few percent: enough to exercise the rules' reporting path, few enough that a corpus
    /// looks like a real organisation's pipelines.
    fn default() -> Self {
        Options { mistake_percent: 4 }
    }
}

/// Generates `files` pipelines from `seed` with the default [`Options`]. The same arguments
/// give the same bytes on every machine, and the first N files do not depend on `files`.
pub fn generate(files: usize, seed: u64) -> Vec<GeneratedFile> {
    generate_with(files, seed, &Options::default())
}

/// Generates `files` pipelines from `seed`.
pub fn generate_with(files: usize, seed: u64, options: &Options) -> Vec<GeneratedFile> {
    let pool = corpus::account_pool(seed);
    (0..files)
        .map(|index| corpus::pipeline(seed, index, &pool, options.mistake_percent.min(100)))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::path::Path;

    use xacct_rules::engine::read_source;
    use xacct_rules::{lint_source, Diagnostic, LintOptions, Outcome};
    use xacct_syntax::FileId;

    use super::*;

    /// Lints a file exactly as the CLI lints a file named on its command line.
    fn lint(index: usize, file: &GeneratedFile) -> (Outcome, Vec<Diagnostic>) {
        let (source, error) = read_source(Path::new(&file.name), file.json.clone().into_bytes());
        let report = lint_source(
            FileId(index as u32),
            &source,
            error.as_ref(),
            true,
            &LintOptions::default(),
        );
        (report.outcome, report.diagnostics)
    }

    fn describe(diagnostics: &[Diagnostic]) -> Vec<String> {
        diagnostics
            .iter()
            .map(|d| format!("{} {}: {}", d.severity, d.code, d.message))
            .collect()
    }

    /// Checks every file's findings against what the generator injected: no finding at all on a
    /// clean file (not even a warning), exactly the expected codes on a broken one.
    fn assert_findings_match(corpus: &[GeneratedFile]) {
        for (index, file) in corpus.iter().enumerate() {
            let (outcome, diagnostics) = lint(index, file);
            assert!(
                matches!(outcome, Outcome::Checked(_)),
                "{} was not checked as a pipeline",
                file.name
            );
            let mut found: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
            found.sort_unstable();
            let mut expected = file.expected_codes.clone();
            expected.sort_unstable();
            assert_eq!(
                found,
                expected,
                "{} (mistake {:?}) got {:#?}\n{}",
                file.name,
                file.mistake,
                describe(&diagnostics),
                file.json
            );
        }
    }

    #[test]
    fn same_seed_gives_same_bytes_and_prefixes_do_not_depend_on_size() {
        let a = generate(60, 7);
        assert_eq!(a, generate(60, 7));
        assert_eq!(a[..20], generate(20, 7)[..]);
        let other = generate(60, 8);
        assert!(a.iter().zip(&other).all(|(x, y)| x.json != y.json));
        let names: HashSet<&str> = a.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names.len(), a.len(), "file names are unique");
    }

    #[test]
    fn every_file_is_json_of_the_promised_shape() {
        for file in generate(200, 1) {
            let value: serde_json::Value =
                serde_json::from_str(&file.json).expect("serde_json parses every file");
            let stages = value["pipeline"]["stages"].as_array().expect("stages");
            let actions: usize = stages
                .iter()
                .map(|s| s["actions"].as_array().expect("actions").len())
                .sum();
            assert!(
                (3..=6).contains(&stages.len()),
                "{}: {} stages",
                file.name,
                stages.len()
            );
            assert!(
                (5..=30).contains(&actions),
                "{}: {actions} actions",
                file.name
            );
            assert_eq!(actions, file.actions);
            assert!(
                (2..=5).contains(&file.accounts) || file.mistake.is_some(),
                "{}: {} accounts",
                file.name,
                file.accounts
            );
            let arn = value["metadata"]["pipelineArn"]
                .as_str()
                .expect("pipelineArn");
            assert!(arn.starts_with("arn:aws:codepipeline:"), "{arn}");
            assert!(
                file.json
                    .starts_with("{\n  \"pipeline\": {\n    \"name\": "),
                "2-space indent as the CLI prints"
            );
        }
    }

    #[test]
    fn clean_files_have_no_findings_and_broken_ones_exactly_the_injected_codes() {
        let corpus = generate(200, 42);
        let broken = corpus.iter().filter(|f| f.mistake.is_some()).count();
        assert!(
            broken > 0 && broken < 30,
            "a few percent are broken, got {broken} of 200"
        );
        assert_findings_match(&corpus);
    }

    #[test]
    fn every_mistake_is_injected_and_found() {
        let corpus = generate_with(
            120,
            3,
            &Options {
                mistake_percent: 100,
            },
        );
        let injected: HashSet<Mistake> = corpus.iter().filter_map(|f| f.mistake).collect();
        for mistake in Mistake::ALL {
            assert!(injected.contains(&mistake), "{mistake:?} never injected");
        }
        assert!(corpus.iter().all(|f| f.mistake.is_some()));
        assert_findings_match(&corpus);
    }
}
