use super::*;

fn err(text: &str) -> ParseError {
    parse(text).unwrap_err()
}

#[test]
fn spans_cover_keys_and_values() {
    let doc = parse(r#"{"a": [1, "x\n"], "b": null}"#).unwrap();
    let a = doc.root.member("a").unwrap();
    assert_eq!(a.key_span, Span::new(1, 4));
    assert_eq!(a.value.span, Span::new(6, 16));
    let items = a.value.as_array().unwrap();
    assert_eq!(items[1].span, Span::new(10, 15));
    assert_eq!(items[1].as_str(), Some("x\n"));
    assert_eq!(doc.root.get("b").unwrap().value, Value::Null);
}

#[test]
fn duplicate_keys_are_reported_and_the_last_wins() {
    let doc = parse(r#"{"Effect": "Allow", "Effect": "Deny"}"#).unwrap();
    assert_eq!(
        doc.duplicates,
        vec![DuplicateKey {
            key: "Effect".into(),
            first: Span::new(1, 9),
            second: Span::new(20, 28)
        }]
    );
    assert_eq!(doc.root.get("Effect").unwrap().as_str(), Some("Deny"));
}

#[test]
fn duplicate_keys_in_large_objects_use_the_hashed_path() {
    let mut text = String::from("{");
    for i in 0..20 {
        text.push_str(&format!("\"k{i}\": {i},"));
    }
    text.push_str("\"k3\": 0}");
    let doc = parse(&text).unwrap();
    assert_eq!(doc.duplicates.len(), 1);
    assert_eq!(doc.duplicates[0].key, "k3");
    assert_eq!(&text[doc.duplicates[0].first.range()], "\"k3\"");
}

#[test]
fn escapes_decode_and_keep_the_raw_span() {
    let doc = parse(r#"["\u00e4\ud83d\ude00\/\t"]"#).unwrap();
    let s = &doc.root.as_array().unwrap()[0];
    assert_eq!(s.as_str(), Some("ä😀/\t"));
    assert_eq!(s.span, Span::new(1, 25));
}

#[test]
fn errors_point_at_the_fault() {
    assert_eq!(
        err("{\"a\": 1,}"),
        ParseError {
            kind: ParseErrorKind::Unexpected {
                found: "`}`".into(),
                expected: "a string key"
            },
            span: Span::new(8, 9)
        }
    );
    assert_eq!(
        err("{\"a\" 1}").kind,
        ParseErrorKind::Unexpected {
            found: "`1`".into(),
            expected: "`:`"
        }
    );
    assert_eq!(
        err("[1, 2").kind,
        ParseErrorKind::UnexpectedEof {
            expected: "`,` or `]`"
        }
    );
    assert_eq!(err("[1, 2").span, Span::empty(5));
    assert_eq!(
        err("{} x").kind,
        ParseErrorKind::TrailingCharacters {
            found: "`x`".into()
        }
    );
    assert_eq!(err("[01]").kind, ParseErrorKind::InvalidNumber);
    assert_eq!(err("[1.]").kind, ParseErrorKind::InvalidNumber);
    assert_eq!(err("[-]").kind, ParseErrorKind::InvalidNumber);
    assert_eq!(err("[1e+]").kind, ParseErrorKind::InvalidNumber);
    assert_eq!(err("[\"a\\x\"]").kind, ParseErrorKind::InvalidEscape);
    assert_eq!(err("[\"a\\x\"]").span, Span::new(3, 5));
    assert_eq!(err("[\"\\ud800\"]").kind, ParseErrorKind::LoneSurrogate);
    assert_eq!(err("[\"a\tb\"]").kind, ParseErrorKind::ControlCharacter(9));
    assert_eq!(err("[\"abc").kind, ParseErrorKind::UnterminatedString);
    assert_eq!(err("[\"abc").span, Span::new(1, 2));
    assert_eq!(
        err("[tru]").kind,
        ParseErrorKind::Unexpected {
            found: "`t`".into(),
            expected: "a JSON value"
        }
    );
    assert_eq!(
        err("// c\n{}").kind,
        ParseErrorKind::Unexpected {
            found: "`/`".into(),
            expected: "a JSON value"
        }
    );
}

#[test]
fn nesting_is_bounded() {
    let ok = format!("{}{}", "[".repeat(DEFAULT_DEPTH), "]".repeat(DEFAULT_DEPTH));
    assert!(parse(&ok).is_ok());
    let deep = "[".repeat(100_000);
    let e = err(&deep);
    assert_eq!(e.kind, ParseErrorKind::TooDeep { limit: 256 });
    assert_eq!(
        e.span,
        Span::new(DEFAULT_DEPTH as u32, DEFAULT_DEPTH as u32 + 1)
    );
    // A raised limit, never above the ceiling.
    let limits = |depth| ParseLimits {
        depth,
        ..ParseLimits::default()
    };
    // At the ceiling, on a stack as large as xacct's worker threads have.
    let at_ceiling = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    let (parsed, beyond) = std::thread::Builder::new()
        .stack_size(64 * 1024 * 1024)
        .spawn(move || {
            (
                parse_with(&at_ceiling, &limits(MAX_DEPTH)).is_ok(),
                parse_with(&deep, &limits(usize::MAX)).unwrap_err().kind,
            )
        })
        .unwrap()
        .join()
        .unwrap();
    assert!(parsed);
    assert_eq!(beyond, ParseErrorKind::TooDeep { limit: MAX_DEPTH });
}

#[test]
fn a_bom_is_noted_and_skipped() {
    let doc = parse("\u{feff}{\"a\": 1}").unwrap();
    assert_eq!(doc.bom, Some(Span::new(0, 3)));
    assert_eq!(doc.root.get("a").unwrap().span, Span::new(9, 10));
}

#[test]
fn numbers_are_kept_as_written() {
    let big = format!("[{}]", "9".repeat(10_000));
    let doc = parse(&big).unwrap();
    assert_eq!(
        doc.root.as_array().unwrap()[0].value,
        Value::Number(big[1..10_001].into())
    );
}

#[test]
fn agrees_with_serde_json_on_what_is_valid() {
    for text in [
        "{}",
        "[]",
        "0",
        "-0.5e10",
        "\"\"",
        "[true,false,null]",
        "{\"a\":{\"b\":[{}]}}",
        "[1,]",
        "{,}",
        "[1 2]",
        "{\"a\":1 \"b\":2}",
        "01",
        "\"\\u12\"",
        "nul",
        "[\"\u{7f}\"]",
    ] {
        assert_eq!(
            parse(text).is_ok(),
            serde_json::from_str::<serde_json::Value>(text).is_ok(),
            "disagreement on {text:?}"
        );
    }
}

#[test]
fn a_typographic_quote_is_named_as_the_culprit() {
    // As published in the CodePipeline user guide's cross-account walkthrough.
    let text = "{\n    \"artifactStore\u{201D}: {\n        \"location\": \"b\"\n    }\n}";
    let e = err(text);
    assert_eq!(e.kind, ParseErrorKind::TypographicQuote('\u{201D}'));
    assert_eq!(&text[e.span.range()], "\u{201D}");
    assert_eq!(
        e.to_string(),
        "typographic quote `\u{201D}` cannot close a JSON string; use a plain `\"`"
    );
}

#[test]
fn embedded_json_spans_point_into_the_outer_file() {
    // As `aws s3api get-bucket-policy` prints it: the policy is a JSON string.
    let outer = r#"{"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"\u00e4\\n\",\"Effect\":\"Allow\"}]}"}"#;
    let doc = parse(outer).unwrap();
    let string = doc.root.get("Policy").unwrap();
    let inner = parse_embedded(outer, string.span, &ParseLimits::default()).unwrap();
    let statement = &inner.root.get("Statement").unwrap().as_array().unwrap()[0];
    let effect = statement.get("Effect").unwrap();
    assert_eq!(effect.as_str(), Some("Allow"));
    assert_eq!(&outer[effect.span.range()], r#"\"Allow\""#);
    let key = &statement.member("Effect").unwrap().key_span;
    assert_eq!(&outer[key.range()], r#"\"Effect\""#);
    let sid = statement.get("Sid").unwrap();
    assert_eq!(sid.as_str(), Some("ä\n"));
    assert_eq!(&outer[sid.span.range()], r#"\"\u00e4\\n\""#);
    assert_eq!(&outer[inner.root.span.range()], &outer[12..outer.len() - 2]);
}

#[test]
fn embedded_errors_point_into_the_outer_file() {
    let outer = r#"{"Policy": "{\"Version\": \"2012-10-17\",}"}"#;
    let doc = parse(outer).unwrap();
    let e = parse_embedded(
        outer,
        doc.root.get("Policy").unwrap().span,
        &ParseLimits::default(),
    )
    .unwrap_err();
    assert_eq!(&outer[e.span.range()], "}");
    assert_eq!(
        e.span.start as usize,
        outer.len() - 3,
        "the inner brace, not the outer one"
    );
}

#[test]
fn embedded_duplicates_point_into_the_outer_file() {
    let outer = r#"{"Policy": "{\"Effect\": 1, \"Effect\": 2}"}"#;
    let doc = parse(outer).unwrap();
    let inner = parse_embedded(
        outer,
        doc.root.get("Policy").unwrap().span,
        &ParseLimits::default(),
    )
    .unwrap();
    assert_eq!(inner.duplicates.len(), 1);
    assert_eq!(&outer[inner.duplicates[0].second.range()], r#"\"Effect\""#);
    assert!(inner.duplicates[0].first.start < inner.duplicates[0].second.start);
}

/// The first `"`, `\` or control character, one byte at a time.
fn naive_string_stop(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map_or(bytes.len(), |at| from + at)
}

proptest::proptest! {
    #[test]
    fn the_word_at_a_time_string_scan_stops_where_a_byte_scan_does(
        bytes in proptest::collection::vec(proptest::prop_oneof![
            6 => 0x20u8..0x7f,
            1 => proptest::sample::select(&[b'"', b'\\', 0x00, 0x1f, 0x20, 0x7f, 0x80, 0x9f, 0xa0, 0xdc, 0xff][..]),
            1 => proptest::num::u8::ANY,
        ], 0..40),
        from in 0usize..40,
    ) {
        let from = from.min(bytes.len());
        proptest::prop_assert_eq!(string_stop(&bytes, from), naive_string_stop(&bytes, from));
    }
}

#[test]
fn the_string_scan_finds_each_stop_at_every_offset_in_a_word() {
    for stop in [b'"', b'\\', 0x00, 0x0a, 0x1f] {
        for at in 0..20 {
            // Bytes that the word tricks could mistake: just above the control range, high
            // bits, and neighbours of the quote and the backslash.
            let mut bytes: Vec<u8> = (0..20)
                .map(|i| [0x20, 0x21, 0x5b, 0x5d, 0x80, 0xa2, 0xdc][i % 7])
                .collect();
            bytes[at] = stop;
            assert_eq!(string_stop(&bytes, 0), at, "{stop:#x} at {at}");
        }
    }
    assert_eq!(string_stop(b"plain text without a stop", 0), 25);
}

#[test]
fn strings_in_place_map_back_to_the_source() {
    let check = |text: &str, value: &str, effect_as_written: &str| {
        let start = text.find(['"', '\'', '|']).unwrap_or(0) as u32;
        let map = string_map(text, Span::new(start, text.len() as u32), value)
            .unwrap_or_else(|| panic!("no map for {text:?}"));
        let doc = parse_in_place(value, &map, &ParseLimits::default()).unwrap();
        let effect = doc.root.get("Effect").unwrap();
        assert_eq!(&text[effect.span.range()], effect_as_written, "{text:?}");
    };
    // A JSON string (escapes), a YAML single-quoted one, a literal block.
    let json = r#""{\"Effect\": \"Allow\"}""#;
    check(json, r#"{"Effect": "Allow"}"#, r#"\"Allow\""#);
    check(
        r#"'{"Effect": "Allow", "Sid": "it''s"}'"#,
        r#"{"Effect": "Allow", "Sid": "it's"}"#,
        r#""Allow""#,
    );
    let block = "|\n    {\n      \"Effect\": \"Allow\"\n    }\n";
    check(block, "{\n  \"Effect\": \"Allow\"\n}\n", r#""Allow""#);
    // A value the source does not read as (an intrinsic made it): no map.
    assert!(string_map(json, Span::new(0, json.len() as u32), "{}").is_none());
}
