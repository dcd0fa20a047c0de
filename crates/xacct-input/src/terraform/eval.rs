//! Terraform configurations evaluated as far as the files say: a module is a folder's `.tf`
//! files; the modules a run holds are tied together by their `module` blocks with a local
//! `source` (followed with the inputs they pass, a bounded depth deep; a module that calls
//! itself is a cycle, reported); input variables come from the `module` block, else from
//! `xacct.toml` `[parameters]`, `*.auto.tfvars`, `terraform.tfvars` (or the one other
//! `.tfvars` of the folder), else their default; references to locals, outputs, resources
//! and data sources are followed, lazily and once each.
//!
//! What cannot be known before `terraform apply` (a key's ID, a variable without a value, a
//! registry module's outputs, `count.index`) is a placeholder (`${aws_kms_key.k.key_id}`), never
//! a guess. Every resource is created through a provider configuration: its account is the one
//! the provider's `assume_role` role ARN (or a single `allowed_account_ids`) names, else the
//! one the config or the folder convention gives the file.
//!
//! Evaluation is bounded: a step budget (`[limits] eval-steps`) for the whole configuration,
//! `for` expressions and `dynamic` blocks over at most [`MAX_ITEMS`] items, modules at most
//! [`MAX_MODULE_DEPTH`] deep; what runs past a bound is unknown.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use xacct_model::arn::{AccountId, Arn};
use xacct_syntax::Span;

use super::hcl::{BinOp, Block, Body, Expr, ExprKind, Op, Part};
use super::value::{to_json, At, Val, V};
use crate::{Issue, IssueKind, Limit};

/// Modules nested deeper than this are not followed (their outputs are unknown).
pub const MAX_MODULE_DEPTH: usize = 8;

/// `for` expressions, `dynamic` blocks and functions over more items than this give unknown.
pub const MAX_ITEMS: usize = 1000;

/// Longest string evaluation makes; longer is unknown.
const MAX_TEXT: usize = 1 << 22;

/// The size of a value, as steps (a node, or 16 bytes of text), counted up to `cap`.
fn weight(v: &Val, cap: u64) -> u64 {
    let mut total = 0u64;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        total += 1;
        if total > cap {
            break;
        }
        match &v.v {
            V::Str(text, _) => total += text.len() as u64 / 16,
            V::List(items) => stack.extend(items.iter()),
            V::Map(members) => stack.extend(members.iter().map(|(_, _, v)| v)),
            V::Json(inner) => stack.push(inner),
            _ => {}
        }
    }
    total
}

/// Longest text of a placeholder's name (the expression it stands for, shortened).
const MAX_NAME: usize = 120;

/// What the run says of a file: the account and region when no provider says, parameters.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The account (config's `[[stack]]`, else the folder convention).
    pub account: Option<AccountId>,
    /// The region (config's `[[stack]]`, `--region` or the config's `region`).
    pub region: Option<String>,
    /// `[parameters]`: values of the root module's input variables.
    pub parameters: BTreeMap<String, String>,
    /// The evaluation budget.
    pub eval_steps: u64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            account: None,
            region: None,
            parameters: BTreeMap::new(),
            eval_steps: Limit::EvalSteps.default_value(),
        }
    }
}

/// A file of the run, parsed.
pub struct File<'a> {
    /// Its path, lexically absolute.
    pub path: PathBuf,
    /// Its text.
    pub text: &'a str,
    /// Its body, when it parsed.
    pub body: Option<Body>,
    /// True for a `.tfvars` file.
    pub tfvars: bool,
    /// What the run says of it.
    pub settings: Settings,
}

/// A resource or data block of a module.
pub struct Res<'a> {
    /// Its file.
    pub file: u32,
    /// A data source.
    pub data: bool,
    /// Its type (`aws_iam_role`).
    pub kind: &'a str,
    /// Its name.
    pub name: &'a str,
    /// The block.
    pub block: &'a Block,
}

/// A `module` block.
struct Call<'a> {
    file: u32,
    name: &'a str,
    block: &'a Block,
    /// The module its local `source` names, when it is among the run's files.
    module: Option<usize>,
}

/// A folder's files.
pub struct Module<'a> {
    /// The folder.
    pub dir: PathBuf,
    /// Its `.tf` files.
    pub files: Vec<u32>,
    variables: HashMap<&'a str, (u32, &'a Block)>,
    locals: HashMap<&'a str, (u32, &'a Expr)>,
    outputs: HashMap<&'a str, (u32, &'a Block)>,
    /// Resources and data sources.
    pub resources: Vec<Res<'a>>,
    index: HashMap<(bool, &'a str, &'a str), usize>,
    calls: Vec<Call<'a>>,
    providers: HashMap<String, (u32, &'a Block)>,
    /// Values `.tfvars` files give, in the order Terraform reads them (later wins).
    tfvars: Vec<(String, u32, &'a Expr)>,
}

/// A module as used: the root of a configuration, or a module block's instance.
pub struct Instance {
    /// The module.
    pub module: usize,
    /// Its address prefix: `` for a root, `module.a.` for a child.
    pub prefix: String,
    parent: Option<(usize, usize)>,
    children: HashMap<String, usize>,
}

/// Where a provider configuration creates resources.
#[derive(Clone, Debug, Default)]
pub struct Provider {
    /// The account.
    pub account: Option<AccountId>,
    /// The region.
    pub region: Option<String>,
    /// A name for placeholders of what it does not say (`aws`, `module.a.aws.target`).
    pub name: String,
    /// The `tags` of its `default_tags` block, as evaluated: tags every resource it creates
    /// has unless the resource sets the key itself. `None` without the block.
    pub default_tags: Option<Val>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    Var(usize, String),
    Local(usize, String),
    Output(usize, String),
    Res(usize, usize),
    Provider(usize, String),
}

/// Bindings of a scope: `for` variables, `count`, `each`, a `dynamic` block's iterator.
#[derive(Clone)]
pub struct Scope {
    /// The module instance.
    pub inst: usize,
    /// The file the expressions are in.
    pub file: u32,
    vars: Vec<(String, Val)>,
}

impl Scope {
    /// The scope of a file of an instance.
    pub fn new(inst: usize, file: u32) -> Scope {
        Scope {
            inst,
            file,
            vars: Vec::new(),
        }
    }

    fn with(&self, name: &str, value: Val) -> Scope {
        let mut scope = self.clone();
        scope.vars.push((name.to_string(), value));
        scope
    }
}

/// A configuration being evaluated.
pub struct Eval<'a> {
    /// The files.
    pub files: &'a [File<'a>],
    /// The modules (folders).
    pub modules: Vec<Module<'a>>,
    /// The module instances, roots first.
    pub instances: Vec<Instance>,
    memo: RefCell<HashMap<Key, Val>>,
    providers: RefCell<HashMap<Key, Provider>>,
    busy: RefCell<HashSet<Key>>,
    steps: Cell<u64>,
    budget: u64,
    /// What is wrong, by file.
    pub issues: RefCell<Vec<(u32, Issue)>>,
}

/// `provider = aws.x` (or the legacy `"aws.x"`) as text.
fn reference_text(expr: &Expr) -> Option<String> {
    match &expr.kind {
        ExprKind::Str(lit) => Some(lit.value.clone()),
        ExprKind::Var(name) => Some(name.clone()),
        ExprKind::Traversal(root, ops) => {
            let ExprKind::Var(name) = &root.kind else {
                return None;
            };
            let mut text = name.clone();
            for op in ops {
                let Op::Attr(attr, _) = op else {
                    return None;
                };
                text.push('.');
                text.push_str(attr);
            }
            Some(text)
        }
        _ => None,
    }
}

/// True for a local module source (`./x`, `../x`): the only kind read.
fn is_local(source: &str) -> bool {
    source.starts_with("./") || source.starts_with("../") || source == "." || source == ".."
}

/// A placeholder name from an expression's text: blanks squeezed, and nothing that would make
/// it read as an IAM policy variable or end it (`:`, braces).
fn name_from(text: &str) -> String {
    let mut out = String::new();
    let mut blank = false;
    for c in text.chars() {
        let c = match c {
            ':' => '.',
            '{' => '(',
            '}' => ')',
            c => c,
        };
        if c.is_whitespace() {
            blank = true;
            continue;
        }
        if blank && !out.is_empty() {
            out.push(' ');
        }
        blank = false;
        out.push(c);
        if out.len() >= MAX_NAME {
            out.push('…');
            break;
        }
    }
    if out.is_empty() {
        out.push('?');
    }
    out
}

impl<'a> Eval<'a> {
    /// Groups the files into modules and instantiates every root module (a folder no module
    /// of the run calls), following module blocks.
    pub fn new(files: &'a [File<'a>]) -> Eval<'a> {
        let mut by_dir: BTreeMap<PathBuf, Vec<u32>> = BTreeMap::new();
        for (i, file) in files.iter().enumerate() {
            let dir = file.path.parent().unwrap_or(Path::new("")).to_path_buf();
            by_dir.entry(dir).or_default().push(i as u32);
        }
        let dir_index: HashMap<PathBuf, usize> = by_dir
            .keys()
            .enumerate()
            .map(|(i, d)| (d.clone(), i))
            .collect();
        let mut modules: Vec<Module<'a>> = by_dir
            .into_iter()
            .map(|(dir, ids)| Module::read(files, dir, &ids))
            .collect();
        for module in &mut modules {
            for call in &mut module.calls {
                let source = call
                    .block
                    .body
                    .attr("source")
                    .and_then(|a| match &a.value.kind {
                        ExprKind::Str(lit) => Some(lit.value.clone()),
                        _ => None,
                    });
                call.module = source
                    .filter(|s| is_local(s))
                    .and_then(|s| dir_index.get(&crate::gate::lexical(&module.dir.join(s))))
                    .copied();
            }
        }
        let budget = files
            .iter()
            .map(|f| f.settings.eval_steps)
            .max()
            .unwrap_or(Limit::EvalSteps.default_value())
            .max(1);
        let mut eval = Eval {
            files,
            modules,
            instances: Vec::new(),
            memo: RefCell::default(),
            providers: RefCell::default(),
            busy: RefCell::default(),
            steps: Cell::new(0),
            budget,
            issues: RefCell::default(),
        };
        let called: HashSet<usize> = eval
            .modules
            .iter()
            .flat_map(|m| m.calls.iter().filter_map(|c| c.module))
            .collect();
        for module in 0..eval.modules.len() {
            // A folder of `.tfvars` only is no module.
            if !called.contains(&module) && !eval.modules[module].files.is_empty() {
                eval.instantiate(module, String::new(), None, &mut vec![module]);
            }
        }
        // Modules only called in a cycle are instantiated from one of their own.
        let instantiated: HashSet<usize> = eval.instances.iter().map(|i| i.module).collect();
        for module in 0..eval.modules.len() {
            if !instantiated.contains(&module)
                && called.contains(&module)
                && !eval.modules[module].files.is_empty()
                && !eval.instances.iter().any(|i| i.module == module)
            {
                eval.instantiate(module, String::new(), None, &mut vec![module]);
            }
        }
        eval
    }

    fn instantiate(
        &mut self,
        module: usize,
        prefix: String,
        parent: Option<(usize, usize)>,
        chain: &mut Vec<usize>,
    ) -> usize {
        let id = self.instances.len();
        self.instances.push(Instance {
            module,
            prefix: prefix.clone(),
            parent,
            children: HashMap::new(),
        });
        let calls: Vec<(usize, Option<usize>, String, u32, Span)> = self.modules[module]
            .calls
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let source_span = c
                    .block
                    .body
                    .attr("source")
                    .map_or(c.block.kind_span, |a| a.value.span);
                (i, c.module, c.name.to_string(), c.file, source_span)
            })
            .collect();
        for (call, child, name, file, span) in calls {
            let Some(child) = child else {
                let source = self.modules[module].calls[call]
                    .block
                    .body
                    .attr("source")
                    .and_then(|a| match &a.value.kind {
                        ExprKind::Str(lit) => Some(lit.value.clone()),
                        _ => None,
                    })
                    .unwrap_or_default();
                let why = if is_local(&source) {
                    "a folder that is not among the files linted"
                } else {
                    "a registry or remote module, which xacct does not fetch"
                };
                self.issue(
                    file,
                    Issue::cannot_evaluate(
                        span,
                        format!("module `{name}` comes from {why}: what it creates is not checked, and its outputs are unknown"),
                    )
                    .help("lint the plan (`terraform show -json`), which holds every module's resources, or lint the module's folder with this one"),
                );
                continue;
            };
            if chain.contains(&child) {
                self.issue(
                    file,
                    Issue::new(
                        IssueKind::Cycle,
                        span,
                        format!("module `{name}` calls a module that calls it back: Terraform refuses the configuration (\"Module cycle\"), and xacct does not follow it"),
                    )
                    .help("a module cannot contain itself, directly or through others: move what both need into a third module"),
                );
                continue;
            }
            if chain.len() > MAX_MODULE_DEPTH {
                self.issue(
                    file,
                    Issue::limit(
                        Limit::Depth,
                        span,
                        format!("module `{name}` is nested more than {MAX_MODULE_DEPTH} modules deep: xacct does not follow it, and what it creates is not checked"),
                    ),
                );
                continue;
            }
            chain.push(child);
            let child_id = self.instantiate(
                child,
                format!("{prefix}module.{name}."),
                Some((id, call)),
                chain,
            );
            chain.pop();
            self.instances[id].children.insert(name, child_id);
        }
        id
    }

    /// Records an issue on a file.
    pub fn issue(&self, file: u32, issue: Issue) {
        let mut issues = self.issues.borrow_mut();
        if !issues.iter().any(|(f, i)| *f == file && *i == issue) {
            issues.push((file, issue));
        }
    }

    /// True once the budget is spent: what was evaluated after is unknown, and a document built
    /// from it could name a placeholder where its shape needs a value.
    pub fn exhausted(&self) -> bool {
        self.steps.get() > self.budget
    }

    /// Counts `n` steps; false once the budget is spent (reported once).
    fn step(&self, n: u64, file: u32, span: Span) -> bool {
        let used = self.steps.get().saturating_add(n);
        self.steps.set(used);
        if used <= self.budget {
            return true;
        }
        if used.saturating_sub(n) <= self.budget {
            self.issue(
                file,
                Issue::limit(
                    Limit::EvalSteps,
                    span,
                    format!("evaluating the Terraform configuration took more than {} steps: none of its pipelines and policies is checked", self.budget),
                ),
            );
        }
        false
    }

    fn text_of(&self, file: u32, span: Span) -> &'a str {
        self.files
            .get(file as usize)
            .and_then(|f| f.text.get(span.range()))
            .unwrap_or("?")
    }

    /// The unknown value of an expression, named after its text.
    fn unknown_expr(&self, s: &Scope, e: &Expr) -> Val {
        let prefix = &self.instances[s.inst].prefix;
        let name = name_from(self.text_of(s.file, e.span));
        Val::unknown(site(s, e), format!("{prefix}{name}"))
    }

    fn memoized(&self, key: Key, make: impl FnOnce() -> Val, unknown: impl FnOnce() -> Val) -> Val {
        let hit = self.memo.borrow().get(&key).cloned();
        if let Some(v) = hit {
            // A value used again is copied: its size is paid for, so values that double at
            // each reference run out of budget rather than memory.
            let at = v.at;
            if !self.step(weight(&v, self.budget), at.file, at.span) {
                return unknown();
            }
            return v;
        }
        if !self.busy.borrow_mut().insert(key.clone()) {
            // A value that needs itself: Terraform refuses it ("Cycle"); unknown here.
            return unknown();
        }
        let value = make();
        self.busy.borrow_mut().remove(&key);
        self.memo.borrow_mut().insert(key, value.clone());
        value
    }

    /// Evaluates an expression.
    pub fn eval(&self, s: &Scope, e: &Expr) -> Val {
        if !self.step(1, s.file, e.span) {
            return self.unknown_expr(s, e);
        }
        let at = site(s, e);
        match &e.kind {
            ExprKind::Null => Val::new(at, V::Null),
            ExprKind::Bool(b) => Val::new(at, V::Bool(*b)),
            ExprKind::Number(n) => Val::new(at, V::Number(*n)),
            ExprKind::Str(lit) => Val::new(at, V::Str(lit.value.clone(), lit.map.clone())),
            ExprKind::Template(parts) => self.template(s, e, parts),
            ExprKind::Array(items) => {
                Val::new(at, V::List(items.iter().map(|i| self.eval(s, i)).collect()))
            }
            ExprKind::Object(members) => {
                let mut out = Vec::with_capacity(members.len());
                for (key, value) in members {
                    let k = self.eval(s, key);
                    let Some(text) = k.text() else {
                        return self.unknown_expr(s, e);
                    };
                    let text = text.into_owned();
                    out.retain(|(existing, _, _): &(String, At, Val)| *existing != text);
                    out.push((text, site(s, key), self.eval(s, value)));
                }
                Val::new(at, V::Map(out))
            }
            ExprKind::Var(name) => match s.vars.iter().rev().find(|(n, _)| n == name) {
                Some((_, v)) => v.clone().at_site(at),
                None => self.unknown_expr(s, e),
            },
            ExprKind::Traversal(root, ops) => self.traversal(s, e, root, ops),
            ExprKind::Call(name, args, expand) => self.call(s, e, name, args, *expand),
            ExprKind::Cond(c, a, b) => match self.eval(s, c).v {
                V::Bool(true) => self.eval(s, a),
                V::Bool(false) => self.eval(s, b),
                _ => {
                    // Unknown condition: known only when both branches agree.
                    let (x, y) = (self.eval(s, a), self.eval(s, b));
                    match (x.known_str(), y.known_str()) {
                        (Some(p), Some(q)) if p == q => x,
                        _ => self.unknown_expr(s, e),
                    }
                }
            },
            ExprKind::Unary(not, inner) => match (self.eval(s, inner).v, not) {
                (V::Bool(b), true) => Val::new(at, V::Bool(!b)),
                (V::Number(n), false) => Val::new(at, V::Number(-n)),
                _ => self.unknown_expr(s, e),
            },
            ExprKind::Binary(op, l, r) => self.binary(s, e, *op, l, r),
            ExprKind::For(f) => self.for_expr(s, e, f),
        }
    }

    fn template(&self, s: &Scope, e: &Expr, parts: &[Part]) -> Val {
        // `"${x}"` alone is `x`'s value, whatever its type.
        if let [Part::Interp(inner)] = parts {
            return self.eval(s, inner).at_site(site(s, e));
        }
        let mut text = String::new();
        let mut map: Option<Vec<u32>> = Some(Vec::new());
        let mut end = e.span.end;
        for part in parts {
            match part {
                Part::Lit(lit, span) => {
                    text.push_str(&lit.value);
                    match (&mut map, &lit.map) {
                        (Some(m), Some(lm)) => m.extend_from_slice(&lm[..lit.value.len()]),
                        _ => map = None,
                    }
                    end = lit
                        .map
                        .as_ref()
                        .and_then(|m| m.last().copied())
                        .unwrap_or(span.end);
                }
                Part::Interp(inner) => {
                    let value = self.eval(s, inner);
                    let Some(piece) = value.text() else {
                        return self.unknown_expr(s, e);
                    };
                    if text.len() + piece.len() > MAX_TEXT
                        || !self.step(piece.len() as u64 / 16, s.file, e.span)
                    {
                        return self.unknown_expr(s, e);
                    }
                    // The substituted text shows at its `${`.
                    let dollar = inner.span.start.saturating_sub(2);
                    if let Some(m) = &mut map {
                        m.extend(std::iter::repeat_n(dollar, piece.len()));
                    }
                    text.push_str(&piece);
                    end = inner.span.end + 1;
                }
                Part::Directive(_) => return self.unknown_expr(s, e),
            }
            if !self.step(1 + text.len() as u64 / 256, s.file, e.span) {
                return self.unknown_expr(s, e);
            }
        }
        if let Some(m) = &mut map {
            m.push(end);
        }
        Val::new(site(s, e), V::Str(text, map))
    }

    fn binary(&self, s: &Scope, e: &Expr, op: BinOp, l: &Expr, r: &Expr) -> Val {
        let at = site(s, e);
        let (a, b) = (self.eval(s, l), self.eval(s, r));
        let known = |v: &Val| !v.has_unknown();
        if !known(&a) || !known(&b) {
            // `false && x`, `true || x` need no `x`.
            return match (op, &a.v, &b.v) {
                (BinOp::And, V::Bool(false), _) | (BinOp::And, _, V::Bool(false)) => {
                    Val::new(at, V::Bool(false))
                }
                (BinOp::Or, V::Bool(true), _) | (BinOp::Or, _, V::Bool(true)) => {
                    Val::new(at, V::Bool(true))
                }
                _ => self.unknown_expr(s, e),
            };
        }
        let v = match (op, &a.v, &b.v) {
            (BinOp::Eq, _, _) => V::Bool(to_json(&a) == to_json(&b)),
            (BinOp::NotEq, _, _) => V::Bool(to_json(&a) != to_json(&b)),
            (BinOp::And, V::Bool(x), V::Bool(y)) => V::Bool(*x && *y),
            (BinOp::Or, V::Bool(x), V::Bool(y)) => V::Bool(*x || *y),
            (BinOp::Compare(order, or_equal), _, _) => match (number(&a), number(&b)) {
                (Some(x), Some(y)) => match x.partial_cmp(&y) {
                    Some(o) => V::Bool(o == order || (or_equal && o == std::cmp::Ordering::Equal)),
                    None => return self.unknown_expr(s, e),
                },
                _ => return self.unknown_expr(s, e),
            },
            (BinOp::Arith(c), _, _) => match (number(&a), number(&b)) {
                (Some(x), Some(y)) => V::Number(match c {
                    '+' => x + y,
                    '-' => x - y,
                    '*' => x * y,
                    '/' if y != 0.0 => x / y,
                    '%' if y != 0.0 => x % y,
                    _ => return self.unknown_expr(s, e),
                }),
                _ => return self.unknown_expr(s, e),
            },
            _ => return self.unknown_expr(s, e),
        };
        Val::new(at, v)
    }

    fn for_expr(&self, s: &Scope, e: &Expr, f: &super::hcl::ForExpr) -> Val {
        let collection = self.eval(s, &f.collection);
        let pairs: Vec<(Val, Val)> = match &collection.v {
            V::List(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (Val::new(v.at, V::Number(i as f64)), v.clone()))
                .collect(),
            V::Map(members) => members
                .iter()
                .map(|(k, kat, v)| (Val::str(*kat, k.clone()), v.clone()))
                .collect(),
            _ => return self.unknown_expr(s, e),
        };
        if pairs.len() > MAX_ITEMS || !self.step(pairs.len() as u64, s.file, e.span) {
            return self.unknown_expr(s, e);
        }
        let mut list = Vec::new();
        let mut map: Vec<(String, At, Val)> = Vec::new();
        for (k, v) in pairs {
            let mut scope = s.with(&f.value_var, v);
            if let Some(key_var) = &f.key_var {
                scope = scope.with(key_var, k);
            }
            if let Some(cond) = &f.cond {
                match self.eval(&scope, cond).v {
                    V::Bool(true) => {}
                    V::Bool(false) => continue,
                    _ => return self.unknown_expr(s, e),
                }
            }
            let value = self.eval(&scope, &f.value);
            match &f.key {
                None => list.push(value),
                Some(key) => {
                    let k = self.eval(&scope, key);
                    let Some(text) = k.known_str().map(str::to_string) else {
                        return self.unknown_expr(s, e);
                    };
                    if f.grouping {
                        match map.iter_mut().find(|(existing, _, _)| *existing == text) {
                            Some((
                                _,
                                _,
                                Val {
                                    v: V::List(items), ..
                                },
                            )) => items.push(value),
                            _ => map.push((text, k.at, Val::new(value.at, V::List(vec![value])))),
                        }
                    } else {
                        map.retain(|(existing, _, _)| *existing != text);
                        map.push((text, k.at, value));
                    }
                }
            }
        }
        Val::new(
            site(s, e),
            if f.key.is_some() {
                V::Map(map)
            } else {
                V::List(list)
            },
        )
    }

    fn traversal(&self, s: &Scope, e: &Expr, root: &Expr, ops: &[Op]) -> Val {
        let at = site(s, e);
        let ExprKind::Var(name) = &root.kind else {
            let base = self.eval(s, root);
            return self.apply(s, e, base, ops);
        };
        if let Some((_, v)) = s.vars.iter().rev().find(|(n, _)| n == name) {
            return self.apply(s, e, v.clone().at_site(at), ops);
        }
        let attr = |i: usize| match ops.get(i) {
            Some(Op::Attr(a, _)) => Some(a.as_str()),
            _ => None,
        };
        let (base, used) = match name.as_str() {
            "var" => match attr(0) {
                Some(v) => (self.var(s.inst, v).at_site(at), 1),
                None => return self.unknown_expr(s, e),
            },
            "local" => match attr(0) {
                Some(l) => (self.local(s.inst, l).at_site(at), 1),
                None => return self.unknown_expr(s, e),
            },
            "module" => match (attr(0), attr(1)) {
                (Some(m), Some(o)) => (self.output(s, e, m, o).at_site(at), 2),
                _ => return self.unknown_expr(s, e),
            },
            "count" | "each" | "path" | "terraform" | "self" => {
                return self.unknown_expr(s, e);
            }
            _ => {
                let (data, kind, name_at) = if name == "data" {
                    match attr(0) {
                        Some(kind) => (true, kind, 1),
                        None => return self.unknown_expr(s, e),
                    }
                } else {
                    (false, name.as_str(), 0)
                };
                let Some(res_name) = attr(name_at) else {
                    return self.unknown_expr(s, e);
                };
                // One instance stands for all of a `count`/`for_each` resource.
                let mut next = name_at + 1;
                while matches!(ops.get(next), Some(Op::Index(_) | Op::Splat(_))) {
                    next += 1;
                }
                let Some(attribute) = attr(next) else {
                    return self.unknown_expr(s, e);
                };
                match self.modules[self.instances[s.inst].module]
                    .index
                    .get(&(data, kind, res_name))
                {
                    Some(&res) => (
                        self.resource_attr(s.inst, res, attribute).at_site(at),
                        next + 1,
                    ),
                    None => return self.unknown_expr(s, e),
                }
            }
        };
        // A part of a value written elsewhere (a map's entry in a `.tfvars`) shows here.
        self.apply(s, e, base, &ops[used..]).at_site(at)
    }

    /// Applies the rest of a traversal (`.name`, `[i]`, `[*]`) to a value.
    fn apply(&self, s: &Scope, e: &Expr, base: Val, ops: &[Op]) -> Val {
        let mut value = base;
        for (i, op) in ops.iter().enumerate() {
            if let V::Unknown(_) = value.v {
                return self.unknown_expr(s, e);
            }
            value = match op {
                Op::Attr(name, _) => match value.get(name) {
                    Some(v) => v.clone(),
                    None => return self.unknown_expr(s, e),
                },
                Op::Index(index) => {
                    let index = self.eval(s, index);
                    let found = match (&value.v, &index.v) {
                        (V::List(items), V::Number(n)) if *n >= 0.0 => items.get(*n as usize),
                        (V::Map(_), _) => index.known_str().and_then(|k| value.get(k)),
                        _ => None,
                    };
                    match found {
                        Some(v) => v.clone(),
                        None => return self.unknown_expr(s, e),
                    }
                }
                Op::Splat(_) => {
                    let items = match &value.v {
                        V::List(items) => items.clone(),
                        V::Null => Vec::new(),
                        _ => vec![value.clone()],
                    };
                    let rest = &ops[i + 1..];
                    let mapped = items
                        .into_iter()
                        .map(|item| self.apply(s, e, item, rest))
                        .collect();
                    return Val::new(site(s, e), V::List(mapped));
                }
            };
        }
        value
    }

    /// An input variable of an instance: what its module block passes, else (for a root)
    /// the config's `[parameters]` and `.tfvars` files, else its default.
    pub fn var(&self, inst: usize, name: &str) -> Val {
        let key = Key::Var(inst, name.to_string());
        let unknown_name = format!("{}var.{name}", self.instances[inst].prefix);
        let module = &self.modules[self.instances[inst].module];
        let declared = module.variables.get(name).copied();
        let fallback_at = declared.map_or(
            At {
                file: module.files.first().copied().unwrap_or(0),
                span: Span::empty(0),
            },
            |(f, b)| At {
                file: f,
                span: b.labels.first().map_or(b.kind_span, |l| l.1),
            },
        );
        let unknown = || Val::unknown(fallback_at, unknown_name.clone());
        self.memoized(
            key,
            || {
                if let Some((parent, call)) = self.instances[inst].parent {
                    let call = &self.modules[self.instances[parent].module].calls[call];
                    if let Some(arg) = call.block.body.attr(name) {
                        return self.eval(&Scope::new(parent, call.file), &arg.value);
                    }
                } else {
                    let settings = module
                        .files
                        .first()
                        .map(|&f| &self.files[f as usize].settings);
                    if let Some(value) = settings.and_then(|s| s.parameters.get(name)) {
                        return Val::str(fallback_at, value.clone());
                    }
                    if let Some((_, file, expr)) =
                        module.tfvars.iter().rev().find(|(n, _, _)| n == name)
                    {
                        return self.eval(&Scope::new(inst, *file), expr);
                    }
                }
                match declared.and_then(|(f, b)| Some((f, &b.body.attr("default")?.value))) {
                    Some((file, expr)) => self.eval(&Scope::new(inst, file), expr),
                    None => unknown(),
                }
            },
            unknown,
        )
    }

    fn local(&self, inst: usize, name: &str) -> Val {
        let module = &self.modules[self.instances[inst].module];
        let unknown_name = format!("{}local.{name}", self.instances[inst].prefix);
        let Some(&(file, expr)) = module.locals.get(name) else {
            return Val::unknown(
                At {
                    file: module.files.first().copied().unwrap_or(0),
                    span: Span::empty(0),
                },
                unknown_name,
            );
        };
        let at = At {
            file,
            span: expr.span,
        };
        self.memoized(
            Key::Local(inst, name.to_string()),
            || self.eval(&Scope::new(inst, file), expr),
            || {
                self.issue(file, Issue::new(IssueKind::Cycle, expr.span, format!("local value `{name}` depends on itself: Terraform refuses the configuration (\"Cycle\")")).help("break the circle: one of the values must be written without the others"));
                Val::unknown(at, unknown_name.clone())
            },
        )
    }

    fn output(&self, s: &Scope, e: &Expr, module_name: &str, name: &str) -> Val {
        let Some(&child) = self.instances[s.inst].children.get(module_name) else {
            return self.unknown_expr(s, e);
        };
        let module = &self.modules[self.instances[child].module];
        let Some(&(file, block)) = module.outputs.get(name) else {
            return self.unknown_expr(s, e);
        };
        let Some(value) = block.body.attr("value") else {
            return self.unknown_expr(s, e);
        };
        let unknown = self.unknown_expr(s, e);
        self.memoized(
            Key::Output(child, name.to_string()),
            || self.eval(&Scope::new(child, file), &value.value),
            || unknown.clone(),
        )
    }

    /// The resource or data source `res` of an instance's module.
    pub fn res(&self, inst: usize, res: usize) -> &Res<'a> {
        &self.modules[self.instances[inst].module].resources[res]
    }

    /// The folder of the root module of the configuration `inst` belongs to: what tells the
    /// run's configurations apart.
    pub fn root_dir(&self, inst: usize) -> &Path {
        let mut at = inst;
        // Bounded: a parent comes before its children, and there are as many steps as
        // instances at most.
        for _ in 0..self.instances.len() {
            match self.instances.get(at).and_then(|i| i.parent) {
                Some((parent, _)) => at = parent,
                None => break,
            }
        }
        self.instances
            .get(at)
            .map_or(Path::new(""), |i| self.modules[i.module].dir.as_path())
    }

    /// The address of a resource (`module.a.aws_iam_role.r`).
    pub fn address(&self, inst: usize, res: usize) -> String {
        let r = self.res(inst, res);
        format!(
            "{}{}{}.{}",
            self.instances[inst].prefix,
            if r.data { "data." } else { "" },
            r.kind,
            r.name
        )
    }

    /// The scope a resource's body is evaluated in: `count.index` and `each` unknown, but for
    /// a `count` of 1.
    fn resource_scope(&self, inst: usize, res: usize) -> Scope {
        let r = self.res(inst, res);
        let mut scope = Scope::new(inst, r.file);
        let address = self.address(inst, res);
        let at = At {
            file: r.file,
            span: r.block.kind_span,
        };
        if r.block.body.attr("count").is_some() {
            let index = match self.count(inst, res) {
                Some(1) => Val::new(at, V::Number(0.0)),
                _ => Val::unknown(at, format!("{address}.count.index")),
            };
            scope = scope.with(
                "count",
                Val::new(at, V::Map(vec![("index".into(), at, index)])),
            );
        }
        if r.block.body.attr("for_each").is_some() {
            let each = Val::new(
                at,
                V::Map(vec![
                    (
                        "key".into(),
                        at,
                        Val::unknown(at, format!("{address}.each.key")),
                    ),
                    (
                        "value".into(),
                        at,
                        Val::unknown(at, format!("{address}.each.value")),
                    ),
                ]),
            );
            scope = scope.with("each", each);
        }
        scope
    }

    /// One argument of a resource, evaluated on its own (`None` when absent or `null`).
    pub fn argument(&self, inst: usize, res: usize, name: &str) -> Option<Val> {
        let attr = self.res(inst, res).block.body.attr(name)?;
        let value = self.eval(&self.resource_scope(inst, res), &attr.value);
        (!value.is_null()).then_some(value)
    }

    /// A resource's `count` when known.
    pub fn count(&self, inst: usize, res: usize) -> Option<u64> {
        let r = self.res(inst, res);
        let count = r.block.body.attr("count")?;
        match self.eval(&Scope::new(inst, r.file), &count.value).v {
            V::Number(n) if n >= 0.0 => Some(n as u64),
            _ => None,
        }
    }

    /// True when a resource is certainly not created (`count = 0`, `for_each` over nothing).
    pub fn absent(&self, inst: usize, res: usize) -> bool {
        if self.count(inst, res) == Some(0) {
            return true;
        }
        let r = self.res(inst, res);
        match r.block.body.attr("for_each") {
            Some(each) => match self.eval(&Scope::new(inst, r.file), &each.value).v {
                V::List(items) => items.is_empty(),
                V::Map(members) => members.is_empty(),
                _ => false,
            },
            None => false,
        }
    }

    /// A resource's arguments and nested blocks evaluated (blocks as lists of objects, as
    /// Terraform's JSON shows them).
    pub fn body(&self, inst: usize, res: usize) -> Val {
        let r = self.res(inst, res);
        let at = At {
            file: r.file,
            span: r.block.span,
        };
        self.memoized(
            Key::Res(inst, res),
            || {
                let scope = self.resource_scope(inst, res);
                self.block_body(&scope, &r.block.body, at, true)
            },
            || Val::unknown(at, self.address(inst, res)),
        )
    }

    /// A body as an object: attributes, then blocks by type; a `dynamic` block expanded when
    /// what it iterates is known, else its type's list is unknown.
    pub fn block_body(&self, s: &Scope, body: &Body, at: At, resource: bool) -> Val {
        const META: &[&str] = &[
            "count",
            "for_each",
            "provider",
            "depends_on",
            "lifecycle",
            "provisioner",
            "connection",
            "timeouts",
        ];
        let mut members: Vec<(String, At, Val)> = Vec::new();
        for attr in &body.attrs {
            if resource && META.contains(&attr.name.as_str()) {
                continue;
            }
            members.push((
                attr.name.clone(),
                At {
                    file: s.file,
                    span: attr.name_span,
                },
                self.eval(s, &attr.value),
            ));
        }
        let mut lists: Vec<(String, At, Val)> = Vec::new();
        let push =
            |lists: &mut Vec<(String, At, Val)>, kind: &str, kind_at: At, item: Val| match lists
                .iter_mut()
                .find(|(k, _, _)| k == kind)
            {
                Some((
                    _,
                    _,
                    Val {
                        v: V::List(items), ..
                    },
                )) => items.push(item),
                Some(_) => {}
                None => lists.push((
                    kind.to_string(),
                    kind_at,
                    Val::new(kind_at, V::List(vec![item])),
                )),
            };
        for block in &body.blocks {
            if resource && META.contains(&block.kind.as_str()) {
                continue;
            }
            let block_at = At {
                file: s.file,
                span: block.span,
            };
            let kind_at = At {
                file: s.file,
                span: block.kind_span,
            };
            if block.kind == "dynamic" {
                let Some(kind) = block.label(0) else { continue };
                match self.dynamic(s, block, kind) {
                    Some(items) => {
                        for item in items {
                            push(&mut lists, kind, kind_at, item);
                        }
                    }
                    None => {
                        lists.retain(|(k, _, _)| k != kind);
                        lists.push((
                            kind.to_string(),
                            kind_at,
                            Val::unknown(block_at, format!("dynamic {kind}")),
                        ));
                    }
                }
                continue;
            }
            let item = self.block_body(s, &block.body, block_at, false);
            push(&mut lists, &block.kind, kind_at, item);
        }
        members.extend(lists);
        Val::new(at, V::Map(members))
    }

    /// The blocks a `dynamic` block makes, when what it iterates is known.
    fn dynamic(&self, s: &Scope, block: &Block, kind: &str) -> Option<Vec<Val>> {
        let each = block.body.attr("for_each")?;
        let content = block.body.blocks("content").next()?;
        let iterator = match block.body.attr("iterator") {
            Some(i) => reference_text(&i.value)?,
            None => kind.to_string(),
        };
        let collection = self.eval(s, &each.value);
        let pairs: Vec<(Val, Val)> = match &collection.v {
            V::List(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (Val::new(v.at, V::Number(i as f64)), v.clone()))
                .collect(),
            V::Map(members) => members
                .iter()
                .map(|(k, kat, v)| (Val::str(*kat, k.clone()), v.clone()))
                .collect(),
            _ => return None,
        };
        if pairs.len() > MAX_ITEMS || !self.step(pairs.len() as u64, s.file, block.span) {
            return None;
        }
        let at = At {
            file: s.file,
            span: content.span,
        };
        Some(
            pairs
                .into_iter()
                .map(|(k, v)| {
                    let it = Val::new(
                        at,
                        V::Map(vec![("key".into(), at, k), ("value".into(), at, v)]),
                    );
                    self.block_body(&s.with(&iterator, it), &content.body, at, false)
                })
                .collect(),
        )
    }

    /// The provider configuration a resource is created through.
    pub fn resource_provider(&self, inst: usize, res: usize) -> Provider {
        let r = self.res(inst, res);
        let key = r
            .block
            .body
            .attr("provider")
            .and_then(|p| reference_text(&p.value))
            .unwrap_or_else(|| r.kind.split('_').next().unwrap_or("aws").to_string());
        self.provider(inst, &key)
    }

    /// A provider configuration of an instance by its key (`aws`, `aws.target`): its own
    /// block, else what the module block passes (`providers = { aws = aws.target }`), else,
    /// for the default configuration, the parent's.
    pub fn provider(&self, inst: usize, key: &str) -> Provider {
        let memo_key = Key::Provider(inst, key.to_string());
        if let Some(p) = self.providers.borrow().get(&memo_key) {
            return p.clone();
        }
        if !self.busy.borrow_mut().insert(memo_key.clone()) {
            return Provider {
                name: key.to_string(),
                ..Provider::default()
            };
        }
        let provider = self.find_provider(inst, key);
        self.busy.borrow_mut().remove(&memo_key);
        self.providers
            .borrow_mut()
            .insert(memo_key, provider.clone());
        provider
    }

    fn find_provider(&self, inst: usize, key: &str) -> Provider {
        let instance = &self.instances[inst];
        let module = &self.modules[instance.module];
        let own = module.providers.get(key).copied();
        // A child's block with nothing but an alias only says which provider it expects.
        let proxy = own.is_some_and(|(_, b)| {
            b.body.blocks.is_empty() && b.body.attrs.iter().all(|a| a.name == "alias")
        });
        if let Some((parent, call)) = instance.parent {
            let call = &self.modules[self.instances[parent].module].calls[call];
            let passed = call
                .block
                .body
                .attr("providers")
                .and_then(|p| match &p.value.kind {
                    ExprKind::Object(members) => members.iter().find_map(|(k, v)| {
                        let k = reference_text(k)?;
                        (k == key).then(|| reference_text(v)).flatten()
                    }),
                    _ => None,
                });
            if let Some(parent_key) = passed {
                return self.provider(parent, &parent_key);
            }
            if own.is_none() || proxy {
                if !key.contains('.') {
                    return self.provider(parent, key);
                }
                return Provider {
                    name: format!("{}{key}", instance.prefix),
                    ..Provider::default()
                };
            }
        }
        let settings = |file: u32| &self.files[file as usize].settings;
        let Some((file, block)) = own else {
            let first = module.files.first().copied().unwrap_or(0);
            return Provider {
                account: settings(first).account,
                region: settings(first).region.clone(),
                name: format!("{}{key}", instance.prefix),
                default_tags: None,
            };
        };
        let scope = Scope::new(inst, file);
        let role_account = block
            .body
            .blocks("assume_role")
            .chain(block.body.blocks("assume_role_with_web_identity"))
            .find_map(|b| b.body.attr("role_arn"))
            .and_then(|a| {
                let arn = self.eval(&scope, &a.value);
                let text = arn.known_str()?.to_string();
                Arn::parse(&text).ok()?.account_id()
            });
        let allowed = block.body.attr("allowed_account_ids").and_then(|a| {
            match self.eval(&scope, &a.value).v {
                V::List(items) if items.len() == 1 => AccountId::parse(items[0].known_str()?),
                _ => None,
            }
        });
        let region = block
            .body
            .attr("region")
            .and_then(|r| self.eval(&scope, &r.value).known_str().map(str::to_string));
        let default_tags =
            block
                .body
                .blocks("default_tags")
                .next()
                .map(|b| match b.body.attr("tags") {
                    Some(tags) => self.eval(&scope, &tags.value),
                    None => Val::new(
                        At {
                            file,
                            span: b.kind_span,
                        },
                        V::Map(Vec::new()),
                    ),
                });
        Provider {
            account: role_account.or(allowed).or(settings(file).account),
            region: region.or_else(|| settings(file).region.clone()),
            name: format!("{}{key}", instance.prefix),
            default_tags,
        }
    }

    /// An attribute of a resource or data source: what it is computed to be (an ARN from
    /// the name and the provider's account), else its argument, else unknown.
    pub fn resource_attr(&self, inst: usize, res: usize, attr: &str) -> Val {
        let r = self.res(inst, res);
        let address = self.address(inst, res);
        let at = At {
            file: r.file,
            span: r.block.labels.get(1).map_or(r.block.kind_span, |l| l.1),
        };
        let unknown = || Val::unknown(at, format!("{address}.{attr}"));
        if let Some(v) = super::resources::computed(self, inst, res, attr, at) {
            return v;
        }
        let body = self.body(inst, res);
        match body.get(attr) {
            Some(v) if !v.is_null() => v.clone(),
            _ => unknown(),
        }
    }

    /// Calls a function Terraform has; one it has that xacct does not evaluate is unknown.
    fn call(&self, s: &Scope, e: &Expr, name: &str, args: &[Expr], expand: bool) -> Val {
        let at = site(s, e);
        let name = name.strip_prefix("core::").unwrap_or(name);
        // Functions whose arguments need not all be known.
        match name {
            "try" => {
                for arg in args {
                    let v = self.eval(s, arg);
                    if !v.has_unknown() {
                        return v;
                    }
                }
                return self.unknown_expr(s, e);
            }
            "coalesce" => {
                for arg in args {
                    let v = self.eval(s, arg);
                    match &v.v {
                        V::Null => continue,
                        V::Str(t, _) if t.is_empty() => continue,
                        _ if v.has_unknown() => return self.unknown_expr(s, e),
                        _ => return v,
                    }
                }
                return self.unknown_expr(s, e);
            }
            _ => {}
        }
        let mut values: Vec<Val> = args.iter().map(|a| self.eval(s, a)).collect();
        if expand {
            if let Some(last) = values.pop() {
                match last.v {
                    V::List(items) => values.extend(items),
                    _ => return self.unknown_expr(s, e),
                }
            }
        }
        let total: usize = values.iter().map(|v| v.items().len() + 1).sum();
        if total > MAX_ITEMS * 4 || !self.step(total as u64, s.file, e.span) {
            return self.unknown_expr(s, e);
        }
        let unknown = || self.unknown_expr(s, e);
        let text = |i: usize| {
            values
                .get(i)
                .filter(|v| !v.has_unknown())
                .and_then(|v| v.text())
        };
        let result = match (name, values.as_slice()) {
            ("jsonencode", [v]) => V::Json(Box::new(v.clone())),
            ("jsondecode", [v]) => match &v.v {
                V::Json(inner) => return (**inner).clone(),
                V::Str(t, map) if !v.has_unknown() => {
                    return match super::resources::parse_json(self.files, v.at, t, map.as_deref()) {
                        Some(Ok(node)) => super::value::from_node(&node, v.at.file, None, 0),
                        _ => unknown(),
                    };
                }
                _ => return unknown(),
            },
            (
                "tostring" | "tonumber" | "tobool" | "tolist" | "toset" | "tomap" | "sensitive"
                | "nonsensitive",
                [v],
            ) => return v.clone().at_site(at),
            ("lower" | "upper" | "trimspace", [_]) => match text(0) {
                Some(t) => V::Str(
                    match name {
                        "lower" => t.to_lowercase(),
                        "upper" => t.to_uppercase(),
                        _ => t.trim().to_string(),
                    },
                    None,
                ),
                None => return unknown(),
            },
            ("replace", [_, _, _]) => match (text(0), text(1), text(2)) {
                (Some(t), Some(from), Some(to))
                    if !(from.is_empty()
                        || (from.starts_with('/') && from.ends_with('/') && from.len() > 1)) =>
                {
                    V::Str(t.replace(&*from, &to), None)
                }
                _ => return unknown(),
            },
            ("format", [_, ..]) => match format(&values) {
                Some(t) => V::Str(t, None),
                None => return unknown(),
            },
            ("join", [_, list]) => match (text(0), &list.v) {
                (Some(sep), V::List(items)) if !list.has_unknown() => {
                    let parts: Option<Vec<String>> = items
                        .iter()
                        .map(|i| i.text().map(|t| t.into_owned()))
                        .collect();
                    match parts {
                        Some(parts) => V::Str(parts.join(&sep), None),
                        None => return unknown(),
                    }
                }
                _ => return unknown(),
            },
            ("split", [_, _]) => match (text(0), text(1)) {
                (Some(sep), Some(t)) if !sep.is_empty() => {
                    V::List(t.split(&*sep).map(|p| Val::str(at, p)).collect())
                }
                _ => return unknown(),
            },
            ("concat", _) => {
                let mut items = Vec::new();
                for v in &values {
                    match &v.v {
                        V::List(list) => items.extend(list.iter().cloned()),
                        _ => return unknown(),
                    }
                }
                V::List(items)
            }
            ("flatten", [v]) => {
                fn flat(v: &Val, out: &mut Vec<Val>, depth: usize) -> bool {
                    match &v.v {
                        V::List(items) if depth < 16 => {
                            items.iter().all(|i| flat(i, out, depth + 1))
                        }
                        V::List(_) | V::Unknown(_) => false,
                        _ => {
                            out.push(v.clone());
                            true
                        }
                    }
                }
                let mut out = Vec::new();
                if !flat(v, &mut out, 0) {
                    return unknown();
                }
                V::List(out)
            }
            ("merge", _) => {
                let mut members: Vec<(String, At, Val)> = Vec::new();
                for v in &values {
                    match &v.v {
                        V::Map(m) => {
                            for (k, kat, item) in m {
                                members.retain(|(existing, _, _)| existing != k);
                                members.push((k.clone(), *kat, item.clone()));
                            }
                        }
                        V::Null => {}
                        _ => return unknown(),
                    }
                }
                V::Map(members)
            }
            ("lookup", [map, _, ..]) => match (text(1), &map.v) {
                (Some(k), V::Map(_)) => match map.get(&k).or(values.get(2)) {
                    Some(v) => return v.clone(),
                    None => return unknown(),
                },
                _ => return unknown(),
            },
            ("element", [list, index]) => match (&list.v, &index.v) {
                (V::List(items), V::Number(n)) if !items.is_empty() && *n >= 0.0 => {
                    return items[(*n as usize) % items.len()].clone()
                }
                _ => return unknown(),
            },
            ("length", [v]) => match &v.v {
                V::List(items) => V::Number(items.len() as f64),
                V::Map(members) => V::Number(members.len() as f64),
                V::Str(t, _) if !v.has_unknown() => V::Number(t.chars().count() as f64),
                _ => return unknown(),
            },
            ("keys", [v]) => match &v.v {
                V::Map(members) => V::List(
                    members
                        .iter()
                        .map(|(k, kat, _)| Val::str(*kat, k.clone()))
                        .collect(),
                ),
                _ => return unknown(),
            },
            ("values", [v]) => match &v.v {
                V::Map(members) => V::List(members.iter().map(|(_, _, v)| v.clone()).collect()),
                _ => return unknown(),
            },
            ("compact", [v]) => match &v.v {
                V::List(items) if !v.has_unknown() => V::List(
                    items
                        .iter()
                        .filter(|i| {
                            !matches!(&i.v, V::Null)
                                && !matches!(&i.v, V::Str(t, _) if t.is_empty())
                        })
                        .cloned()
                        .collect(),
                ),
                _ => return unknown(),
            },
            ("distinct", [v]) => match &v.v {
                V::List(items) if !v.has_unknown() => {
                    let mut seen = HashSet::new();
                    V::List(
                        items
                            .iter()
                            .filter(|i| seen.insert(to_json(i)))
                            .cloned()
                            .collect(),
                    )
                }
                _ => return unknown(),
            },
            ("contains", [list, item]) => match &list.v {
                V::List(items) if !list.has_unknown() && !item.has_unknown() => {
                    let wanted = to_json(item);
                    V::Bool(items.iter().any(|i| to_json(i) == wanted))
                }
                _ => return unknown(),
            },
            ("one", [v]) => match &v.v {
                V::List(items) if items.len() == 1 => return items[0].clone(),
                V::List(items) if items.is_empty() => V::Null,
                _ => return unknown(),
            },
            ("zipmap", [keys, vals]) => match (&keys.v, &vals.v) {
                (V::List(k), V::List(v)) if k.len() == v.len() && !keys.has_unknown() => V::Map(
                    k.iter()
                        .zip(v)
                        .filter_map(|(k, v)| Some((k.known_str()?.to_string(), k.at, v.clone())))
                        .collect(),
                ),
                _ => return unknown(),
            },
            ("startswith", [_, _]) => match (text(0), text(1)) {
                (Some(t), Some(p)) => V::Bool(t.starts_with(&*p)),
                _ => return unknown(),
            },
            ("endswith", [_, _]) => match (text(0), text(1)) {
                (Some(t), Some(p)) => V::Bool(t.ends_with(&*p)),
                _ => return unknown(),
            },
            ("min" | "max", _) if !values.is_empty() => {
                let numbers: Option<Vec<f64>> = values.iter().map(number).collect();
                match numbers {
                    Some(n) => V::Number(if name == "min" {
                        n.into_iter().fold(f64::INFINITY, f64::min)
                    } else {
                        n.into_iter().fold(f64::NEG_INFINITY, f64::max)
                    }),
                    None => return unknown(),
                }
            }
            _ => return unknown(),
        };
        Val::new(at, result)
    }
}

/// `format` with the verbs configurations use (`%s`, `%d`, `%v`, `%%`).
fn format(values: &[Val]) -> Option<String> {
    let spec = values.first()?.known_str()?;
    let mut out = String::new();
    let mut args = values[1..].iter();
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '%' => out.push('%'),
            's' | 'd' | 'v' => {
                let arg = args.next()?;
                if arg.has_unknown() {
                    return None;
                }
                out.push_str(&arg.text()?);
            }
            _ => return None,
        }
    }
    Some(out)
}

fn number(v: &Val) -> Option<f64> {
    match &v.v {
        V::Number(n) => Some(*n),
        V::Str(s, _) => s.trim().parse().ok(),
        _ => None,
    }
}

fn site(s: &Scope, e: &Expr) -> At {
    At {
        file: s.file,
        span: e.span,
    }
}

impl<'a> Module<'a> {
    fn read(files: &'a [File<'a>], dir: PathBuf, ids: &[u32]) -> Module<'a> {
        let mut module = Module {
            dir,
            files: Vec::new(),
            variables: HashMap::new(),
            locals: HashMap::new(),
            outputs: HashMap::new(),
            resources: Vec::new(),
            index: HashMap::new(),
            calls: Vec::new(),
            providers: HashMap::new(),
            tfvars: Vec::new(),
        };
        // `.tfvars` Terraform reads by itself: `terraform.tfvars`, then `*.auto.tfvars` in name
        // order; another one only when it is the folder's only other (as `-var-file` gives it).
        let name = |i: u32| {
            files[i as usize]
                .path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
        };
        let mut auto: Vec<u32> = Vec::new();
        let mut other: Vec<u32> = Vec::new();
        for &i in ids {
            let file = &files[i as usize];
            if file.tfvars {
                let n = name(i);
                if n == "terraform.tfvars" {
                    auto.insert(0, i);
                } else if n.ends_with(".auto.tfvars") {
                    auto.push(i);
                } else {
                    other.push(i);
                }
                continue;
            }
            module.files.push(i);
        }
        if other.len() == 1 {
            auto.extend(other);
        }
        for i in auto {
            if let Some(body) = &files[i as usize].body {
                for attr in &body.attrs {
                    module.tfvars.push((attr.name.clone(), i, &attr.value));
                }
            }
        }
        for &i in &module.files.clone() {
            let Some(body) = &files[i as usize].body else {
                continue;
            };
            for attr in &body.attrs {
                // Top-level attributes are no Terraform; ignore them as Terraform reports them.
                let _ = attr;
            }
            for block in &body.blocks {
                match (block.kind.as_str(), block.label(0), block.label(1)) {
                    ("variable", Some(n), _) => {
                        module.variables.entry(n).or_insert((i, block));
                    }
                    ("output", Some(n), _) => {
                        module.outputs.entry(n).or_insert((i, block));
                    }
                    ("locals", _, _) => {
                        for attr in &block.body.attrs {
                            module
                                .locals
                                .entry(attr.name.as_str())
                                .or_insert((i, &attr.value));
                        }
                    }
                    ("module", Some(n), _) => module.calls.push(Call {
                        file: i,
                        name: n,
                        block,
                        module: None,
                    }),
                    ("provider", Some(n), _) => {
                        let alias = block.body.attr("alias").and_then(|a| match &a.value.kind {
                            ExprKind::Str(lit) => Some(lit.value.clone()),
                            _ => None,
                        });
                        let key = match alias {
                            Some(alias) => format!("{n}.{alias}"),
                            None => n.to_string(),
                        };
                        module.providers.entry(key).or_insert((i, block));
                    }
                    (kind @ ("resource" | "data"), Some(t), Some(n)) => {
                        let data = kind == "data";
                        if module.index.contains_key(&(data, t, n)) {
                            continue;
                        }
                        module.index.insert((data, t, n), module.resources.len());
                        module.resources.push(Res {
                            file: i,
                            data,
                            kind: t,
                            name: n,
                            block,
                        });
                    }
                    _ => {}
                }
            }
        }
        module
    }
}
