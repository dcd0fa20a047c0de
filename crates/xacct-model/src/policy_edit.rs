//! One more statement for a policy document, written as the file writes its others.
//!
//! The loader, which knows the file's notation, finds where the `Statement` list ends and how
//! its items are written ([`StatementInsertion`]); a rule that knows the exact statement to add
//! asks for the text ([`StatementInsertion::render`]) without knowing the notation. Where the
//! loader is unsure how to write into the list (a single statement object, an empty list, a
//! policy URL-encoded or generated, comments between items), the document has no insertion and
//! the finding no fix: never a wrong edit.

/// A statement to add: `Effect: Allow`, with an optional AWS principal, the actions and an
/// optional resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewStatement {
    /// `Principal: {AWS: ...}` (resource policies only).
    pub principal: Option<String>,
    /// `Action`: one is written as a string, more as a list.
    pub actions: Vec<String>,
    /// `Resource` (identity and key policies).
    pub resource: Option<String>,
}

impl NewStatement {
    /// The members in the order the help lines print them: (key, value).
    fn members(&self) -> Vec<(&'static str, Member<'_>)> {
        let mut members = vec![("Effect", Member::Text("Allow"))];
        if let Some(principal) = &self.principal {
            members.push(("Principal", Member::Aws(principal)));
        }
        members.push(("Action", Member::List(&self.actions)));
        if let Some(resource) = &self.resource {
            members.push(("Resource", Member::Text(resource)));
        }
        members
    }

    /// Values that no notation here can carry as they are: template syntax (`${`, `%{`, which
    /// a template or Terraform would read as an interpolation, and a deploy-time placeholder
    /// is no value to write), quotes that a YAML single-quoted scalar would end at, control
    /// characters.
    fn writable(&self) -> bool {
        let ok = |s: &str| {
            !s.is_empty()
                && !s.contains("${")
                && !s.contains("%{")
                && !s.contains('\'')
                && !s.chars().any(char::is_control)
        };
        !self.actions.is_empty()
            && self.actions.iter().all(|a| ok(a))
            && self.principal.as_deref().is_none_or(ok)
            && self.resource.as_deref().is_none_or(ok)
    }
}

enum Member<'a> {
    Text(&'a str),
    Aws(&'a str),
    List(&'a [String]),
}

/// Where and how to write one more statement into a document's `Statement` list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementInsertion {
    /// The byte offset to insert at (after the last statement, or at the end of its line).
    pub at: u32,
    /// How the list's items are written.
    pub notation: ItemNotation,
    /// The file writes its values as they are (an AWS CLI output): the statement's values,
    /// which the run resolved, fit it. In a template or a Terraform configuration they may
    /// stand for parameters, references or variables, which a literal would replace for every
    /// deployment: such a fix needs review.
    pub literal: bool,
}

/// How the items of a `Statement` list are written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ItemNotation {
    /// Braced objects separated by commas: JSON, a YAML flow sequence, a Terraform tuple of
    /// objects, JSON in a string.
    Braced {
        /// What goes between the last item and the new one, copied from the list (`,\n    `).
        separator: String,
        /// After the opening brace: the neighbour's blanks (a line break and an indent when
        /// it is written over several lines).
        open: String,
        /// Before the closing brace, likewise.
        close: String,
        /// Between members: `,` and the blanks of `open` for JSON; the blanks alone where
        /// members are assigned with `=` (Terraform, whose objects need no commas on separate
        /// lines).
        between: String,
        /// Keys in double quotes (`"Effect"`) or bare (`Effect`).
        quoted_keys: bool,
        /// `: ` or ` = `.
        assign: String,
        /// The list is inside a JSON (or YAML double-quoted) string: quotes and backslashes
        /// of the new text are escaped once more.
        in_string: bool,
    },
    /// YAML block sequence items, one `- ` a statement, members on lines of their own.
    Block {
        /// `\n` or `\r\n`, as the file ends its lines.
        newline: String,
        /// The blanks before the `-`.
        dash_indent: String,
        /// The blanks before the item's keys (after the `- `).
        key_indent: String,
        /// The neighbour is a braced object after its dash (`- {...}`): so is the new one.
        braced: bool,
    },
}

impl StatementInsertion {
    /// The text to insert at [`StatementInsertion::at`], or `None` when a value cannot be
    /// written safely in this notation.
    pub fn render(&self, statement: &NewStatement) -> Option<String> {
        if !statement.writable() {
            return None;
        }
        Some(match &self.notation {
            ItemNotation::Braced {
                separator,
                open,
                close,
                between,
                quoted_keys,
                assign,
                in_string,
            } => {
                let string = |s: &str| {
                    let literal = json_string(s);
                    if *in_string {
                        json_escape(&literal)
                    } else {
                        literal
                    }
                };
                let key = |k: &str| {
                    if *quoted_keys {
                        string(k)
                    } else {
                        k.to_string()
                    }
                };
                let members: Vec<String> = statement
                    .members()
                    .into_iter()
                    .map(|(k, value)| {
                        let value = match value {
                            Member::Text(s) => string(s),
                            // `{ AWS = "…" }` as terraform fmt spaces it; `{"AWS": "…"}`.
                            Member::Aws(s) if assign == " = " => {
                                format!("{{ {}{assign}{} }}", key("AWS"), string(s))
                            }
                            Member::Aws(s) => format!("{{{}{assign}{}}}", key("AWS"), string(s)),
                            Member::List(items) if items.len() == 1 => string(&items[0]),
                            Member::List(items) => {
                                let items: Vec<String> = items.iter().map(|i| string(i)).collect();
                                // Compact as the neighbour (`"a","b"`) or spaced.
                                let comma = if assign.ends_with(' ') { ", " } else { "," };
                                format!("[{}]", items.join(comma))
                            }
                        };
                        format!("{}{assign}{value}", key(k))
                    })
                    .collect();
                format!("{separator}{{{open}{}{close}}}", members.join(between))
            }
            ItemNotation::Block {
                newline,
                dash_indent,
                key_indent,
                braced: true,
            } => {
                let _ = key_indent;
                let members: Vec<String> = statement
                    .members()
                    .into_iter()
                    .map(|(k, value)| {
                        let value = match value {
                            Member::Text(s) => json_string(s),
                            Member::Aws(s) => format!("{{\"AWS\": {}}}", json_string(s)),
                            Member::List(items) if items.len() == 1 => json_string(&items[0]),
                            Member::List(items) => {
                                let items: Vec<String> =
                                    items.iter().map(|i| json_string(i)).collect();
                                format!("[{}]", items.join(", "))
                            }
                        };
                        format!("\"{k}\": {value}")
                    })
                    .collect();
                format!("{newline}{dash_indent}- {{{}}}", members.join(", "))
            }
            ItemNotation::Block {
                newline,
                dash_indent,
                key_indent,
                braced: false,
            } => {
                let mut out = String::new();
                for (i, (k, value)) in statement.members().into_iter().enumerate() {
                    out.push_str(newline);
                    if i == 0 {
                        out.push_str(dash_indent);
                        out.push_str("- ");
                    } else {
                        out.push_str(key_indent);
                    }
                    out.push_str(k);
                    out.push(':');
                    match value {
                        Member::Text(s) => {
                            out.push(' ');
                            out.push_str(&yaml_scalar(s));
                        }
                        Member::Aws(s) => {
                            out.push_str(&format!(
                                "{newline}{key_indent}  AWS: {}",
                                yaml_scalar(s)
                            ));
                        }
                        Member::List(items) if items.len() == 1 => {
                            out.push(' ');
                            out.push_str(&yaml_scalar(&items[0]));
                        }
                        Member::List(items) => {
                            for item in items {
                                out.push_str(&format!(
                                    "{newline}{key_indent}  - {}",
                                    yaml_scalar(item)
                                ));
                            }
                        }
                    }
                }
                out
            }
        })
    }
}

/// `s` as a JSON string literal (valid YAML and HCL too, for the values written here).
fn json_string(s: &str) -> String {
    format!("\"{}\"", json_escape(s))
}

/// Backslashes and quotes escaped, as inside a JSON string.
fn json_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// A YAML scalar: plain where that reads the same (`s3:GetObject*`, `arn:aws:s3:::b/*`), else
/// double-quoted.
fn yaml_scalar(s: &str) -> String {
    let plain = s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || ":/._*-".contains(c))
        && !s.ends_with(':')
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        )
        && s.parse::<f64>().is_err();
    if plain {
        s.to_string()
    } else {
        json_string(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement() -> NewStatement {
        NewStatement {
            principal: Some("arn:aws:iam::222222222222:role/Deploy".into()),
            actions: vec!["kms:Decrypt".into(), "kms:DescribeKey".into()],
            resource: Some("*".into()),
        }
    }

    #[test]
    fn json_in_a_string_is_escaped_once_more() {
        let insertion = StatementInsertion {
            at: 0,
            literal: true,
            notation: ItemNotation::Braced {
                separator: ",\\n    ".into(),
                open: String::new(),
                close: String::new(),
                between: ", ".into(),
                quoted_keys: true,
                assign: ": ".into(),
                in_string: true,
            },
        };
        assert_eq!(
            insertion.render(&statement()).unwrap(),
            r#",\n    {\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::222222222222:role/Deploy\"}, \"Action\": [\"kms:Decrypt\", \"kms:DescribeKey\"], \"Resource\": \"*\"}"#
        );
    }

    #[test]
    fn yaml_block_items_quote_only_what_needs_it() {
        let insertion = StatementInsertion {
            at: 0,
            literal: true,
            notation: ItemNotation::Block {
                newline: "\n".into(),
                dash_indent: "  ".into(),
                key_indent: "    ".into(),
                braced: false,
            },
        };
        assert_eq!(
            insertion.render(&statement()).unwrap(),
            "\n  - Effect: Allow\n    Principal:\n      AWS: arn:aws:iam::222222222222:role/Deploy\n    Action:\n      - kms:Decrypt\n      - kms:DescribeKey\n    Resource: \"*\""
        );
    }

    #[test]
    fn placeholders_and_quotes_are_not_written() {
        let insertion = StatementInsertion {
            at: 0,
            literal: true,
            notation: ItemNotation::Block {
                newline: "\n".into(),
                dash_indent: String::new(),
                key_indent: "  ".into(),
                braced: true,
            },
        };
        let mut s = statement();
        s.resource = Some("arn:aws:s3:::${Bucket}/*".into());
        assert_eq!(insertion.render(&s), None);
        s.resource = Some("arn:aws:s3:::it's/*".into());
        assert_eq!(insertion.render(&s), None);
        s.resource = None;
        assert_eq!(
            insertion.render(&s).unwrap(),
            "\n- {\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::222222222222:role/Deploy\"}, \"Action\": [\"kms:Decrypt\", \"kms:DescribeKey\"]}"
        );
    }
}
