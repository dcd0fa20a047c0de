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
pub(crate) fn plan_all<'d>(
    text: &str,
    notation: Notation,
    documents: impl IntoIterator<Item = &'d mut PolicyDocument>,
) {
    for document in documents {
        document.insertion = plan(text, notation, document);
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
    } else if notation == Notation::Yaml && list_text.starts_with('-') && !in_string {
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
    let separator = match list.items.len() {
        1 => {
            let open = list.span.start as usize + 1;
            let first = list.items[0].start as usize;
            if !all_blank(&bytes[open..first], in_string) {
                return None;
            }
            format!(",{}", text(open, first)?)
        }
        n => text(
            list.items[n - 2].end as usize,
            list.items[n - 1].start as usize,
        )?,
    };
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
    Some(StatementInsertion {
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
        at: line_end as u32,
        notation: ItemNotation::Block {
            newline: newline.to_string(),
            dash_indent,
            key_indent: " ".repeat(key_column),
            braced,
        },
    })
}
