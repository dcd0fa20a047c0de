//! Generates `src/api/shapes.rs` from the vendored AWS CodePipeline API model, in the style of
//! rust-analyzer's "sourcegen" tests: the test renders the file and fails if the checked-in copy
//! differs, so the table can never drift from `api/codepipeline-service-2.json`. Run with
//! `XACCT_UPDATE_SOURCEGEN=1` to rewrite the file instead.
//!
//! The model is read with serde_json, except for the order of structure members: without its
//! `preserve_order` feature serde_json sorts object keys, and messages should list members in the
//! order the model (and the AWS documentation) gives them, so that order comes from xacct-syntax's
//! order-preserving parser.
//!
//! The rendered text is laid out as `rustfmt --edition 2021` (default options) would format it,
//! and the large tables carry `#[rustfmt::skip]` so that a later workspace `rustfmt.toml` cannot
//! reformat them away from what this generator writes (which would fail this test).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value as JsonValue;

const MODEL: &str = "api/codepipeline-service-2.json";
const OUTPUT: &str = "src/api/shapes.rs";
const UPDATE_ENV: &str = "XACCT_UPDATE_SOURCEGEN";

/// Shapes whose closure is generated: enough to validate a get-pipeline output, a
/// create-pipeline input or a bare pipeline declaration.
const ROOT_SHAPES: &[&str] = &["GetPipelineOutput", "PipelineDeclaration"];
/// Members of other shapes whose target shape's closure is generated too.
const ROOT_MEMBERS: &[(&str, &str)] = &[("CreatePipelineInput", "tags")];

/// The synthetic document root: the members of these structures, merged.
const DOCUMENT_SOURCES: &[&str] = &["GetPipelineOutput", "CreatePipelineInput"];

/// Shape-level keys that carry no constraint a JSON document can violate. Anything else on a
/// generated shape stops the generator, so a new kind of constraint is never silently dropped.
const IGNORED_SHAPE_KEYS: &[&str] = &[
    "documentation",
    "box",
    "sensitive",
    "deprecated",
    "deprecatedMessage",
    "timestampFormat",
];
/// Member-level keys that do not change how the member appears in JSON (`locationName` would).
const IGNORED_MEMBER_KEYS: &[&str] = &["documentation", "deprecated", "deprecatedMessage"];

const MAX_WIDTH: usize = 100;
/// rustfmt's default `array_width` (`use_small_heuristics = "Default"`).
const ARRAY_WIDTH: usize = 60;
/// rustfmt's default `fn_call_width`, which also governs tuples.
const FN_CALL_WIDTH: usize = 60;
/// rustfmt's default `short_array_element_width_threshold`.
const SHORT_ELEMENT_WIDTH: usize = 10;

#[test]
fn shapes_rs_is_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let model = std::fs::read_to_string(dir.join(MODEL)).expect("reading the API model");
    let rendered = render(&Model::parse(&model));
    ensure_file_contents(&dir.join(OUTPUT), &rendered);
}

fn ensure_file_contents(path: &Path, expected: &str) {
    let current = std::fs::read_to_string(path).unwrap_or_default();
    // A checkout with CRLF line endings is not a stale file.
    if current.replace("\r\n", "\n") == expected {
        return;
    }
    if std::env::var_os(UPDATE_ENV).is_some_and(|v| v == "1") {
        std::fs::write(path, expected).expect("writing the generated file");
        eprintln!("updated {}", path.display());
        return;
    }
    let first_difference = current
        .lines()
        .zip(expected.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| current.lines().count().min(expected.lines().count()));
    panic!(
        "{} is out of date with {MODEL} (first difference at line {}).\n\
         Regenerate it with: {UPDATE_ENV}=1 cargo test -p xacct-model --test sourcegen",
        path.display(),
        first_difference + 1,
    );
}

// ---------------------------------------------------------------------------------------------
// The model

#[derive(Debug)]
struct Model {
    shapes: BTreeMap<String, ShapeDef>,
    document: ShapeDef,
}

#[derive(Debug, Clone)]
enum ShapeDef {
    Structure {
        members: Vec<(String, String)>,
        required: Vec<String>,
    },
    List {
        member: String,
        min: Option<u32>,
        max: Option<u32>,
    },
    Map {
        key: String,
        value: String,
        min: Option<u32>,
        max: Option<u32>,
    },
    String {
        min: Option<u32>,
        max: Option<u32>,
        pattern: Option<String>,
        enum_values: Vec<String>,
    },
    Integer {
        min: Option<i64>,
        max: Option<i64>,
    },
    Boolean,
    Timestamp,
}

impl ShapeDef {
    fn targets(&self) -> Vec<&str> {
        match self {
            ShapeDef::Structure { members, .. } => {
                members.iter().map(|(_, s)| s.as_str()).collect()
            }
            ShapeDef::List { member, .. } => vec![member],
            ShapeDef::Map { key, value, .. } => vec![key, value],
            _ => Vec::new(),
        }
    }
}

impl Model {
    fn parse(text: &str) -> Model {
        let json: JsonValue = serde_json::from_str(text).expect("the API model is JSON");
        let ordered = xacct_syntax::json::parse(text).expect("the API model is JSON");
        let all = json["shapes"]
            .as_object()
            .expect("the model has a `shapes` map");
        let ordered_shapes = ordered
            .root
            .get("shapes")
            .expect("the model has a `shapes` map");

        let mut roots: Vec<String> = ROOT_SHAPES.iter().map(|s| s.to_string()).collect();
        for (shape, member) in ROOT_MEMBERS {
            let target = all[*shape]["members"][*member]["shape"].as_str();
            roots.push(
                target
                    .unwrap_or_else(|| panic!("no member {shape}.{member}"))
                    .to_string(),
            );
        }

        let mut shapes = BTreeMap::new();
        let mut pending = roots;
        while let Some(name) = pending.pop() {
            if shapes.contains_key(&name) {
                continue;
            }
            let raw = all
                .get(&name)
                .unwrap_or_else(|| panic!("shape {name} is referenced but not defined"));
            let member_order = ordered_shapes.get(&name).and_then(|s| s.get("members"));
            let def = shape_def(&name, raw, member_order);
            pending.extend(def.targets().into_iter().map(str::to_string));
            shapes.insert(name, def);
        }

        let document = document_def(all, ordered_shapes);
        for (_, target) in match &document {
            ShapeDef::Structure { members, .. } => members,
            _ => unreachable!(),
        } {
            assert!(
                shapes.contains_key(target),
                "document member shape {target} is not generated"
            );
        }
        assert!(
            shapes.len() <= usize::from(u16::MAX),
            "too many shapes for ShapeId(u16)"
        );
        Model { shapes, document }
    }
}

fn shape_def(
    name: &str,
    raw: &JsonValue,
    member_order: Option<&xacct_syntax::json::Node>,
) -> ShapeDef {
    let obj = raw
        .as_object()
        .unwrap_or_else(|| panic!("shape {name} is not an object"));
    let kind = raw["type"]
        .as_str()
        .unwrap_or_else(|| panic!("shape {name} has no type"));
    let allowed_keys: &[&str] = match kind {
        "structure" => &["type", "members", "required"],
        "list" => &["type", "member", "min", "max"],
        "map" => &["type", "key", "value", "min", "max"],
        "string" => &["type", "min", "max", "pattern", "enum"],
        "integer" | "long" => &["type", "min", "max"],
        _ => &["type"],
    };
    for key in obj.keys() {
        assert!(
            allowed_keys.contains(&key.as_str()) || IGNORED_SHAPE_KEYS.contains(&key.as_str()),
            "shape {name} ({kind}) has `{key}`, which the generator does not understand"
        );
    }
    let count = |key: &str| {
        raw.get(key).map(|v| {
            let n = v
                .as_u64()
                .unwrap_or_else(|| panic!("{name}.{key} is not a count"));
            u32::try_from(n).unwrap_or_else(|_| panic!("{name}.{key} does not fit u32"))
        })
    };
    let target = |v: &JsonValue, what: &str| -> String {
        v["shape"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}.{what} has no shape"))
            .to_string()
    };
    match kind {
        "structure" => {
            let members_raw = raw["members"]
                .as_object()
                .unwrap_or_else(|| panic!("{name} has no members"));
            let order = member_order
                .and_then(|m| m.as_object())
                .expect("structure members in order");
            let members: Vec<(String, String)> = order
                .iter()
                .map(|m| {
                    let member = &members_raw[m.key.as_ref()];
                    for key in member.as_object().expect("member is an object").keys() {
                        assert!(
                            key == "shape" || IGNORED_MEMBER_KEYS.contains(&key.as_str()),
                            "member {name}.{} has `{key}`, which the generator does not understand",
                            m.key
                        );
                    }
                    (m.key.to_string(), target(member, &m.key))
                })
                .collect();
            assert_eq!(
                members.len(),
                members_raw.len(),
                "{name}: both parsers see the same members"
            );
            let required: Vec<String> = raw
                .get("required")
                .map(|r| r.as_array().expect("required is an array"))
                .into_iter()
                .flatten()
                .map(|r| r.as_str().expect("required names are strings").to_string())
                .collect();
            for r in &required {
                assert!(
                    members.iter().any(|(m, _)| m == r),
                    "{name} requires unknown member {r}"
                );
            }
            ShapeDef::Structure { members, required }
        }
        "list" => ShapeDef::List {
            member: target(&raw["member"], "member"),
            min: count("min"),
            max: count("max"),
        },
        "map" => ShapeDef::Map {
            key: target(&raw["key"], "key"),
            value: target(&raw["value"], "value"),
            min: count("min"),
            max: count("max"),
        },
        "string" => ShapeDef::String {
            min: count("min"),
            max: count("max"),
            pattern: raw
                .get("pattern")
                .map(|p| p.as_str().expect("pattern is a string").to_string()),
            enum_values: raw
                .get("enum")
                .map(|e| e.as_array().expect("enum is an array"))
                .into_iter()
                .flatten()
                .map(|v| v.as_str().expect("enum values are strings").to_string())
                .collect(),
        },
        "integer" | "long" => {
            let bound = |key: &str| {
                raw.get(key)
                    .map(|v| v.as_i64().unwrap_or_else(|| panic!("{name}.{key}")))
            };
            ShapeDef::Integer {
                min: bound("min"),
                max: bound("max"),
            }
        }
        "boolean" => ShapeDef::Boolean,
        "timestamp" => ShapeDef::Timestamp,
        other => panic!("shape {name} has type {other}, which the validator does not support"),
    }
}

/// The members of [`DOCUMENT_SOURCES`] merged in model order; a member is required only if every
/// source requires it (get-pipeline output requires nothing).
fn document_def(
    all: &serde_json::Map<String, JsonValue>,
    ordered_shapes: &xacct_syntax::json::Node,
) -> ShapeDef {
    let mut members: Vec<(String, String)> = Vec::new();
    let mut required: Option<BTreeSet<String>> = None;
    for source in DOCUMENT_SOURCES {
        let order = ordered_shapes.get(source).and_then(|s| s.get("members"));
        let ShapeDef::Structure {
            members: m,
            required: r,
        } = shape_def(source, &all[*source], order)
        else {
            panic!("{source} is not a structure");
        };
        for (name, target) in m {
            match members.iter().find(|(n, _)| *n == name) {
                Some((_, existing)) => assert_eq!(*existing, target, "{source}.{name} disagrees"),
                None => members.push((name, target)),
            }
        }
        let r: BTreeSet<String> = r.into_iter().collect();
        required = Some(match required {
            None => r,
            Some(prev) => prev.intersection(&r).cloned().collect(),
        });
    }
    let required = required.unwrap_or_default();
    let required = members
        .iter()
        .filter(|(n, _)| required.contains(n))
        .map(|(n, _)| n.clone())
        .collect();
    ShapeDef::Structure { members, required }
}

// ---------------------------------------------------------------------------------------------
// Patterns

/// Compiles a pattern of the form `[CLASS]+` (optionally `^…$`) to sorted, merged inclusive
/// ranges. Returns `None` for anything else (alternations, groups, repetitions, negated classes),
/// which is then listed as unenforced rather than approximated.
fn compile_char_class_plus(pattern: &str) -> Option<Vec<(char, char)>> {
    let p = pattern.strip_prefix('^').unwrap_or(pattern);
    let p = p.strip_suffix('$').unwrap_or(p);
    let class = p.strip_prefix('[')?.strip_suffix("]+")?;
    if class.is_empty() || class.starts_with('^') {
        return None;
    }

    enum Atom {
        Char(char),
        /// An unescaped `-`: a range operator between two chars, literal first or last.
        Dash,
        /// A class escape such as `\w`.
        Set(&'static [(char, char)]),
    }
    let mut atoms = Vec::new();
    let mut chars = class.chars();
    while let Some(c) = chars.next() {
        atoms.push(match c {
            '\\' => match chars.next()? {
                'w' => Atom::Set(&[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')]),
                'd' => Atom::Set(&[('0', '9')]),
                's' => Atom::Set(&[('\t', '\r'), (' ', ' ')]),
                // Java regex: a backslash before a non-alphabetic character quotes it.
                e if e.is_ascii_punctuation() => Atom::Char(e),
                _ => return None,
            },
            '-' => Atom::Dash,
            // Nested classes, intersections and the like are out of scope.
            '[' | ']' | '&' => return None,
            c => Atom::Char(c),
        });
    }

    let mut ranges = Vec::new();
    let mut i = 0;
    while i < atoms.len() {
        match (&atoms[i], atoms.get(i + 1), atoms.get(i + 2)) {
            (Atom::Char(lo), Some(Atom::Dash), Some(hi)) => {
                let Atom::Char(hi) = hi else { return None };
                if lo > hi {
                    return None;
                }
                ranges.push((*lo, *hi));
                i += 3;
                continue;
            }
            (Atom::Char(c), _, _) => ranges.push((*c, *c)),
            (Atom::Dash, _, _) if i == 0 || i == atoms.len() - 1 => ranges.push(('-', '-')),
            (Atom::Dash, _, _) => return None,
            (Atom::Set(s), _, _) => ranges.extend_from_slice(s),
        }
        i += 1;
    }

    ranges.sort_unstable();
    let mut merged: Vec<(char, char)> = Vec::with_capacity(ranges.len());
    for (lo, hi) in ranges {
        match merged.last_mut() {
            Some((_, last_hi)) if (lo as u32) <= (*last_hi as u32).saturating_add(1) => {
                *last_hi = (*last_hi).max(hi);
            }
            _ => merged.push((lo, hi)),
        }
    }
    Some(merged)
}

#[test]
fn char_classes_compile() {
    let c = |p| compile_char_class_plus(p);
    assert_eq!(
        c(r"[A-Za-z0-9.@\-_]+"),
        Some(vec![
            ('-', '.'),
            ('0', '9'),
            ('@', 'Z'),
            ('_', '_'),
            ('a', 'z')
        ])
    );
    assert_eq!(
        c(r"[a-zA-Z0-9_\-]+"),
        Some(vec![
            ('-', '-'),
            ('0', '9'),
            ('A', 'Z'),
            ('_', '_'),
            ('a', 'z')
        ])
    );
    assert_eq!(
        c(r"[0-9A-Za-z_-]+"),
        Some(vec![
            ('-', '-'),
            ('0', '9'),
            ('A', 'Z'),
            ('_', '_'),
            ('a', 'z')
        ])
    );
    assert_eq!(
        c(r"[A-Za-z0-9@\-_]+"),
        Some(vec![
            ('-', '-'),
            ('0', '9'),
            ('@', 'Z'),
            ('_', '_'),
            ('a', 'z')
        ])
    );
    assert_eq!(
        c(r"[a-zA-Z0-9\-\.]+"),
        Some(vec![('-', '.'), ('0', '9'), ('A', 'Z'), ('a', 'z')])
    );
    assert_eq!(
        c(r"[\w]+"),
        Some(vec![('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')])
    );
    assert_eq!(c(r"[\\]+"), Some(vec![('\\', '\\')]));
    assert_eq!(
        c(r"^[a-zA-Z0-9-]+$"),
        Some(vec![('-', '-'), ('0', '9'), ('A', 'Z'), ('a', 'z')])
    );
    assert_eq!(
        c(r"[a-c\-x]+"),
        Some(vec![('-', '-'), ('a', 'c'), ('x', 'x')])
    );
    for unsupported in [
        r"arn:aws(-[\w]+)*:iam::[0-9]{12}:role/.*",
        ".*",
        r"[\s\S]*",
        "[0-9]{12}",
        "[^a]+",
        "[a-]x+",
        "[z-a]+",
        r"[\w-z]+",
        r"[\p{L}]+",
        "AWS|ThirdParty",
        "[]+",
    ] {
        assert_eq!(c(unsupported), None, "{unsupported}");
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering

fn const_name(shape: &str) -> String {
    let chars: Vec<char> = shape.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if i > 0 && c.is_ascii_uppercase() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push('_');
            }
        }
        assert!(
            c.is_ascii_alphanumeric(),
            "shape name {shape} is not alphanumeric"
        );
        out.push(c.to_ascii_uppercase());
    }
    out
}

#[test]
fn const_names() {
    assert_eq!(const_name("AWSRegionName"), "AWS_REGION_NAME");
    assert_eq!(
        const_name("GitPullRequestEventTypeList"),
        "GIT_PULL_REQUEST_EVENT_TYPE_LIST"
    );
    assert_eq!(const_name("Tag"), "TAG");
}

/// A Rust string literal; raw when that avoids escaping backslashes.
fn str_lit(s: &str) -> String {
    if s.contains('\\') && !s.contains('"') && !s.chars().any(char::is_control) {
        format!("r\"{s}\"")
    } else {
        format!("{s:?}")
    }
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "None".to_string(), |v| format!("Some({v})"))
}

/// An array element: rustfmt lays out literals and tuples differently.
enum Item {
    /// A literal or path.
    Atom(String),
    /// A pair, as `(a, b)`.
    Pair(String, String),
}

impl Item {
    fn inline(&self) -> String {
        match self {
            Item::Atom(a) => a.clone(),
            Item::Pair(a, b) => format!("({a}, {b})"),
        }
    }
}

/// Writes `items` as rustfmt (default options) would: on one line after `prefix` when that fits
/// both the line and `array_width`; otherwise, for short literals (`short_array_element_width_
/// threshold`), packed into full lines; otherwise one item per line, a pair broken over lines when
/// it exceeds `fn_call_width`.
fn array(out: &mut String, indent: usize, prefix: &str, items: &[Item], suffix: &str) {
    let pad = " ".repeat(indent);
    let inline: Vec<String> = items.iter().map(Item::inline).collect();
    let joined = inline.join(", ");
    if joined.len() + 2 <= ARRAY_WIDTH
        && indent + prefix.len() + joined.len() + 3 + suffix.len() <= MAX_WIDTH
    {
        writeln!(out, "{pad}{prefix}&[{joined}]{suffix}").unwrap();
        return;
    }
    writeln!(out, "{pad}{prefix}&[").unwrap();
    let short = items
        .iter()
        .all(|i| matches!(i, Item::Atom(a) if a.len() <= SHORT_ELEMENT_WIDTH));
    if short {
        let mut line = String::new();
        for text in &inline {
            if !line.is_empty() && indent + 4 + line.len() + 1 + text.len() + 1 > MAX_WIDTH {
                writeln!(out, "{pad}    {line}").unwrap();
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(text);
            line.push(',');
        }
        writeln!(out, "{pad}    {line}").unwrap();
    } else {
        for (item, text) in items.iter().zip(&inline) {
            match item {
                Item::Pair(a, b)
                    if a.len() + 2 + b.len() > FN_CALL_WIDTH
                        || indent + 4 + text.len() + 1 > MAX_WIDTH =>
                {
                    writeln!(
                        out,
                        "{pad}    (\n{pad}        {a},\n{pad}        {b},\n{pad}    ),"
                    )
                    .unwrap();
                }
                _ => writeln!(out, "{pad}    {text},").unwrap(),
            }
        }
    }
    writeln!(out, "{pad}]{suffix}").unwrap();
}

fn render(model: &Model) -> String {
    let ids: BTreeMap<&str, (usize, String)> = model
        .shapes
        .keys()
        .enumerate()
        .map(|(i, name)| (name.as_str(), (i, const_name(name))))
        .collect();
    let reserved = ["SHAPES", "PIPELINE_DOCUMENT", "UNENFORCED_PATTERNS"];
    let mut seen = BTreeSet::new();
    for (name, (_, c)) in &ids {
        assert!(
            !reserved.contains(&c.as_str()) && seen.insert(c.clone()),
            "constant {c} for {name} collides"
        );
    }
    let id = |name: &str| ids[name].1.clone();

    let mut out = String::new();
    writeln!(
        out,
        "// @generated by tests/sourcegen.rs from api/codepipeline-service-2.json — do not edit"
    )
    .unwrap();
    out.push_str(
        "\
//! The CodePipeline API shapes needed to validate a get-pipeline output, a create-pipeline input
//! or a bare pipeline declaration, every constraint taken from the vendored botocore model.
//!
//! Regenerate with `XACCT_UPDATE_SOURCEGEN=1 cargo test -p xacct-model --test sourcegen`.

use super::{Pattern, Shape, ShapeId, ShapeKind};
",
    );

    for (name, (index, c)) in &ids {
        writeln!(
            out,
            "\n/// The `{name}` shape.\npub const {c}: ShapeId = ShapeId({index});"
        )
        .unwrap();
    }

    let mut unenforced = Vec::new();
    writeln!(
        out,
        "\n/// Every generated shape, sorted by name; a [`ShapeId`] indexes this table."
    )
    .unwrap();
    writeln!(out, "#[rustfmt::skip]\npub static SHAPES: &[Shape] = &[").unwrap();
    for (name, def) in &model.shapes {
        render_shape(&mut out, name, def, &id, &mut unenforced);
    }
    writeln!(out, "];").unwrap();

    writeln!(
        out,
        "\n/// The root of a file that wraps the declaration (`{{\"pipeline\": …}}`): the members of\n\
         /// {} merged; required only where all require it.",
        DOCUMENT_SOURCES.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(" and ")
    )
    .unwrap();
    writeln!(
        out,
        "#[rustfmt::skip]\npub static PIPELINE_DOCUMENT: Shape = Shape {{"
    )
    .unwrap();
    render_shape_body(
        &mut out,
        4,
        "PipelineDocument",
        &model.document,
        &id,
        &mut Vec::new(),
    );
    writeln!(out, "}};").unwrap();

    writeln!(
        out,
        "\n/// Patterns of generated shapes that are not of the form `[CLASS]+` and so are not enforced\n\
         /// here, as (shape name, pattern). ARNs among them are checked by the ARN parser."
    )
    .unwrap();
    writeln!(out, "#[rustfmt::skip]").unwrap();
    let items: Vec<Item> = unenforced
        .iter()
        .map(|(s, p)| Item::Pair(str_lit(s), str_lit(p)))
        .collect();
    array(
        &mut out,
        0,
        "pub static UNENFORCED_PATTERNS: &[(&str, &str)] = ",
        &items,
        ";",
    );
    out
}

fn render_shape(
    out: &mut String,
    name: &str,
    def: &ShapeDef,
    id: &dyn Fn(&str) -> String,
    unenforced: &mut Vec<(String, String)>,
) {
    writeln!(out, "    Shape {{").unwrap();
    render_shape_body(out, 8, name, def, id, unenforced);
    writeln!(out, "    }},").unwrap();
}

fn render_shape_body(
    out: &mut String,
    indent: usize,
    name: &str,
    def: &ShapeDef,
    id: &dyn Fn(&str) -> String,
    unenforced: &mut Vec<(String, String)>,
) {
    let pad = " ".repeat(indent);
    writeln!(out, "{pad}name: {},", str_lit(name)).unwrap();
    let field = |out: &mut String, text: String| writeln!(out, "{pad}    {text},").unwrap();
    match def {
        ShapeDef::Structure { members, required } => {
            writeln!(out, "{pad}kind: ShapeKind::Structure {{").unwrap();
            let items: Vec<Item> = members
                .iter()
                .map(|(m, s)| Item::Pair(str_lit(m), id(s)))
                .collect();
            array(out, indent + 4, "members: ", &items, ",");
            let items: Vec<Item> = required.iter().map(|r| Item::Atom(str_lit(r))).collect();
            array(out, indent + 4, "required: ", &items, ",");
        }
        ShapeDef::List { member, min, max } => {
            writeln!(out, "{pad}kind: ShapeKind::List {{").unwrap();
            field(out, format!("member: {}", id(member)));
            field(out, format!("min: {}", opt(*min)));
            field(out, format!("max: {}", opt(*max)));
        }
        ShapeDef::Map {
            key,
            value,
            min,
            max,
        } => {
            writeln!(out, "{pad}kind: ShapeKind::Map {{").unwrap();
            field(out, format!("key: {}", id(key)));
            field(out, format!("value: {}", id(value)));
            field(out, format!("min: {}", opt(*min)));
            field(out, format!("max: {}", opt(*max)));
        }
        ShapeDef::String {
            min,
            max,
            pattern,
            enum_values,
        } => {
            writeln!(out, "{pad}kind: ShapeKind::String {{").unwrap();
            field(out, format!("min: {}", opt(*min)));
            field(out, format!("max: {}", opt(*max)));
            match pattern.as_deref().map(|p| (p, compile_char_class_plus(p))) {
                Some((source, Some(ranges))) => {
                    // The validator leaves empty strings to `min`; a `+` pattern without it
                    // would accept "" where AWS rejects it.
                    assert!(
                        min.is_some_and(|m| m >= 1),
                        "{name}: `{source}` needs min >= 1 to be enforced"
                    );
                    writeln!(out, "{pad}    pattern: Some(Pattern {{").unwrap();
                    writeln!(out, "{pad}        source: {},", str_lit(source)).unwrap();
                    let items: Vec<Item> = ranges
                        .iter()
                        .map(|(lo, hi)| Item::Pair(format!("{lo:?}"), format!("{hi:?}")))
                        .collect();
                    array(out, indent + 8, "ranges: ", &items, ",");
                    writeln!(out, "{pad}    }}),").unwrap();
                }
                Some((source, None)) => {
                    unenforced.push((name.to_string(), source.to_string()));
                    field(out, "pattern: None".to_string());
                }
                None => field(out, "pattern: None".to_string()),
            }
            let items: Vec<Item> = enum_values.iter().map(|v| Item::Atom(str_lit(v))).collect();
            array(out, indent + 4, "enum_values: ", &items, ",");
        }
        ShapeDef::Integer { min, max } => {
            writeln!(out, "{pad}kind: ShapeKind::Integer {{").unwrap();
            field(out, format!("min: {}", opt(*min)));
            field(out, format!("max: {}", opt(*max)));
        }
        ShapeDef::Boolean => {
            writeln!(out, "{pad}kind: ShapeKind::Boolean,").unwrap();
            return;
        }
        ShapeDef::Timestamp => {
            writeln!(out, "{pad}kind: ShapeKind::Timestamp,").unwrap();
            return;
        }
    }
    writeln!(out, "{pad}}},").unwrap();
}
