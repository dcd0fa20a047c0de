//! Terraform configurations built from the fuzzer's bytes: folders of `.tf` files whose module
//! blocks call each other (cycles included), providers, locals and outputs referring to each
//! other, `for` expressions, `dynamic` blocks, `count`, `for_each`, functions and heredoc
//! policies, with the raw bytes as one more file: parsing, evaluation, cycles and limits must
//! never panic, overflow or run away, and every span must lie in its file. Small budgets make
//! the limits bite often.
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

const DIRS: &[&str] = &["/f", "/f/a", "/f/b", "/f/a/c"];
const SOURCES: &[&str] = &["./a", "./b", "../b", "./c", "../..", "./", "registry/x/aws", "../a"];
const NAMES: &[&str] = &["x", "y", "z"];
const TYPES: &[&str] = &[
    "aws_iam_role",
    "aws_kms_key",
    "aws_s3_bucket",
    "aws_s3_bucket_policy",
    "aws_codepipeline",
    "aws_iam_role_policy",
    "aws_iam_policy",
    "aws_iam_role_policy_attachment",
    "aws_kms_alias",
];
const ATTRS: &[&str] = &["name", "policy", "role", "bucket", "assume_role_policy", "role_arn", "policy_arn", "arn"];

fn value(b: &mut Bytes, depth: u32) -> String {
    if depth > 5 {
        return format!("\"v{}\"", b.next() % 4);
    }
    let n = b.pick(NAMES);
    match b.next() % 18 {
        0 => format!("var.{n}"),
        1 => format!("local.{n}"),
        2 => format!("module.{n}.{n}"),
        3 => format!("{}.{n}.{}", b.pick(TYPES), b.pick(ATTRS)),
        4 => format!("data.aws_iam_policy_document.{n}.json"),
        5 => format!("\"arn:aws:iam::${{{}}}:role/${{{}}}\"", value(b, depth + 1), value(b, depth + 1)),
        6 => format!("jsonencode({{ Version = \"2012-10-17\", Statement = [{{ Effect = {}, Action = {}, Resource = \"*\", Principal = {{ AWS = {} }} }}] }})", value(b, depth + 1), value(b, depth + 1), value(b, depth + 1)),
        7 => format!("[for i, v in {} : {} if v != \"\"]", value(b, depth + 1), value(b, depth + 1)),
        8 => format!("{{for k, v in {} : k => v...}}", value(b, depth + 1)),
        9 => format!("{} ? {} : {}", value(b, depth + 1), value(b, depth + 1), value(b, depth + 1)),
        10 => format!("{}({}, {})", b.pick(&["merge", "concat", "join", "format", "replace", "lookup", "element", "flatten", "try", "coalesce", "jsondecode", "zipmap", "split"]), value(b, depth + 1), value(b, depth + 1)),
        11 => format!("[{}, {}]", value(b, depth + 1), value(b, depth + 1)),
        12 => format!("{{ a = {}, b = {} }}", value(b, depth + 1), value(b, depth + 1)),
        13 => "count.index".to_string(),
        14 => "each.value".to_string(),
        15 => format!("<<-EOT\n  {{\"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"${{{}}}\", \"Resource\": \"*\"}}]}}\n  EOT", value(b, depth + 1)),
        16 => format!("{} + {}", b.next() % 5, value(b, depth + 1)),
        _ => format!("\"{}\"", b.pick(&["111111111111", "*", "arn:aws:s3:::b", "$${x}"])),
    }
}

fn file(b: &mut Bytes) -> String {
    let mut out = String::new();
    for _ in 0..(b.next() % 6 + 1) {
        let n = b.pick(NAMES);
        match b.next() % 8 {
            0 => out.push_str(&format!("module \"{n}\" {{\n  source = \"{}\"\n  {n} = {}\n  providers = {{ aws = aws.{n} }}\n}}\n", b.pick(SOURCES), value(b, 0))),
            1 => out.push_str(&format!("provider \"aws\" {{\n  alias = \"{n}\"\n  region = {}\n  assume_role {{ role_arn = {} }}\n}}\n", value(b, 0), value(b, 0))),
            2 => out.push_str(&format!("locals {{\n  {n} = {}\n}}\n", value(b, 0))),
            3 => out.push_str(&format!("variable \"{n}\" {{\n  default = {}\n}}\noutput \"{n}\" {{\n  value = {}\n}}\n", value(b, 0), value(b, 0))),
            4 => out.push_str(&format!(
                "data \"aws_iam_policy_document\" \"{n}\" {{\n  dynamic \"statement\" {{\n    for_each = {}\n    content {{\n      actions = [statement.value]\n      resources = [\"*\"]\n      principals {{\n        type = \"AWS\"\n        identifiers = [{}]\n      }}\n    }}\n  }}\n  statement {{\n    actions = {}\n  }}\n}}\n",
                value(b, 0), value(b, 0), value(b, 0))),
            5 => out.push_str(&format!(
                "resource \"aws_codepipeline\" \"{n}\" {{\n  name = {}\n  role_arn = {}\n  artifact_store {{\n    location = {}\n    type = \"S3\"\n    encryption_key {{\n      id = {}\n      type = \"KMS\"\n    }}\n  }}\n  stage {{\n    name = \"S\"\n    action {{\n      name = \"A\"\n      category = \"Source\"\n      owner = \"AWS\"\n      provider = \"S3\"\n      version = \"1\"\n      role_arn = {}\n      configuration = {}\n    }}\n  }}\n}}\n",
                value(b, 0), value(b, 0), value(b, 0), value(b, 0), value(b, 0), value(b, 0))),
            _ => {
                let kind = b.pick(TYPES);
                let meta = match b.next() % 4 {
                    0 => format!("  count = {}\n", value(b, 0)),
                    1 => format!("  for_each = {}\n", value(b, 0)),
                    2 => format!("  provider = aws.{}\n", b.pick(NAMES)),
                    _ => String::new(),
                };
                out.push_str(&format!("resource \"{kind}\" \"{n}\" {{\n{meta}"));
                for _ in 0..(b.next() % 4) {
                    out.push_str(&format!("  {} = {}\n", b.pick(ATTRS), value(b, 0)));
                }
                out.push_str("}\n");
            }
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    let mut files: Vec<(String, String)> = Vec::new();
    for _ in 0..(b.next() % 5 + 1) {
        let dir = b.pick(DIRS);
        let text = file(&mut b);
        files.push((format!("{dir}/f{}.tf", files.len()), text));
    }
    // The rest of the bytes as a file of its own: the parser's turn.
    files.push(("/f/raw.tf".to_string(), String::from_utf8_lossy(b.0).into_owned()));
    let settings = xacct_input::terraform::eval::Settings {
        eval_steps: 20_000,
        ..Default::default()
    };
    let sources: Vec<xacct_input::terraform::Source<'_>> = files
        .iter()
        .map(|(path, text)| xacct_input::terraform::Source {
            path: std::path::Path::new(path),
            text,
            settings: settings.clone(),
        })
        .collect();
    let linked = xacct_input::terraform::link(&sources);
    for (path, text) in &files {
        let Some(contents) = linked.get(std::path::Path::new(path)) else {
            continue;
        };
        let within = |span: xacct_syntax::Span| {
            assert!(span.start <= span.end, "{span:?}");
            assert!(span.end as usize <= text.len(), "{span:?} in {path}");
        };
        for issue in contents.contents.issues.iter().chain(&contents.syntax_error) {
            within(issue.span);
        }
        for policy in &contents.contents.policies {
            within(policy.document.span);
            for statement in &policy.document.statements {
                within(statement.span);
            }
        }
        for pipeline in &contents.contents.pipelines {
            within(pipeline.root.span);
            within(pipeline.span);
        }
    }
});
