use super::*;
use crate::json::Value;

fn at(text: &str, span: Span) -> &str {
    &text[span.range()]
}

fn doc(text: &str) -> Document<'_> {
    parse(text).unwrap_or_else(|e| panic!("{e} at {:?}", e.span))
}

#[test]
fn short_form_tags_become_long_forms_with_spans() {
    let text = "A: !Sub \"arn:aws:iam::${DevAccountId}:role/x\"\nB: !Ref Foo\nC: !GetAtt Role.Arn\nD: !GetAtt [Role, Arn]\n";
    let d = doc(text);
    let a = d.root.member("A").unwrap();
    assert_eq!(at(text, a.key_span), "A");
    let sub = a.value.member("Fn::Sub").unwrap();
    assert_eq!(at(text, sub.key_span), "!Sub");
    assert_eq!(
        at(text, sub.value.span),
        "\"arn:aws:iam::${DevAccountId}:role/x\""
    );
    assert_eq!(
        sub.value.as_str(),
        Some("arn:aws:iam::${DevAccountId}:role/x")
    );
    assert_eq!(
        at(text, a.value.span),
        "!Sub \"arn:aws:iam::${DevAccountId}:role/x\""
    );

    let b = d.root.get("B").unwrap().member("Ref").unwrap();
    assert_eq!(
        (at(text, b.key_span), at(text, b.value.span)),
        ("!Ref", "Foo")
    );
    assert_eq!(b.value.as_str(), Some("Foo"));

    let c = d.root.get("C").unwrap().get("Fn::GetAtt").unwrap();
    let parts: Vec<(&str, &str)> = c
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n.as_str().unwrap(), at(text, n.span)))
        .collect();
    assert_eq!(parts, [("Role", "Role"), ("Arn", "Arn")]);

    let list = d.root.get("D").unwrap().member("Fn::GetAtt").unwrap();
    assert_eq!(at(text, list.key_span), "!GetAtt");
    assert_eq!(at(text, list.value.span), "[Role, Arn]");
    let names: Vec<&str> = list
        .value
        .as_array()
        .unwrap()
        .iter()
        .map(|n| at(text, n.span))
        .collect();
    assert_eq!(names, ["Role", "Arn"]);
}

#[test]
fn every_short_form_has_its_long_form() {
    for (short, long) in CFN_TAGS {
        let text = format!("K: !{short} [a, b]\n");
        let d = doc(&text);
        let wrapped = d.root.get("K").unwrap();
        let member = &wrapped.as_object().unwrap()[0];
        assert_eq!(&*member.key, *long, "!{short}");
        assert_eq!(at(&text, member.key_span), format!("!{short}"));
    }
}

#[test]
fn get_att_keeps_dots_in_the_attribute() {
    let d = doc("K: !GetAtt Db.Endpoint.Address\n");
    let parts: Vec<&str> = d
        .root
        .get("K")
        .unwrap()
        .get("Fn::GetAtt")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert_eq!(parts, ["Db", "Endpoint.Address"]);
}

#[test]
fn spans_after_a_block_scalar_with_non_ascii_text_are_exact() {
    let text = "Description: |\n  Pipeline für die Bereitstellung — ünïcödé\n  zweite Zeile ✓\nRoleArn: !Sub arn:aws:iam::${AWS::AccountId}:role/x\nName: café\n";
    let d = doc(text);
    let description = d.root.get("Description").unwrap();
    assert_eq!(
        description.as_str(),
        Some("Pipeline für die Bereitstellung — ünïcödé\nzweite Zeile ✓\n")
    );
    let role = d.root.member("RoleArn").unwrap();
    assert_eq!(at(text, role.key_span), "RoleArn");
    let sub = role.value.member("Fn::Sub").unwrap();
    assert_eq!(
        at(text, sub.value.span),
        "arn:aws:iam::${AWS::AccountId}:role/x"
    );
    let name = d.root.get("Name").unwrap();
    assert_eq!(at(text, name.span), "café");
    // Line 4 (1-based), as the user sees it.
    let line = text[..role.key_span.start as usize].matches('\n').count() + 1;
    assert_eq!(line, 4);
}

#[test]
fn anchors_and_aliases_copy_the_anchored_node() {
    let text = "Base: &trust\n  Effect: Allow\n  Action: sts:AssumeRole\nCopy: *trust\n";
    let d = doc(text);
    let copy = d.root.get("Copy").unwrap();
    assert_eq!(copy.get("Effect").unwrap().as_str(), Some("Allow"));
    // The copy points at the anchored text.
    assert_eq!(at(text, copy.get("Effect").unwrap().span), "Allow");
    assert_eq!(copy, d.root.get("Base").unwrap());
}

#[test]
fn billion_laughs_is_an_error_not_a_hang() {
    let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 0..9u8 {
        let (prev, next) = ((b'a' + i) as char, (b'b' + i) as char);
        text.push_str(&format!("{next}: &{next} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
    }
    let error = parse(&text).unwrap_err();
    assert_eq!(
        error.kind,
        ParseErrorKind::AliasExpansion {
            limit: 16 * 1024 * 1024
        }
    );
}

#[test]
fn duplicate_keys_are_reported() {
    let text = "Effect: Allow\nAction: x\nEffect: Deny\n";
    let d = doc(text);
    assert_eq!(d.duplicates.len(), 1);
    let dup = &d.duplicates[0];
    assert_eq!(dup.key, "Effect");
    assert_eq!(
        (dup.first, dup.second),
        (Span::new(0, 6), Span::new(24, 30))
    );
    // The later value wins, as in JSON.
    assert_eq!(d.root.get("Effect").unwrap().as_str(), Some("Deny"));
}

#[test]
fn core_schema_scalars() {
    let text = "a: 012345678901\nb: true\nc: ~\nd: '12'\ne: 1.5e3\nf: 2012-10-17\ng:\n";
    let d = doc(text);
    let kinds: Vec<(&str, &str)> = d
        .root
        .as_object()
        .unwrap()
        .iter()
        .map(|m| (&*m.key, m.value.kind_name()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("a", "number"),
            ("b", "boolean"),
            ("c", "null"),
            ("d", "string"),
            ("e", "number"),
            ("f", "string"),
            ("g", "null")
        ]
    );
    // Numbers keep their text.
    assert_eq!(
        d.root.get("a").unwrap().value,
        Value::Number("012345678901".into())
    );
}

#[test]
fn collections_span_their_text() {
    let text = "Statement:\n  - Effect: Allow\n    Action: '*'\n  - Effect: Deny\nFlow: {a: 1, b: [2, 3]}\n";
    let d = doc(text);
    let statement = d.root.get("Statement").unwrap();
    assert_eq!(
        at(text, statement.span),
        "- Effect: Allow\n    Action: '*'\n  - Effect: Deny"
    );
    let first = &statement.as_array().unwrap()[0];
    assert_eq!(at(text, first.span), "Effect: Allow\n    Action: '*'");
    assert_eq!(
        at(text, d.root.get("Flow").unwrap().span),
        "{a: 1, b: [2, 3]}"
    );
}

#[test]
fn malformed_yaml_is_an_error_with_a_span() {
    let text = "a: [1, 2\nb: c\n";
    let error = parse(text).unwrap_err();
    assert!(matches!(error.kind, ParseErrorKind::Yaml(_)), "{error:?}");
    assert!(error.span.start as usize <= text.len());
    let text = "a: b\n c: d: e\n";
    assert!(parse(text).is_err());
}

#[test]
fn deep_nesting_is_an_error() {
    // Block nesting: bounded here.
    let text: String = (0..300)
        .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
        .collect();
    assert_eq!(
        parse(&text).unwrap_err().kind,
        ParseErrorKind::TooDeep { limit: 256 }
    );
    // Flow nesting: the scanner bounds it first (255 levels), reported the same way.
    let text = "[".repeat(100_000);
    assert_eq!(
        parse(&text).unwrap_err().kind,
        ParseErrorKind::TooDeep { limit: 255 }
    );
}

#[test]
fn empty_and_comment_only_files_are_null() {
    for text in ["", "# just a comment\n", "\u{feff}"] {
        let d = doc(text);
        assert_eq!(d.root.value, Value::Null);
    }
}

#[test]
fn only_the_first_document_is_read() {
    let d = doc("a: 1\n---\nb: 2\n");
    assert!(d.root.get("a").is_some() && d.root.get("b").is_none());
}

#[test]
fn complex_keys_are_an_error() {
    assert!(parse("? [a, b]\n: c\n").is_err());
}

mod no_panic {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
            let _ = super::parse(&text);
        }

        #[test]
        fn yaml_looking_text_never_panics(text in "([a-z!&*:\\[\\]{}, \n\"'|>#-]|ü|—){0,120}") {
            if let Ok(doc) = super::parse(&text) {
                // Every span lies on character boundaries inside the text.
                fn check(text: &str, node: &crate::json::Node<'_>) {
                    assert!(text.get(node.span.range()).is_some(), "{:?} in {text:?}", node.span);
                    match &node.value {
                        crate::json::Value::Array(items) => items.iter().for_each(|n| check(text, n)),
                        crate::json::Value::Object(members) => members.iter().for_each(|m| {
                            assert!(text.get(m.key_span.range()).is_some());
                            check(text, &m.value);
                        }),
                        _ => {}
                    }
                }
                check(&text, &doc.root);
            }
        }
    }
}

#[test]
fn quoted_scalars_end_at_their_closing_quote_not_at_a_comment() {
    let text = "A: !Sub \"x\\\"y\" # comment\nB: 'it''s' # c2\nC: \"multi\n  line\" # c3\n";
    let d = doc(text);
    let a = d.root.get("A").unwrap();
    assert_eq!(at(text, a.span), "!Sub \"x\\\"y\"");
    assert_eq!(at(text, a.get("Fn::Sub").unwrap().span), "\"x\\\"y\"");
    assert_eq!(at(text, d.root.get("B").unwrap().span), "'it''s'");
    assert_eq!(at(text, d.root.get("C").unwrap().span), "\"multi\n  line\"");
}
