//! Values fixed only when a stack is deployed.
//!
//! A template can say `!Sub arn:aws:iam::${DevAccountId}:role/deploy` without the config
//! saying which account `DevAccountId` is, or `!Ref KMSKey` for a key ID CloudFormation picks at
//! creation. Resolved template values keep such parts as *placeholders*, written as `!Sub`
//! writes them: `${DevAccountId}`, `${AWS::AccountId}`, `${KMSKey}`. A placeholder is never a
//! fact: an account that is a placeholder is unknown (neither equal to nor different from any
//! other), so rules that need it stay silent, as they do for every unknown.

/// True when the text between `${` and `}` names a template value rather than an IAM policy
/// variable: parameters and resources have no colon, pseudo-parameters two
/// (`AWS::AccountId`), while IAM variables have one (`aws:username`, `s3:prefix`).
fn is_template_name(inner: &str) -> bool {
    !inner.is_empty()
        && !inner.contains(['{', '}'])
        && (!inner.contains(':') || inner.contains("::"))
}

/// Where `sigil` followed by `{` first appears in `text` (`find("${")` for `b'$'`).
///
/// Most texts asked (ARNs, names) hold no sigil at all: one `memchr` says so, where a
/// two-byte substring searcher would be set up on every call.
pub fn find_opening(text: &str, sigil: u8) -> Option<usize> {
    let bytes = text.as_bytes();
    if !bytes.contains(&sigil) {
        return None;
    }
    bytes
        .windows(2)
        .position(|pair| pair[0] == sigil && pair[1] == b'{')
}

/// True when `text` holds a template placeholder anywhere.
pub fn contains_placeholder(text: &str) -> bool {
    let mut rest = text;
    while let Some(start) = find_opening(rest, b'$') {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return false;
        };
        if is_template_name(&after[..end]) {
            return true;
        }
        rest = &after[end + 1..];
    }
    false
}

/// True when a value holds a CodePipeline variable (`#{Namespace.Name}`), known only at run
/// time, or a template placeholder (`${DevAccountId}`), known only once its stack is deployed.
pub fn has_variable(value: &str) -> bool {
    find_opening(value, b'#').is_some() || contains_placeholder(value)
}

/// True when `text` is exactly one template placeholder (`${KMSKey}`).
pub fn is_placeholder(text: &str) -> bool {
    text.len() > 3
        && text.starts_with("${")
        && text.ends_with('}')
        && is_template_name(&text[2..text.len() - 1])
}

/// A placeholder for `name`.
pub fn placeholder(name: &str) -> String {
    format!("${{{name}}}")
}

/// The placeholder for the name of a role or user a template declares without naming it:
/// `resource_name("DeployRole", "RoleName")` is `${DeployRole.RoleName}`. `Ref` of an
/// `AWS::IAM::Role` gives the role's name, never its ARN (CloudFormation resource reference,
/// return values), and a name is no principal: the loader marks such a value so a rule can say
/// what it is, whatever the input format.
pub fn resource_name(logical_id: &str, attribute: &str) -> String {
    placeholder(&format!("{logical_id}.{attribute}"))
}

/// What a placeholder made by [`resource_name`] names: `("role", "DeployRole")` for
/// `${DeployRole.RoleName}`, `("user", …)` for `….UserName`.
pub fn resource_name_of(text: &str) -> Option<(&'static str, &str)> {
    if !is_placeholder(text) {
        return None;
    }
    let inner = &text[2..text.len() - 1];
    let (id, attribute) = inner.rsplit_once('.')?;
    let what = match attribute {
        "RoleName" => "role",
        "UserName" => "user",
        _ => return None,
    };
    (!id.is_empty() && !id.contains('.')).then_some((what, id))
}

/// Up to `N` fields of a colon-separated text, without allocating: ARN fields are split for
/// every pattern of every statement an IAM evaluation reads.
#[derive(Clone, Copy, Debug)]
pub struct Fields<'a, const N: usize> {
    items: [&'a str; N],
    len: usize,
}

impl<'a, const N: usize> std::ops::Deref for Fields<'a, N> {
    type Target = [&'a str];

    fn deref(&self) -> &[&'a str] {
        &self.items[..self.len]
    }
}

impl<'a, const N: usize> Fields<'a, N> {
    fn push(&mut self, field: &'a str) {
        self.items[self.len] = field;
        self.len += 1;
    }
}

/// Splits `text` on `:` outside placeholders, into at most `N` fields (the last takes the
/// rest), so that `arn:aws:iam::${AWS::AccountId}:role/x` keeps its account field whole.
pub fn split_colons<const N: usize>(text: &str) -> Fields<'_, N> {
    let mut fields = Fields {
        items: [""; N],
        len: 0,
    };
    if N == 0 {
        return fields;
    }
    // Without a `$` there is no placeholder: split on every colon. ARNs are short, and their
    // fields shorter: a plain loop beats a `memchr` per field.
    let bytes = text.as_bytes();
    if !bytes.contains(&b'$') {
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if b == b':' && fields.len + 1 < N {
                fields.push(&text[start..i]);
                start = i + 1;
            }
        }
        fields.push(&text[start..]);
        return fields;
    }
    let (mut start, mut depth, mut i) = (0, 0usize, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 && fields.len + 1 < N => {
                fields.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    fields.push(&text[start..]);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_opening_finds_what_a_substring_search_finds() {
        let texts = [
            "",
            "{",
            "${",
            "x${a}",
            "{${a}",
            "#{Vars.x}${b}",
            "$ {a}${b}",
            "é${a}",
            "${}${",
            "arn:aws:iam::111111111111:role/x",
            "$$${{",
            "#{",
        ];
        for text in texts {
            assert_eq!(find_opening(text, b'$'), text.find("${"), "{text:?}");
            assert_eq!(find_opening(text, b'#'), text.find("#{"), "{text:?}");
        }
    }

    #[test]
    fn without_placeholders_colons_split_as_splitn_splits() {
        for text in [
            "",
            ":",
            "arn:aws:iam::111111111111:role/a",
            "arn:aws:s3:::bucket/key:with:colons",
            "a:b",
            "$:{x}:y",
            "é:ü::",
        ] {
            let expected: Vec<&str> = text.splitn(6, ':').collect();
            assert_eq!(&*split_colons::<6>(text), &expected[..], "{text:?}");
            let expected: Vec<&str> = text.splitn(2, ':').collect();
            assert_eq!(&*split_colons::<2>(text), &expected[..], "{text:?}");
        }
    }

    #[test]
    fn placeholders() {
        assert!(is_placeholder("${KMSKey}"));
        assert!(is_placeholder("${AWS::AccountId}"));
        assert!(!is_placeholder("arn:${X}"));
        assert!(!is_placeholder("${}"));
        // IAM policy variables are not template placeholders.
        assert!(!is_placeholder("${aws:username}"));
        assert!(!contains_placeholder("arn:aws:s3:::b/${aws:username}/*"));
        assert!(contains_placeholder(
            "arn:aws:s3:::b/${aws:username}/${Bucket}"
        ));
        assert!(contains_placeholder("arn:aws:iam::${DevAccountId}:role/x"));
        assert_eq!(placeholder("AWS::Region"), "${AWS::Region}");
    }

    #[test]
    fn resource_names() {
        let role = resource_name("DeployRole", "RoleName");
        assert_eq!(role, "${DeployRole.RoleName}");
        assert!(is_placeholder(&role));
        assert_eq!(resource_name_of(&role), Some(("role", "DeployRole")));
        assert_eq!(
            resource_name_of("${Builder.UserName}"),
            Some(("user", "Builder"))
        );
        assert_eq!(resource_name_of("${DeployRole}"), None);
        assert_eq!(resource_name_of("${DeployRole.Arn}"), None);
        assert_eq!(resource_name_of("x${DeployRole.RoleName}"), None);
        assert_eq!(resource_name_of("${.RoleName}"), None);
    }

    #[test]
    fn colons_inside_placeholders_do_not_split() {
        assert_eq!(
            *split_colons::<5>("aws:iam::${AWS::AccountId}:role/x:y"),
            ["aws", "iam", "", "${AWS::AccountId}", "role/x:y"]
        );
        assert_eq!(*split_colons::<2>("a:b:c"), ["a", "b:c"]);
        assert_eq!(*split_colons::<6>("a:b:c"), ["a", "b", "c"]);
        assert_eq!(*split_colons::<6>(""), [""]);
        assert_eq!(*split_colons::<3>("a:b}:c:d"), ["a", "b}", "c:d"]);
    }
}
