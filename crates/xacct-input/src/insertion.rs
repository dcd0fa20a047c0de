//! Where a policy's `Statement` list ends and how its items are written, for fixes that add a
//! statement (`xacct_model::policy_edit`). Read from the text around the spans the loader kept;
//! whatever does not look exactly as expected gives no insertion (and so no fix).

use xacct_model::policy::PolicyDocument;
use xacct_model::policy_edit::{ItemNotation, StatementInsertion};

/// The notation of the file a policy was read from, as far as writing into it goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Notation {
    /// JSON.
    Json,
    /// YAML.
    Yaml,
    /// Terraform's HCL (a `jsonencode` argument, or JSON in a heredoc).
    Hcl,
}

/// Sets the insertion of every document that has a list to insert into.
/// `literal`: the file writes values as they are (an AWS CLI output), not parameters.
pub(crate) fn plan_all<'d>(
    text: &str,
    notation: Notation,
    literal: bool,
    documents: impl IntoIterator<Item = &'d mut PolicyDocument>,
) {
    for document in documents {
        document.insertion = plan(text, notation, document).map(|mut insertion| {
            insertion.literal = literal;
            insertion
        });
    }
}

/// Blanks as written: in a string, the escapes `\n`, `\r`, `\t` count as blanks too.
fn blank_len(text: &[u8], at: usize, in_string: bool) -> usize {
    match text.get(at) {
        Some(b' ' | b'\t' | b'\r' | b'\n') => 1,
        Some(b'\\') if in_string && matches!(text.get(at + 1), Some(b'n' | b'r' | b't')) => 2,
        _ => 0,
    }
}

/// The end of the blanks from `at`.
fn skip_blanks(text: &[u8], mut at: usize, in_string: bool) -> usize {
    loop {
        let n = blank_len(text, at, in_string);
        if n == 0 {
            return at;
        }
        at += n;
    }
}

/// True when `text` is blanks only.
fn all_blank(text: &[u8], in_string: bool) -> bool {
    skip_blanks(text, 0, in_string) == text.len()
}

/// The start of the blanks that end at `end` (going back; escapes in a string are two bytes).
fn blanks_before(text: &[u8], mut end: usize, in_string: bool) -> usize {
    loop {
        if end >= 1 && matches!(text[end - 1], b' ' | b'\t' | b'\r' | b'\n') {
            end -= 1;
        } else if in_string
            && end >= 2
            && text[end - 2] == b'\\'
            && matches!(text[end - 1], b'n' | b'r' | b't')
            // `\\n` is a backslash and an `n`, not a line break.
            && !(end >= 3 && text[end - 3] == b'\\')
        {
            end -= 2;
        } else {
            return end;
        }
    }
}

fn plan(text: &str, notation: Notation, document: &PolicyDocument) -> Option<StatementInsertion> {
    let list = document.statement_list.as_ref()?;
    let key = document.statement_key?;
    let bytes = text.as_bytes();
    let slice = |s: xacct_syntax::Span| text.get(s.range());
    let key_text = slice(key)?;
    let in_string = match key_text {
        "\"Statement\"" => false,
        "\\\"Statement\\\"" => true,
        "Statement" | "'Statement'" if notation != Notation::Json => false,
        _ => return None,
    };
    let last = *list.items.last()?;
    // Every item inside the list, in order, none overlapping.
    let mut previous_end = list.span.start;
    for item in &list.items {
        if item.start < previous_end || item.end > list.span.end || item.is_empty() {
            return None;
        }
        slice(*item)?;
        previous_end = item.end;
    }
    let list_text = slice(list.span)?;
    if list_text.starts_with('[') {
        braced(bytes, notation, list, last, in_string)
    } else if notation == Notation::Yaml && !in_string {
        // A block sequence spans from its first `-`, or (indented no deeper than its key)
        // from its first item: `block` checks each item's dash.
        block(text, list, last)
    } else {
        None
    }
}

/// A bracketed list of braced objects.
fn braced(
    bytes: &[u8],
    notation: Notation,
    list: &xacct_model::policy::StatementList,
    last: xacct_syntax::Span,
    in_string: bool,
) -> Option<StatementInsertion> {
    if bytes.get(list.span.end as usize - 1) != Some(&b']') {
        return None;
    }
    for item in &list.items {
        let (start, end) = (item.start as usize, item.end as usize);
        if bytes[start] != b'{' || bytes[end - 1] != b'}' {
            return None;
        }
    }
    // Between items: blanks, one comma, blanks.
    let separator_ok = |from: usize, to: usize| {
        let a = skip_blanks(bytes, from, in_string);
        a < to && bytes[a] == b',' && skip_blanks(bytes, a + 1, in_string) == to
    };
    for pair in list.items.windows(2) {
        if !separator_ok(pair[0].end as usize, pair[1].start as usize) {
            return None;
        }
    }
    // After the last: blanks, a trailing comma (HCL allows one), blanks, `]`.
    let close = list.span.end as usize - 1;
    let mut after = skip_blanks(bytes, last.end as usize, in_string);
    if after < close && bytes[after] == b',' && notation != Notation::Json {
        after = skip_blanks(bytes, after + 1, in_string);
    }
    if after != close {
        return None;
    }
    let text = |from: usize, to: usize| String::from_utf8(bytes[from..to].to_vec()).ok();
    // The neighbour's own layout: blanks after `{` and before `}`, its first key's quoting and
    // assignment.
    let (start, end) = (last.start as usize, last.end as usize);
    let first_key = skip_blanks(bytes, start + 1, in_string);
    let open = text(start + 1, first_key)?;
    let close_at = blanks_before(bytes, end - 1, in_string).max(first_key);
    let close = text(close_at, end - 1)?;
    let quote: &[u8] = if in_string { b"\\\"" } else { b"\"" };
    let quoted_keys = bytes[first_key..].starts_with(quote);
    let key_end = if quoted_keys {
        let from = first_key + quote.len();
        let rest = &bytes[from..end];
        from + rest.windows(quote.len()).position(|w| w == quote)? + quote.len()
    } else if notation == Notation::Hcl {
        first_key
            + bytes[first_key..end]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count()
    } else {
        return None;
    };
    let assign_at = skip_blanks(bytes, key_end, in_string);
    let assign = match bytes.get(assign_at) {
        // As the neighbour writes it: `"Effect":"Allow"` (as the AWS CLI prints a policy
        // in a string) or `"Effect": "Allow"`.
        Some(b':') if bytes.get(assign_at + 1) == Some(&b' ') => ": ",
        Some(b':') => ":",
        Some(b'=') if notation == Notation::Hcl => " = ",
        _ => return None,
    };
    let multiline = open.contains('\n') || (in_string && open.contains("\\n"));
    let between = match (multiline, assign) {
        (true, " = ") => open.clone(),
        (true, _) => format!(",{open}"),
        (false, ":") => ",".to_string(),
        (false, _) => ", ".to_string(),
    };
    let separator = match list.items.len() {
        1 => {
            let open = list.span.start as usize + 1;
            let first = list.items[0].start as usize;
            if !all_blank(&bytes[open..first], in_string) {
                return None;
            }
            match text(open, first)? {
                // `[{…}]`: spaced as the members are.
                blank if blank.is_empty() && assign.ends_with(' ') => ", ".to_string(),
                blank => format!(",{blank}"),
            }
        }
        n => text(
            list.items[n - 2].end as usize,
            list.items[n - 1].start as usize,
        )?,
    };
    Some(StatementInsertion {
        literal: false,
        at: last.end,
        notation: ItemNotation::Braced {
            separator,
            open,
            close,
            between,
            quoted_keys,
            assign: assign.to_string(),
            in_string,
        },
    })
}

/// A YAML block sequence: each item after `- ` at the same column.
fn block(
    text: &str,
    list: &xacct_model::policy::StatementList,
    last: xacct_syntax::Span,
) -> Option<StatementInsertion> {
    let bytes = text.as_bytes();
    let prefix = |item: xacct_syntax::Span| {
        let line_start = text[..item.start as usize]
            .rfind(['\n', '\r'])
            .map_or(0, |i| i + 1);
        let prefix = &text[line_start..item.start as usize];
        let dash = prefix.find('-')?;
        let (indent, rest) = (&prefix[..dash], &prefix[dash + 1..]);
        (indent.bytes().all(|b| b == b' ') && !rest.is_empty() && rest.bytes().all(|b| b == b' '))
            .then(|| (indent.to_string(), prefix.len()))
    };
    let (dash_indent, key_column) = prefix(last)?;
    for item in &list.items {
        if prefix(*item)? != (dash_indent.clone(), key_column) {
            return None;
        }
    }
    let braced = bytes[last.start as usize] == b'{';
    if braced && bytes[last.end as usize - 1] != b'}' {
        return None;
    }
    // After the last item: the rest of its line must be blank or a comment; insert at its end.
    let end = last.end as usize;
    let line_end = text[end..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| end + i);
    let rest = text[end..line_end].trim_start_matches([' ', '\t']);
    let comment_ok =
        rest.starts_with('#') && line_end > end && text[end..].starts_with([' ', '\t']);
    if !(rest.is_empty() || comment_ok) {
        return None;
    }
    // A block scalar or anything else that ends its own line: no guess.
    if end > 0 && matches!(bytes[end - 1], b'\n' | b'\r') {
        return None;
    }
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    Some(StatementInsertion {
        literal: false,
        at: line_end as u32,
        notation: ItemNotation::Block {
            newline: newline.to_string(),
            dash_indent,
            key_indent: " ".repeat(key_column),
            braced,
        },
    })
}

/// The reason a suppression fix writes: the person who applies it says why.
const REASON: &str = "FIXME: say why this finding is accepted";

/// Where each resource of a template without `Metadata` could be given a suppression: after its
/// `Type` line, at the indent of its keys.
pub(crate) fn suppression_slots(
    text: &str,
    notation: Notation,
    root: &xacct_syntax::json::Node<'_>,
) -> Vec<crate::SuppressionSlot> {
    let Some(resources) = root.get("Resources").and_then(|r| r.as_object()) else {
        return Vec::new();
    };
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    resources
        .iter()
        .filter_map(|member| {
            let node = &member.value;
            if node.get("Metadata").is_some() {
                return None;
            }
            let kind = node.as_object()?.iter().find(|m| m.key == "Type")?;
            let key = kind.key_span;
            let value = kind.value.span;
            let line_start = text[..key.start as usize]
                .rfind(['\n', '\r'])
                .map_or(0, |i| i + 1);
            let indent = &text[line_start..key.start as usize];
            // The key alone at the start of its line, its value a scalar on the same line.
            if !indent.bytes().all(|b| b == b' ') || kind.value.as_str().is_none() {
                return None;
            }
            let end = value.end as usize;
            let line_end = text[end..].find(['\n', '\r']).map_or(text.len(), |i| end + i);
            if text.get(key.start as usize..end)?.contains(['\n', '\r']) {
                return None;
            }
            let rest = text[end..line_end].trim_start_matches([' ', '\t']);
            let (at, before, separator, after) = match notation {
                Notation::Yaml => {
                    if !(rest.is_empty() || rest.starts_with('#')) || text[key.range()] != *"Type" {
                        return None;
                    }
                    (
                        line_end,
                        format!(
                            "{newline}{indent}Metadata:{newline}{indent}  xacct:{newline}{indent}    ignore: ["
                        ),
                        ", ",
                        format!("]{newline}{indent}    reason: \"{REASON}\""),
                    )
                }
                Notation::Json => {
                    if text[key.range()] != *"\"Type\"" || !(rest.is_empty() || rest == ",") {
                        return None;
                    }
                    (
                        end,
                        format!(",{newline}{indent}\"Metadata\": {{\"xacct\": {{\"ignore\": [\""),
                        "\", \"",
                        format!("\"], \"reason\": \"{REASON}\"}}}}"),
                    )
                }
                Notation::Hcl => return None,
            };
            Some(crate::SuppressionSlot {
                resource: member.key.to_string(),
                span: xacct_syntax::Span::new(member.key_span.start, node.span.end),
                at: at as u32,
                before,
                separator: separator.to_string(),
                after,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use xacct_model::policy_edit::NewStatement;

    /// The text after inserting a grant into the policy at `path` (keys from the root) of
    /// `text`, or `None` when no insertion is planned.
    fn insert(text: &str, notation: Notation, path: &[&str]) -> Option<String> {
        let document = match notation {
            Notation::Yaml => xacct_syntax::yaml::parse(text).unwrap(),
            _ => xacct_syntax::json::parse(text).unwrap(),
        };
        let mut node = &document.root;
        for key in path {
            node = node.get(key).unwrap();
        }
        let (policy, _) = xacct_model::policy::load_policy(node);
        let insertion = plan(text, notation, &policy)?;
        let new = insertion.render(&NewStatement {
            principal: Some("arn:aws:iam::222222222222:role/R".into()),
            actions: vec!["s3:GetObject*".into()],
            resource: Some("arn:aws:s3:::b/*".into()),
        })?;
        let at = insertion.at as usize;
        Some(format!("{}{new}{}", &text[..at], &text[at..]))
    }

    #[test]
    fn json_one_line_and_pretty() {
        assert_eq!(
            insert(
                r#"{"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}"#,
                Notation::Json,
                &[]
            )
            .unwrap(),
            r#"{"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}, {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:role/R"}, "Action": "s3:GetObject*", "Resource": "arn:aws:s3:::b/*"}]}"#
        );
        let pretty = "{\n  \"Statement\": [\n    {\n      \"Effect\": \"Deny\",\n      \"Action\": \"*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}\n";
        assert_eq!(
            insert(pretty, Notation::Json, &[]).unwrap(),
            "{\n  \"Statement\": [\n    {\n      \"Effect\": \"Deny\",\n      \"Action\": \"*\",\n      \"Resource\": \"*\"\n    },\n    {\n      \"Effect\": \"Allow\",\n      \"Principal\": {\"AWS\": \"arn:aws:iam::222222222222:role/R\"},\n      \"Action\": \"s3:GetObject*\",\n      \"Resource\": \"arn:aws:s3:::b/*\"\n    }\n  ]\n}\n"
        );
    }

    #[test]
    fn yaml_flow_and_block_with_flow_items() {
        assert_eq!(
            insert(
                "P:\n  Statement: [{Effect: Deny, Action: '*', Resource: '*'}]\n",
                Notation::Yaml,
                &["P"]
            ),
            None,
            "bare keys in a flow mapping: the key style is not JSON's, no guess"
        );
        assert_eq!(
            insert(
                "P:\n  Statement: [{\"Effect\": \"Deny\", \"Action\": \"*\", \"Resource\": \"*\"}]\n",
                Notation::Yaml,
                &["P"]
            )
            .unwrap(),
            "P:\n  Statement: [{\"Effect\": \"Deny\", \"Action\": \"*\", \"Resource\": \"*\"}, {\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::222222222222:role/R\"}, \"Action\": \"s3:GetObject*\", \"Resource\": \"arn:aws:s3:::b/*\"}]\n"
        );
        assert_eq!(
            insert(
                "P:\n  Statement:\n  - {Effect: Deny, Action: '*', Resource: '*'}\nQ: 1\n",
                Notation::Yaml,
                &["P"]
            )
            .unwrap(),
            "P:\n  Statement:\n  - {Effect: Deny, Action: '*', Resource: '*'}\n  - {\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::222222222222:role/R\"}, \"Action\": \"s3:GetObject*\", \"Resource\": \"arn:aws:s3:::b/*\"}\nQ: 1\n"
        );
    }

    #[test]
    fn crlf_lines_stay_crlf() {
        assert_eq!(
            insert(
                "P:\r\n  Statement:\r\n    - Effect: Deny\r\n      Action: '*'\r\n      Resource: '*'\r\n",
                Notation::Yaml,
                &["P"]
            )
            .unwrap(),
            "P:\r\n  Statement:\r\n    - Effect: Deny\r\n      Action: '*'\r\n      Resource: '*'\r\n    - Effect: Allow\r\n      Principal:\r\n        AWS: arn:aws:iam::222222222222:role/R\r\n      Action: s3:GetObject*\r\n      Resource: arn:aws:s3:::b/*\r\n"
        );
    }

    #[test]
    fn no_insertion_where_unsure() {
        // One statement object, not a list.
        assert_eq!(
            insert(
                r#"{"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}}"#,
                Notation::Json,
                &[]
            ),
            None
        );
        // An empty list: no neighbour to write like.
        assert_eq!(insert(r#"{"Statement": []}"#, Notation::Json, &[]), None);
        // A comment between flow items.
        assert_eq!(
            insert(
                "P:\n  Statement: [{\"Effect\": \"Deny\"}, # c\n    {\"Effect\": \"Deny\"}]\n",
                Notation::Yaml,
                &["P"]
            ),
            None
        );
        // Items of a block sequence at different columns cannot be (YAML), but a block scalar
        // as the last value ends its own line: no guess where the item ends.
        assert_eq!(
            insert(
                "P:\n  Statement:\n    - Effect: Deny\n      Action: |\n        *\n",
                Notation::Yaml,
                &["P"]
            ),
            None
        );
    }

    #[test]
    fn a_policy_in_a_json_string_is_escaped() {
        let text = r#"{"Policy": "{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}]}"}"#;
        let document = xacct_syntax::json::parse(text).unwrap();
        let inner = document.root.get("Policy").unwrap();
        // The CLI loader parses the string in place; spans are those of the outer file.
        let policies = crate::cli::load_policy_file(
            &document.root,
            text,
            crate::detect::Syntax::Json,
            &Default::default(),
        );
        let _ = inner;
        let policy = &policies.entries[0].document;
        let insertion = plan(text, Notation::Json, policy).unwrap();
        let new = insertion
            .render(&NewStatement {
                principal: None,
                actions: vec!["s3:GetObject".into(), "s3:PutObject".into()],
                resource: Some("arn:aws:s3:::b/*".into()),
            })
            .unwrap();
        let at = insertion.at as usize;
        assert_eq!(
            format!("{}{new}{}", &text[..at], &text[at..]),
            r#"{"Policy": "{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"},{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:PutObject\"],\"Resource\":\"arn:aws:s3:::b/*\"}]}"}"#
        );
    }

    #[test]
    fn suppression_slots_follow_the_type_line() {
        let yaml = "Resources:\n  Role:\n    Type: AWS::IAM::Role  # the role\n    Properties: {}\n  Other:\n    Metadata: {}\n    Type: AWS::S3::Bucket\n";
        let root = xacct_syntax::yaml::parse(yaml).unwrap().root;
        let slots = suppression_slots(yaml, Notation::Yaml, &root);
        assert_eq!(slots.len(), 1, "a resource with Metadata has no slot");
        let s = &slots[0];
        let text = format!("{}XA503, XA9{}", s.before, s.after);
        let at = s.at as usize;
        assert_eq!(
            format!("{}{text}{}", &yaml[..at], &yaml[at..]),
            "Resources:\n  Role:\n    Type: AWS::IAM::Role  # the role\n    Metadata:\n      xacct:\n        ignore: [XA503, XA9]\n        reason: \"FIXME: say why this finding is accepted\"\n    Properties: {}\n  Other:\n    Metadata: {}\n    Type: AWS::S3::Bucket\n"
        );
        let json = "{\"Resources\": {\n  \"Role\": {\n    \"Type\": \"AWS::IAM::Role\",\n    \"Properties\": {}\n  },\n  \"One\": {\"Type\": \"AWS::S3::Bucket\"}\n}}\n";
        let root = xacct_syntax::json::parse(json).unwrap().root;
        let slots = suppression_slots(json, Notation::Json, &root);
        assert_eq!(slots.len(), 1, "a resource written on one line has no slot");
        let s = &slots[0];
        let text = format!("{}XA503{}XA9{}", s.before, s.separator, s.after);
        let at = s.at as usize;
        assert_eq!(
            format!("{}{text}{}", &json[..at], &json[at..]),
            "{\"Resources\": {\n  \"Role\": {\n    \"Type\": \"AWS::IAM::Role\",\n    \"Metadata\": {\"xacct\": {\"ignore\": [\"XA503\", \"XA9\"], \"reason\": \"FIXME: say why this finding is accepted\"}},\n    \"Properties\": {}\n  },\n  \"One\": {\"Type\": \"AWS::S3::Bucket\"}\n}}\n"
        );
    }
}
