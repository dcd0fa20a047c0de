//! CloudFormation templates built from the fuzzer's bytes: resources of the types the loader
//! reads, whose properties are trees of intrinsic functions (`Ref`, `Fn::GetAtt`, `Fn::Sub`,
//! `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::If`, `Fn::FindInMap`, conditions) referring to
//! each other, to parameters and to mappings: evaluation, memoisation, cycles and limits must
//! never panic, overflow or run away. Small limits make the budgets bite often.
#![no_main]
use libfuzzer_sys::fuzz_target;

/// Reads choices from the bytes, then zeros.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn next(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }

    fn pick<'n>(&mut self, names: &[&'n str]) -> &'n str {
        names[self.next() as usize % names.len()]
    }
}

const IDS: &[&str] = &["A", "B", "C", "Key", "Role", "Bucket", "Pipe"];
const TYPES: &[&str] = &[
    "AWS::IAM::Role",
    "AWS::KMS::Key",
    "AWS::S3::Bucket",
    "AWS::IAM::Policy",
    "AWS::S3::BucketPolicy",
    "AWS::CodePipeline::Pipeline",
    "AWS::KMS::Alias",
    "AWS::IAM::ManagedPolicy",
];
const PROPERTIES: &[&str] = &[
    "RoleName", "Path", "KeyPolicy", "BucketName", "PolicyDocument", "AssumeRolePolicyDocument",
    "Policies", "Roles", "Bucket", "RoleArn", "ArtifactStore", "Stages", "AliasName",
    "ManagedPolicyArns", "Name",
];

fn value(b: &mut Bytes, depth: u32) -> String {
    if depth > 6 {
        return format!("\"v{}\"", b.next() % 4);
    }
    let id = b.pick(IDS);
    match b.next() % 16 {
        0 => format!("{{\"Ref\": \"{id}\"}}"),
        1 => format!("{{\"Ref\": \"{}\"}}", b.pick(&["P", "AWS::AccountId", "AWS::Region", "AWS::NoValue", "AWS::StackName"])),
        2 => format!("{{\"Fn::GetAtt\": [\"{id}\", \"{}\"]}}", b.pick(&["Arn", "RoleId", "KeyId"])),
        3 => format!("{{\"Fn::Sub\": \"${{{id}}}-${{{}.Arn}}-${{P}}\"}}", b.pick(IDS)),
        4 => format!("{{\"Fn::Sub\": [\"${{X}}${{X}}\", {{\"X\": {}}}]}}", value(b, depth + 1)),
        5 => format!("{{\"Fn::Join\": [\"{}\", [{}, {}]]}}", b.pick(&[":", "", "/"]), value(b, depth + 1), value(b, depth + 1)),
        6 => format!("{{\"Fn::Select\": [\"{}\", {}]}}", b.next() % 3, value(b, depth + 1)),
        7 => format!("{{\"Fn::Split\": [\"{}\", {}]}}", b.pick(&[",", ":", ""]), value(b, depth + 1)),
        8 => format!("{{\"Fn::If\": [\"{}\", {}, {}]}}", b.pick(&["C1", "C2", "Missing"]), value(b, depth + 1), value(b, depth + 1)),
        9 => format!("{{\"Fn::FindInMap\": [\"M\", {}, \"k\"]}}", value(b, depth + 1)),
        10 => format!("[{}, {}]", value(b, depth + 1), value(b, depth + 1)),
        11 => format!(
            "{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": {}, \"Principal\": {{\"AWS\": {}}}, \"Action\": {}, \"Resource\": {}}}]}}",
            b.pick(&["\"Allow\"", "\"Deny\"", "{\"Ref\": \"P\"}"]),
            value(b, depth + 1),
            value(b, depth + 1),
            value(b, depth + 1)
        ),
        12 => format!("{{\"Fn::Transform\": {{\"Name\": \"AWS::Include\"}}}}"),
        13 => format!("{{\"Fn::ToJsonString\": {}}}", value(b, depth + 1)),
        14 => format!("{{\"{}\": {}}}", b.pick(PROPERTIES), value(b, depth + 1)),
        _ => format!("\"arn:aws:iam::{}:role/r{}\"", b.pick(&["111111111111", "${AWS::AccountId}", "*"]), b.next() % 3),
    }
}

fn template(b: &mut Bytes) -> String {
    let mut resources = Vec::new();
    for _ in 0..(b.next() % 7 + 1) {
        let id = b.pick(IDS);
        let kind = b.pick(TYPES);
        let mut properties = Vec::new();
        for _ in 0..(b.next() % 4) {
            properties.push(format!("\"{}\": {}", b.pick(PROPERTIES), value(b, 0)));
        }
        let depends = if b.next() % 4 == 0 {
            format!(", \"DependsOn\": \"{}\"", b.pick(IDS))
        } else {
            String::new()
        };
        resources.push(format!(
            "\"{id}\": {{\"Type\": \"{kind}\", \"Properties\": {{{}}}{depends}}}",
            properties.join(", ")
        ));
    }
    format!(
        "{{\"Parameters\": {{\"P\": {{\"Type\": \"String\", \"Default\": \"p\"}}}}, \
          \"Mappings\": {{\"M\": {{\"v0\": {{\"k\": {}}}}}}}, \
          \"Conditions\": {{\"C1\": {{\"Fn::Equals\": [{{\"Ref\": \"P\"}}, \"p\"]}}, \"C2\": {{\"Fn::Not\": [{{\"Condition\": \"{}\"}}]}}}}, \
          \"Resources\": {{{}}}}}",
        value(b, 4),
        b.pick(&["C1", "C2"]),
        resources.join(", ")
    )
}

fuzz_target!(|data: &[u8]| {
    let text = template(&mut Bytes(data));
    let Ok(doc) = xacct_syntax::json::parse(&text) else {
        return;
    };
    let facts = xacct_input::StackFacts {
        account: xacct_model::AccountId::parse("111111111111"),
        region: Some("us-east-2".into()),
        ..Default::default()
    };
    let mut limits = xacct_input::Limits::default();
    // Small budgets, so that the limits are reached often.
    limits.eval_steps = 5_000;
    limits.depth = 24;
    let contents = xacct_input::cfn::load_template(&doc.root, Some(&text), &facts, &limits);
    for issue in &contents.issues {
        assert!(issue.span.start <= issue.span.end);
        assert!(issue.span.end as usize <= text.len());
    }
});
