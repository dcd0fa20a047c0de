//! One source for rule documentation: every rule has a page in `rules/` in the agreed structure,
//! and every page belongs to a rule.

use std::path::Path;

use xacct_rules::RULES;

fn rules_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")
}

#[test]
fn every_page_belongs_to_a_rule() {
    for entry in std::fs::read_dir(rules_dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        let Some(code) = name.strip_suffix(".md") else {
            continue;
        };
        if code == "README" {
            continue;
        }
        assert!(
            RULES.iter().any(|r| r.code == code),
            "rules/{name} has no rule in the registry"
        );
    }
}

#[test]
fn every_rule_has_a_page_in_the_agreed_structure() {
    for rule in RULES {
        let page = rule.page;
        let title = format!("# {}: {}\n", rule.code, rule.name);
        assert!(
            page.starts_with(&title),
            "rules/{}.md must start with `{}`",
            rule.code,
            title.trim()
        );
        let severity = format!("**Severity:** {}", rule.severity);
        assert!(
            page.contains(&severity),
            "rules/{}.md must say `{severity}`",
            rule.code
        );
        for heading in [
            "## Why it breaks",
            "## Example",
            "## How to fix",
            "## When it stays silent",
        ] {
            assert!(
                page.contains(&format!("\n{heading}\n")),
                "rules/{}.md lacks `{heading}`",
                rule.code
            );
        }
        assert!(
            page.contains("```json"),
            "rules/{}.md needs a JSON example",
            rule.code
        );
    }
}

#[test]
fn codes_are_unique_sorted_and_well_formed() {
    let codes: Vec<&str> = RULES.iter().map(|r| r.code).collect();
    let mut sorted = codes.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        codes, sorted,
        "RULES must be sorted by code without duplicates"
    );
    for rule in RULES {
        assert!(
            rule.code.len() == 5
                && rule.code.starts_with("XA")
                && rule.code[2..].bytes().all(|b| b.is_ascii_digit())
        );
        assert!(
            rule.name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{} is not kebab-case",
            rule.name
        );
    }
}
