//! Fact checks: CEL expressions compiled once per pack, bound once per assessment, run per requirement.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock, Mutex};

use super::cost;

use cel::common::types::{
    CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString, CelUInt,
};
use cel::common::value::Val;
use cel::{Context, Env, ExecutionError, Value};
use chrono::{Months, NaiveDate, TimeDelta};
use serde_json::Value as Json;

use crate::model::i18n::Message;
use crate::msg;

static ENV: LazyLock<Arc<Env>> = LazyLock::new(|| Arc::new(Env::stdlib()));

/// The domain functions registered for every check, with their arity.
pub const DOMAIN_FUNCTIONS: &[(&str, usize)] = &[
    ("within_months", 2),
    ("within_days", 2),
    ("months_since", 1),
    ("days_since", 1),
    ("covers_months", 2),
    ("same_name", 2),
    ("sum", 1),
    ("add_months", 2),
    ("non_eu_holders", 2),
    ("complete_pct", 3),
];

/// The variables bound for every check, besides the pack's constants.
pub const VARIABLES: &[&str] = &["facts", "service", "as_of"];

/// Longest expression compiled, in characters (the shipped pack's longest has under 200).
pub const MAX_EXPR_CHARS: usize = 2_000;

/// Deepest nesting of brackets (`(`, `[`, `{`) in an expression (the shipped pack nests 5 deep).
pub const MAX_EXPR_NESTING: usize = 24;

/// Deepest syntax tree of a compiled expression (the shipped pack's deepest is far below, see `tests/it/pack_invariants.rs`): running
/// a check recurses once per level, on the caller's stack.
pub const MAX_EXPR_DEPTH: usize = 24;

/// Deepest recursion of the CEL parser (its own guard, checked while parsing; the bracket limit above refuses
/// deep input before it is parsed at all).
const MAX_PARSE_RECURSION: u16 = 64;

/// A compiled check expression: its syntax tree, run against a [`Bindings`].
///
/// Expressions are parsed by the CEL crate's Pratt parser (a port of cel-go's), not by its default ANTLR one:
/// both give the same tree for every expression of the shipped pack (`tests/it/pack_invariants.rs` compares them),
/// but the Pratt parser is some twenty times faster, guards its own recursion, and needs no large stack. It is
/// reached through a hidden API of `cel` 0.15, which is why that dependency is pinned to an exact version.
#[derive(Clone, Debug)]
pub struct Program {
    expression: cel::IdedExpr,
}

impl Program {
    /// The syntax tree.
    #[must_use]
    pub fn expression(&self) -> &cel::IdedExpr {
        &self.expression
    }

    /// Variables and functions the expression refers to.
    #[must_use]
    pub fn references(&self) -> cel::parser::ExpressionReferences<'_> {
        self.expression.references()
    }

    fn execute(&self, context: &Context) -> cel::ResolveResult {
        Value::resolve(&self.expression, context)
    }
}

/// Compiles a check expression within the limits ([`MAX_EXPR_CHARS`], [`MAX_EXPR_NESTING`], [`MAX_EXPR_DEPTH`]);
/// an expression over a limit or that does not parse is an `Err` that says why.
pub fn compile(expr: &str) -> Result<Program, String> {
    compile_with(expr, &BTreeMap::new())
}

/// [`compile`] for a pack whose `constants` are known: their sizes make the cost bound (see [`cost`]) exact
/// where the expression reads them.
pub fn compile_with(expr: &str, constants: &BTreeMap<String, Json>) -> Result<Program, String> {
    let chars = expr.chars().count();
    if chars > MAX_EXPR_CHARS {
        return Err(format!(
            "the expression has {chars} characters; snc compiles at most {MAX_EXPR_CHARS}"
        ));
    }
    let nesting = bracket_nesting(expr);
    if nesting > MAX_EXPR_NESTING {
        return Err(format!(
            "brackets nest {nesting} deep; snc compiles at most {MAX_EXPR_NESTING}"
        ));
    }
    // The parser has its own recursion guard; a panic in it (none is known) is still an error, not a crash.
    let parsed = std::panic::catch_unwind(|| {
        cel::parser::PrattParser::new()
            .max_recursion_depth(MAX_PARSE_RECURSION)
            .parse(expr)
    })
    .map_err(|_| "the CEL parser failed on this expression".to_owned())?;
    let expression = parsed.map_err(|e| e.to_string().trim().to_owned())?;
    let depth = tree_depth(&expression);
    if depth > MAX_EXPR_DEPTH {
        return Err(format!(
            "the expression is {depth} levels deep once parsed; snc runs at most {MAX_EXPR_DEPTH}: split it"
        ));
    }
    let program = Program { expression };
    let unknown: Vec<String> = references(&program)
        .1
        .into_iter()
        .filter(|name| !is_known_function(name))
        .map(|name| format!("`{name}`"))
        .collect();
    if !unknown.is_empty() {
        let domain: Vec<&str> = DOMAIN_FUNCTIONS.iter().map(|(name, _)| *name).collect();
        return Err(format!(
            "{} {} not a function snc provides (CEL's standard functions, without `timestamp` and `duration`, and {})",
            unknown.join(", "),
            if unknown.len() == 1 { "is" } else { "are" },
            domain.join(", ")
        ));
    }
    if let Some(why) = cost::estimate(program.expression(), constants).excess() {
        return Err(why);
    }
    Ok(program)
}

/// Whether a check can call `name`: an operator the parser wrote, a standard function or one of
/// [`DOMAIN_FUNCTIONS`]. Asked of the interpreter itself (a call to an undeclared function is the one error
/// that names it), once per name and process.
fn is_known_function(name: &str) -> bool {
    static KNOWN: LazyLock<Mutex<HashMap<String, bool>>> = LazyLock::new(Mutex::default);
    if name.starts_with(['_', '@', '!', '-']) {
        return true;
    }
    let mut known = KNOWN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(&answer) = known.get(name) {
        return answer;
    }
    let mut context = Context::with_env(Arc::clone(&ENV));
    register_functions(&mut context, NaiveDate::MIN);
    let undeclared = |call: String| {
        cel::parser::PrattParser::new()
            .parse(&call)
            .map_or(true, |tree| {
                matches!(Value::resolve(&tree, &context),
                    Err(ExecutionError::UndeclaredReference(n)) if n.as_str() == name)
            })
    };
    let answer = !(undeclared(format!("{name}()")) && undeclared(format!("''.{name}()")));
    known.insert(name.to_owned(), answer);
    answer
}

/// Compiles an expression with the CEL crate's default (ANTLR) parser, for the test that both parsers agree on
/// the shipped pack. Not used by the engine.
#[doc(hidden)]
pub fn reference_tree(expr: &str) -> Result<cel::IdedExpr, String> {
    ENV.compile(expr)
        .map(|p| p.expression().clone())
        .map_err(|e| e.to_string())
}

/// The deepest nesting of brackets outside string literals.
fn bracket_nesting(expr: &str) -> usize {
    let (mut depth, mut deepest) = (0_usize, 0_usize);
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in expr.chars() {
        if let Some(q) = quote {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                _ if c == q => quote = None,
                _ => {}
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '(' | '[' | '{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// The direct sub-expressions of a node, pushed onto `out`.
fn push_children<'e>(node: &'e cel::IdedExpr, out: &mut Vec<&'e cel::IdedExpr>) {
    use cel::common::ast::{EntryExpr, Expr};
    match &node.expr {
        Expr::Call(call) => {
            out.extend(call.target.iter().map(|t| &**t));
            out.extend(&call.args);
        }
        Expr::Comprehension(c) => out.extend([
            &c.iter_range,
            &c.accu_init,
            &c.loop_cond,
            &c.loop_step,
            &c.result,
        ]),
        Expr::List(list) => out.extend(&list.elements),
        Expr::Map(map) => {
            for entry in &map.entries {
                if let EntryExpr::MapEntry(e) = &entry.expr {
                    out.push(&e.key);
                    out.push(&e.value);
                }
            }
        }
        Expr::Struct(s) => {
            for entry in &s.entries {
                if let EntryExpr::StructField(f) = &entry.expr {
                    out.push(&f.value);
                }
            }
        }
        Expr::Select(select) => out.push(&select.operand),
        Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => {}
    }
}

/// The depth of a syntax tree (a lone literal is 1), walked without recursion.
#[must_use]
pub fn tree_depth(root: &cel::IdedExpr) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(root, 1_usize)];
    let mut children = Vec::new();
    while let Some((node, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        push_children(node, &mut children);
        stack.extend(children.drain(..).map(|child| (child, depth + 1)));
    }
    deepest
}

/// Every fact an expression reads: each longest `facts.a.b…` chain of field selections, as `a.b…`, in the
/// order of the expression's text (by node id, which the parser assigns as it reads). `has(facts.a)` reads
/// `a`; a selection on something else (`x.facts.a`, a comprehension variable) reads no fact.
#[must_use]
pub fn fact_reads(root: &cel::IdedExpr) -> Vec<String> {
    use cel::common::ast::Expr;
    let mut found: Vec<(u64, String)> = Vec::new();
    let mut stack = vec![root];
    let mut children = Vec::new();
    while let Some(node) = stack.pop() {
        if let Expr::Select(_) = &node.expr {
            let mut fields = Vec::new();
            let mut bottom = node;
            while let Expr::Select(select) = &bottom.expr {
                fields.push(select.field.as_str());
                bottom = &select.operand;
            }
            if matches!(&bottom.expr, Expr::Ident(name) if name == "facts") {
                fields.reverse();
                found.push((bottom.id, fields.join(".")));
                continue;
            }
        }
        push_children(node, &mut children);
        stack.append(&mut children);
    }
    found.sort_by_key(|(id, _)| *id);
    found.into_iter().map(|(_, path)| path).collect()
}

/// Variables and functions an expression refers to, for the pack linter.
#[must_use]
pub fn references(program: &Program) -> (Vec<String>, Vec<String>) {
    let refs = program.references();
    let mut variables: Vec<String> = refs.variables().into_iter().map(str::to_owned).collect();
    let mut functions: Vec<String> = refs.functions().into_iter().map(str::to_owned).collect();
    variables.sort();
    functions.sort();
    (variables, functions)
}

/// The result of one check on one assessment.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Pass,
    Fail,
    /// A listed fact is unknown, or the expression could not be evaluated on the facts given: why.
    Missing(Message),
    /// Parts of a whole (a cap table's column) add up to less than 100 %: what is given cannot decide the check,
    /// which is reported as a missing fact, with the total.
    Incomplete(Message),
}

/// Facts, service and date bound once per assessment. The CEL values borrow the facts' strings: binding an
/// assessment copies no text.
pub struct Bindings<'a> {
    context: Context<'a, 'a>,
    facts: &'a Json,
}

impl<'a> Bindings<'a> {
    /// Binds `facts` (nulls left out: unknown is absent), `service`, `as_of` and the pack's constants.
    #[must_use]
    pub fn new(
        facts: &'a Json,
        service: &'a Json,
        as_of: NaiveDate,
        constants: &'a BTreeMap<String, Json>,
    ) -> Self {
        let mut context = Context::with_env(Arc::clone(&ENV));
        context.add_variable_as_val("facts", json_to_val(facts));
        context.add_variable_as_val("service", json_to_val(service));
        context.add_variable_from_value("as_of", Value::from(as_of.to_string()));
        for (name, value) in constants {
            context.add_variable_as_val(name.clone(), json_to_val(value));
        }
        register_functions(&mut context, as_of);
        Self { context, facts }
    }

    /// Runs a check. It passes or fails only when the known facts decide it: an expression that needs an unknown
    /// fact gives `Missing`, naming the listed facts that are unknown; one that short-circuits past it
    /// (`all_in_eu || supervised`) is decided.
    #[must_use]
    pub fn run(&self, program: &Program, fact_paths: &[String]) -> Outcome {
        let unknown = || -> Vec<&str> {
            fact_paths
                .iter()
                .filter(|p| self.fact(p).is_none())
                .map(String::as_str)
                .collect()
        };
        match program.execute(&self.context) {
            Ok(Value::Bool(true)) => Outcome::Pass,
            Ok(Value::Bool(false)) => Outcome::Fail,
            Ok(other) => Outcome::Missing(msg!("cel.not_boolean", value = format!("{other:?}"))),
            Err(ExecutionError::FunctionError { function, message })
                if function == "complete_pct" && message.starts_with(INCOMPLETE) =>
            {
                incomplete(&message[INCOMPLETE.len()..])
            }
            Err(e) => {
                let unknown = unknown();
                if unknown.is_empty() {
                    Outcome::Missing(describe(&e))
                } else {
                    Outcome::Missing(msg!("cel.unknown_facts", facts = unknown.join(", ")))
                }
            }
        }
    }

    /// Runs a check's detail expression: the items at fault, each a map of fields (a plain value is the field
    /// `value`), at most `max` of them, and how many there were in all. `None` when the expression fails or gives
    /// something else than a list of items or one item.
    #[must_use]
    pub fn items(&self, program: &Program, max: usize) -> Option<(Vec<Item>, usize)> {
        let value = program.execute(&self.context).ok()?;
        let list: Vec<Value> = match value {
            Value::List(items) => items.iter().cloned().collect(),
            Value::Null => Vec::new(),
            other => vec![other],
        };
        let total = list.len();
        let items = list
            .iter()
            .take(max)
            .map(|v| match v {
                Value::Map(m) => m
                    .map
                    .iter()
                    .filter_map(|(k, v)| match k {
                        cel::objects::Key::String(k) => Some((k.to_string(), to_json(v, 0))),
                        _ => None,
                    })
                    .collect(),
                other => Item::from([("value".to_owned(), to_json(other, 0))]),
            })
            .collect();
        Some((items, total))
    }

    /// The known value of a dotted fact path (`null` is unknown).
    #[must_use]
    pub fn fact(&self, path: &str) -> Option<&Json> {
        path.split('.')
            .try_fold(self.facts, |v, key| v.get(key))
            .filter(|v| !v.is_null())
    }
}

/// An item a check's detail names: its fields by name.
pub type Item = BTreeMap<String, Json>;

/// A CEL value as JSON, for a detail's message: atoms, lists and maps to a small depth, anything else `null`.
fn to_json(value: &Value, depth: usize) -> Json {
    if depth > 4 {
        return Json::Null;
    }
    match value {
        Value::Int(i) => Json::from(*i),
        Value::UInt(u) => Json::from(*u),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::String(s) => Json::String(s.to_string()),
        Value::Bool(b) => Json::Bool(*b),
        Value::List(items) => Json::Array(items.iter().map(|v| to_json(v, depth + 1)).collect()),
        Value::Map(m) => Json::Object(
            m.map
                .iter()
                .filter_map(|(k, v)| match k {
                    cel::objects::Key::String(k) => Some((k.to_string(), to_json(v, depth + 1))),
                    _ => None,
                })
                .collect::<BTreeMap<_, _>>()
                .into_iter()
                .collect(),
        ),
        _ => Json::Null,
    }
}

/// Marks the error `complete_pct` raises on a total under 100 %, followed by `field total`.
const INCOMPLETE: &str = "incomplete: ";

fn incomplete(detail: &str) -> Outcome {
    let (field, total) = detail.split_once(' ').unwrap_or(("", detail));
    let total = crate::model::i18n::percent(total.parse().unwrap_or(0.0));
    let tolerance = crate::model::i18n::percent(COMPLETE_PCT_TOLERANCE);
    Outcome::Incomplete(msg!("cel.incomplete", field, total, tolerance))
}

fn describe(e: &ExecutionError) -> Message {
    match e {
        ExecutionError::NoSuchKey(key) => msg!("cel.unknown_fact", key = key.to_string()),
        other => msg!("cel.cannot_evaluate", error = other.to_string()),
    }
}

/// A JSON value as the CEL value checks read, borrowing its strings; a `null` member of an object is left out
/// (an unknown fact is an absent key), a `null` in a list stays. Integers that fit are `uint` (positive) or `int`,
/// any other number a `double`.
fn json_to_val(value: &Json) -> Box<dyn Val + '_> {
    match value {
        Json::Null => Box::new(CelNull),
        Json::Bool(b) => Box::new(CelBool::from(*b)),
        Json::Number(n) => {
            if let Some(u) = n.as_u64() {
                Box::new(CelUInt::from(u))
            } else if let Some(i) = n.as_i64() {
                Box::new(CelInt::from(i))
            } else {
                Box::new(CelDouble::from(n.as_f64().unwrap_or(f64::NAN)))
            }
        }
        Json::String(s) => Box::new(CelString::from(s.as_str())),
        Json::Array(items) => Box::new(CelList::from(
            items.iter().map(json_to_val).collect::<Vec<_>>(),
        )),
        Json::Object(map) => Box::new(CelMap::from(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (CelMapKey::from(k.as_str()), json_to_val(v)))
                .collect::<std::collections::HashMap<_, _>>(),
        )),
    }
}

fn date_arg(name: &str, value: &Value) -> Result<NaiveDate, ExecutionError> {
    match value {
        Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            ExecutionError::function_error(name, format!("`{s}` is not a YYYY-MM-DD date"))
        }),
        other => Err(ExecutionError::function_error(
            name,
            format!("expected a date string, got {other:?}"),
        )),
    }
}

fn count_arg(name: &str, value: &Value) -> Result<u32, ExecutionError> {
    let n = match value {
        Value::Int(i) => u32::try_from(*i).ok(),
        Value::UInt(u) => u32::try_from(*u).ok(),
        _ => None,
    };
    n.ok_or_else(|| {
        ExecutionError::function_error(name, format!("expected a count, got {value:?}"))
    })
}

/// `date` is on or before `as_of` and `date + months` on or after it, in calendar months: month ends clamp
/// (January 31st plus one month is February's last day). A date after `as_of` is never within: a review or an
/// audit has not happened yet on a date still to come.
#[must_use]
pub fn within_months(date: NaiveDate, months: u32, as_of: NaiveDate) -> bool {
    date <= as_of
        && date
            .checked_add_months(Months::new(months))
            .is_none_or(|limit| limit >= as_of)
}

/// `date` is on or before `as_of` and `date + days` on or after it.
#[must_use]
pub fn within_days(date: NaiveDate, days: u32, as_of: NaiveDate) -> bool {
    date <= as_of
        && date
            .checked_add_signed(TimeDelta::days(i64::from(days)))
            .is_none_or(|limit| limit >= as_of)
}

/// Whether a span of `days` days always covers `months` calendar months, whatever day they start on: `days` is at
/// least the longest such stretch (six months last 181 to 184 days; 184 is the bar). Starting on the first of a
/// month gives the longest stretches (a later start can only clamp shorter), and four years hold every pattern of
/// leap years that matters.
#[must_use]
pub fn covers_months(days: u32, months: u32) -> bool {
    let longest = (2024..2028)
        .flat_map(|year| (1..=12).map(move |month| (year, month)))
        .filter_map(|(year, month)| {
            let start = NaiveDate::from_ymd_opt(year, month, 1)?;
            Some((start.checked_add_months(Months::new(months))? - start).num_days())
        })
        .max()
        .unwrap_or(i64::MAX);
    i64::from(days) >= longest
}

/// A name as compared by [`same_name`]: lower case, every run of characters other than letters and digits made one
/// space, trimmed.
fn normalised_name(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether two names are the same once normalised (case, punctuation and spacing ignored): `OVHcloud` and
/// `ovhcloud`, `3DS-Outscale` and `3DS Outscale`, but neither `S` and `Scaleway` nor `Outscale` and
/// `3DS Outscale SAS`. An empty name matches nothing.
#[must_use]
pub fn same_name(a: &str, b: &str) -> bool {
    let a = normalised_name(a);
    !a.is_empty() && a == normalised_name(b)
}

/// Whole calendar months from `date` to `as_of`, negative when `date` is later.
#[must_use]
pub fn months_since(date: NaiveDate, as_of: NaiveDate) -> i64 {
    use chrono::Datelike;
    if date > as_of {
        return -months_since(as_of, date);
    }
    let months = (i64::from(as_of.year()) - i64::from(date.year())) * 12 + i64::from(as_of.month())
        - i64::from(date.month());
    let whole = u32::try_from(months).unwrap_or(u32::MAX);
    if date
        .checked_add_months(Months::new(whole))
        .is_some_and(|d| d > as_of)
    {
        months - 1
    } else {
        months
    }
}

/// Sum of numbers rounded to six decimals, so that percentages written with one or two decimals add up exactly.
pub fn sum(values: &[Value]) -> Result<f64, String> {
    let mut total = 0.0_f64;
    for v in values {
        total += match v {
            #[expect(
                clippy::cast_precision_loss,
                reason = "percentages and counts are far below 2^52"
            )]
            Value::Int(i) => *i as f64,
            #[expect(
                clippy::cast_precision_loss,
                reason = "percentages and counts are far below 2^52"
            )]
            Value::UInt(u) => *u as f64,
            Value::Float(f) => *f,
            other => return Err(format!("sum() takes numbers, got {other:?}")),
        };
    }
    Ok((total * 1e6).round() / 1e6)
}

/// `date` plus `months` calendar months, month ends clamped as in [`within_months`].
#[must_use]
pub fn add_months(date: NaiveDate, months: u32) -> Option<NaiveDate> {
    date.checked_add_months(Months::new(months))
}

/// How far a total of percentages may stray from 100 and still be complete.
pub const COMPLETE_PCT_TOLERANCE: f64 = 0.5;

/// Whether parts of a whole, in percent, are complete: `Ok(true)` when they add up to 100 within
/// [`COMPLETE_PCT_TOLERANCE`], `Ok(false)` over it, and `Err(total)` (rounded as [`sum`] does) under it.
pub fn complete_pct(parts: &[Value]) -> Result<Result<bool, f64>, String> {
    let total = sum(parts)?;
    Ok(if total < 100.0 - COMPLETE_PCT_TOLERANCE {
        Err(total)
    } else {
        Ok(total <= 100.0 + COMPLETE_PCT_TOLERANCE)
    })
}

fn field<'v>(row: &'v cel::objects::Map, name: &str) -> Option<&'v Value> {
    row.get(&cel::objects::KeyRef::String(name))
        .filter(|v| !matches!(v, Value::Null))
}

fn text_field<'v>(row: &'v cel::objects::Map, name: &str) -> Option<&'v str> {
    match field(row, name) {
        Some(Value::String(s)) => Some(s.as_str()),
        _ => None,
    }
}

/// The representative of `i` in a union-find forest, halving paths on the way.
fn root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Whether a cap-table row stands for several small holders (`small_holders_grouped`; absent is false).
fn grouped(row: &cel::objects::Map) -> bool {
    matches!(field(row, "small_holders_grouped"), Some(Value::Bool(true)))
}

/// A name as holders are matched: trimmed, lower case.
fn holder_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// The holders of a cap table outside the EU, each counted once: rows with the same name (trimmed, case
/// ignored) are one holder, and holders sharing a `concert_group` are one, with everything linked to them. A
/// holder is outside the EU when its `country` or its `ultimate_controller_country` is not in `eu`; a group is
/// when any of its rows is. Each holder comes back as a map: `name` (the concert group's, else the first row's),
/// `country` (the first row's country outside the EU, else the first ultimate controller's),
/// `capital_pct` and `voting_pct` (the group's totals, rounded as [`sum`] does; absent when a row lacks it),
/// `veto_rights` and `can_appoint_board_majority` (any row's; absent when unknown and no row has it), and
/// `individual` (`false` when every row is `small_holders_grouped`: such a row counts toward the collective cap
/// only). Rows keep their order; a row without `country`, or a row not grouped without `name`, is an error.
pub fn non_eu_holders(rows: &[Value], eu: &[Value]) -> Result<Vec<Value>, ExecutionError> {
    const NAME: &str = "non_eu_holders";
    let eu: Vec<&str> = eu
        .iter()
        .filter_map(|c| match c {
            Value::String(s) => Some(s.as_str()),
            _ => None,
        })
        .collect();
    let mut maps = Vec::with_capacity(rows.len());
    for row in rows {
        match row {
            Value::Map(m) => maps.push(m),
            other => {
                return Err(ExecutionError::function_error(
                    NAME,
                    format!("expected holders as objects, got {other:?}"),
                ));
            }
        }
    }
    // Union-find over rows: the same holder key or the same concert group joins two rows.
    let mut parent: Vec<usize> = (0..maps.len()).collect();
    let mut first_of: BTreeMap<(bool, String), usize> = BTreeMap::new();
    for (i, row) in maps.iter().enumerate() {
        let mut keys = Vec::new();
        if !grouped(row) {
            let name = text_field(row, "name")
                .ok_or_else(|| ExecutionError::NoSuchKey(Arc::new("name".to_owned())))?;
            keys.push((false, holder_key(name)));
        }
        if let Some(group) = text_field(row, "concert_group").filter(|g| !g.trim().is_empty()) {
            keys.push((true, holder_key(group)));
        }
        for key in keys {
            let first = *first_of.entry(key).or_insert(i);
            let (a, b) = (root(&mut parent, first), root(&mut parent, i));
            parent[a.max(b)] = a.min(b);
        }
    }
    let mut units: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..maps.len() {
        let r = root(&mut parent, i);
        units.entry(r).or_default().push(i);
    }
    let mut out = Vec::new();
    for members in units.values() {
        // The first country outside the EU among the rows' own, then their controllers'.
        let mut outside: Option<&str> = None;
        let mut controlled_from: Option<&str> = None;
        for &i in members {
            let country = text_field(maps[i], "country")
                .ok_or_else(|| ExecutionError::NoSuchKey(Arc::new("country".to_owned())))?;
            let controller = text_field(maps[i], "ultimate_controller_country");
            if !eu.contains(&country) {
                outside = outside.or(Some(country));
            }
            if let Some(c) = controller.filter(|c| !eu.contains(c)) {
                controlled_from = controlled_from.or(Some(c));
            }
        }
        let Some(country) = outside.or(controlled_from) else {
            continue;
        };
        let rows: Vec<&cel::objects::Map> = members.iter().map(|&i| maps[i]).collect();
        let name = rows
            .iter()
            .find_map(|r| text_field(r, "concert_group").filter(|g| !g.trim().is_empty()))
            .or_else(|| rows.iter().find_map(|r| text_field(r, "name")))
            .unwrap_or_default()
            .trim()
            .to_owned();
        let mut holder: HashMap<String, Value> = HashMap::new();
        holder.insert("name".to_owned(), Value::from(name));
        holder.insert("country".to_owned(), Value::from(country.to_owned()));
        holder.insert(
            "individual".to_owned(),
            Value::Bool(rows.iter().any(|r| !grouped(r))),
        );
        for pct in ["capital_pct", "voting_pct"] {
            let parts: Option<Vec<Value>> = rows.iter().map(|r| field(r, pct).cloned()).collect();
            if let Some(parts) = parts {
                let total = sum(&parts).map_err(|e| ExecutionError::function_error(NAME, e))?;
                holder.insert(pct.to_owned(), Value::Float(total));
            }
        }
        for power in ["veto_rights", "can_appoint_board_majority"] {
            // A row of small holders grouped stands for holders without special rights.
            let values: Vec<Option<&Value>> = rows
                .iter()
                .map(|r| match field(r, power) {
                    None if grouped(r) => Some(&Value::Bool(false)),
                    v => v,
                })
                .collect();
            if values.iter().any(|v| matches!(v, Some(Value::Bool(true)))) {
                holder.insert(power.to_owned(), Value::Bool(true));
            } else if values.iter().all(|v| matches!(v, Some(Value::Bool(false)))) {
                holder.insert(power.to_owned(), Value::Bool(false));
            }
        }
        out.push(Value::from(holder));
    }
    Ok(out)
}

fn register_functions(context: &mut Context<'_, '_>, as_of: NaiveDate) {
    let results = [
        context.add_function(
            "within_months",
            move |d: Value, n: Value| -> Result<Value, ExecutionError> {
                Ok(Value::Bool(within_months(
                    date_arg("within_months", &d)?,
                    count_arg("within_months", &n)?,
                    as_of,
                )))
            },
        ),
        context.add_function(
            "within_days",
            move |d: Value, n: Value| -> Result<Value, ExecutionError> {
                Ok(Value::Bool(within_days(
                    date_arg("within_days", &d)?,
                    count_arg("within_days", &n)?,
                    as_of,
                )))
            },
        ),
        context.add_function(
            "months_since",
            move |d: Value| -> Result<Value, ExecutionError> {
                Ok(Value::Int(months_since(
                    date_arg("months_since", &d)?,
                    as_of,
                )))
            },
        ),
        context.add_function(
            "days_since",
            move |d: Value| -> Result<Value, ExecutionError> {
                Ok(Value::Int((as_of - date_arg("days_since", &d)?).num_days()))
            },
        ),
        context.add_function(
            "add_months",
            |d: Value, n: Value| -> Result<Value, ExecutionError> {
                add_months(date_arg("add_months", &d)?, count_arg("add_months", &n)?)
                    .map(|date| Value::from(date.to_string()))
                    .ok_or_else(|| {
                        ExecutionError::function_error("add_months", "the date is out of range")
                    })
            },
        ),
        context.add_function(
            "non_eu_holders",
            |rows: Value, eu: Value| -> Result<Value, ExecutionError> {
                match (rows, eu) {
                    (Value::List(rows), Value::List(eu)) => {
                        non_eu_holders(&rows, &eu).map(Value::from)
                    }
                    (rows, eu) => Err(ExecutionError::function_error(
                        "non_eu_holders",
                        format!("expected a list of holders and a list of countries, got {rows:?} and {eu:?}"),
                    )),
                }
            },
        ),
        context.add_function(
            "complete_pct",
            |rows: Value, name: Value, extra: Value| -> Result<Value, ExecutionError> {
                const NAME: &str = "complete_pct";
                let (Value::List(rows), Value::String(name)) = (rows, name) else {
                    return Err(ExecutionError::function_error(
                        NAME,
                        "expected a list of objects and a field name",
                    ));
                };
                let mut parts = Vec::with_capacity(rows.len() + 1);
                for row in rows.iter() {
                    let Value::Map(row) = row else {
                        return Err(ExecutionError::function_error(NAME, "expected objects"));
                    };
                    parts.push(
                        field(row, &name)
                            .cloned()
                            .ok_or_else(|| ExecutionError::NoSuchKey(Arc::clone(&name)))?,
                    );
                }
                parts.push(extra);
                match complete_pct(&parts).map_err(|e| ExecutionError::function_error(NAME, e))? {
                    Ok(within) => Ok(Value::Bool(within)),
                    Err(total) => Err(ExecutionError::function_error(
                        NAME,
                        format!("{INCOMPLETE}{name} {total}"),
                    )),
                }
            },
        ),
        context.add_function(
            "covers_months",
            |days: Value, months: Value| -> Result<Value, ExecutionError> {
                Ok(Value::Bool(covers_months(
                    count_arg("covers_months", &days)?,
                    count_arg("covers_months", &months)?,
                )))
            },
        ),
        context.add_function(
            "same_name",
            |a: Value, b: Value| -> Result<Value, ExecutionError> {
                match (&a, &b) {
                    (Value::String(a), Value::String(b)) => Ok(Value::Bool(same_name(a, b))),
                    _ => Err(ExecutionError::function_error(
                        "same_name",
                        format!("expected two strings, got {a:?} and {b:?}"),
                    )),
                }
            },
        ),
        context.add_function("sum", |list: Value| -> Result<Value, ExecutionError> {
            match list {
                Value::List(items) => sum(&items)
                    .map(Value::Float)
                    .map_err(|e| ExecutionError::function_error("sum", e)),
                other => Err(ExecutionError::function_error(
                    "sum",
                    format!("expected a list, got {other:?}"),
                )),
            }
        }),
    ];
    debug_assert!(
        results.iter().all(Result::is_ok),
        "domain functions clash with the standard library"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn fact_reads_are_the_longest_facts_chains_in_text_order() {
        let reads = |expr: &str| fact_reads(compile(expr).expect("compiles").expression());
        assert_eq!(
            reads("facts.b.c > 1 && has(facts.a) && facts.d[0] == 'facts.e'"),
            ["b.c", "a", "d"]
        );
        assert_eq!(
            reads("facts.hosts.all(h, h.facts.x == facts.zone) && size(facts.l).z"),
            ["hosts", "zone", "l"]
        );
        assert!(reads("x.facts.a == 1 && 'facts.b' != ''").is_empty());
    }

    fn eval(expr: &str, facts: &Json, paths: &[&str]) -> Outcome {
        let mut constants = BTreeMap::new();
        constants.insert("EU27".to_owned(), json!(["FR", "DE"]));
        let service = json!({"types": ["SaaS"], "built_on": []});
        let bindings = Bindings::new(facts, &service, date("2026-11-28"), &constants);
        let program = compile(expr).expect("compiles");
        bindings.run(
            &program,
            &paths.iter().map(|p| (*p).to_owned()).collect::<Vec<_>>(),
        )
    }

    #[test]
    fn within_months_includes_the_anniversary_and_clamps_month_ends() {
        assert!(within_months(date("2025-11-28"), 12, date("2026-11-28")));
        assert!(!within_months(date("2025-11-28"), 12, date("2026-11-29")));
        assert!(within_months(date("2026-01-31"), 1, date("2026-02-28")));
        assert!(!within_months(date("2026-01-31"), 1, date("2026-03-01")));
        assert!(
            !within_months(date("2026-11-29"), 3, date("2026-11-28")),
            "a date after as_of is never within"
        );
        assert!(within_months(date("2026-11-28"), 3, date("2026-11-28")));
    }

    #[test]
    fn covers_months_needs_the_longest_calendar_stretch() {
        assert!(covers_months(184, 6), "1 March to 1 September is 184 days");
        assert!(!covers_months(183, 6));
        assert!(covers_months(31, 1));
        assert!(!covers_months(30, 1));
        assert!(covers_months(366, 12) && !covers_months(365, 12));
        let march = date("2026-03-01");
        assert_eq!((march + Months::new(6) - march).num_days(), 184);
    }

    #[test]
    fn same_name_ignores_case_and_punctuation_but_not_words() {
        assert!(same_name("OVHcloud", "ovhcloud"));
        assert!(same_name("3DS-Outscale", " 3DS  Outscale "));
        assert!(!same_name("S", "Scaleway"));
        assert!(!same_name("way", "Scaleway"));
        assert!(!same_name("Outscale", "3DS Outscale SAS"));
        assert!(!same_name("", ""));
        assert!(!same_name("--", "  "));
    }

    #[test]
    fn within_days_counts_calendar_days() {
        assert!(within_days(date("2026-11-07"), 21, date("2026-11-28")));
        assert!(!within_days(date("2026-11-06"), 21, date("2026-11-28")));
        assert!(within_days(date("2026-11-28"), 21, date("2026-11-28")));
        assert!(!within_days(date("2026-11-29"), 21, date("2026-11-28")));
    }

    #[test]
    fn months_since_counts_whole_months() {
        assert_eq!(months_since(date("2026-03-01"), date("2026-11-28")), 8);
        assert_eq!(months_since(date("2025-11-28"), date("2026-11-28")), 12);
        assert_eq!(months_since(date("2025-11-29"), date("2026-11-28")), 11);
        assert_eq!(months_since(date("2026-01-31"), date("2026-02-28")), 1);
        assert_eq!(months_since(date("2026-12-28"), date("2026-11-28")), -1);
        assert_eq!(months_since(date("2026-12-29"), date("2026-11-28")), -1);
        assert_eq!(months_since(date("2026-12-27"), date("2026-11-28")), 0);
    }

    #[test]
    fn sum_rounds_to_six_decimals() {
        let values = [Value::Float(13.1), Value::Float(12.9), Value::Float(13.0)];
        assert!((sum(&values).expect("numbers") - 39.0).abs() < f64::EPSILON);
        assert_eq!(sum(&values).expect("numbers").to_bits(), 39.0_f64.to_bits());
        assert!(sum(&[Value::from("x")]).is_err());
    }

    #[test]
    fn missing_fact_is_never_a_pass() {
        let outcome = eval(
            "facts.logging.retention_days >= 183",
            &json!({"logging": {"retention_days": null}}),
            &["logging.retention_days"],
        );
        assert!(matches!(outcome, Outcome::Missing(_)), "{outcome:?}");
    }

    #[test]
    fn nested_missing_field_is_fact_missing() {
        let facts = json!({"company": {"shareholders": [{"name": "A", "country": "US"}]}});
        let outcome = eval(
            "facts.company.shareholders.all(h, h.capital_pct <= 24)",
            &facts,
            &["company.shareholders"],
        );
        assert!(matches!(outcome, Outcome::Missing(_)), "{outcome:?}");
    }

    #[test]
    fn mixed_number_types_compare_and_constants_bind() {
        let facts = json!({"x": 24, "y": 24.01, "c": ["FR", "US"]});
        assert_eq!(
            eval("facts.x <= 24.0 && facts.y > 24", &facts, &["x", "y"]),
            Outcome::Pass
        );
        assert_eq!(
            eval("facts.c.all(c, c in EU27)", &facts, &["c"]),
            Outcome::Fail
        );
        assert_eq!(eval("sum([1, 2.5]) == 3.5", &facts, &[]), Outcome::Pass);
        assert_eq!(
            eval("within_months('2025-11-28', 12)", &facts, &[]),
            Outcome::Pass
        );
        assert_eq!(
            eval(
                "days_since('2026-11-27') == 1 && months_since('2026-10-28') == 1",
                &facts,
                &[]
            ),
            Outcome::Pass
        );
    }

    #[test]
    fn add_months_clamps_month_ends() {
        assert_eq!(add_months(date("2026-01-31"), 1), Some(date("2026-02-28")));
        assert_eq!(add_months(date("2025-06-01"), 1), Some(date("2025-07-01")));
    }

    #[test]
    fn complete_pct_is_within_half_a_point_of_100() {
        let parts = |v: &[f64]| v.iter().map(|f| Value::Float(*f)).collect::<Vec<_>>();
        assert_eq!(complete_pct(&parts(&[75.5, 24.0])), Ok(Ok(true)));
        assert_eq!(complete_pct(&parts(&[76.5, 24.0])), Ok(Ok(true)));
        assert_eq!(complete_pct(&parts(&[76.51, 24.0])), Ok(Ok(false)));
        assert_eq!(complete_pct(&parts(&[75.49, 24.0])), Ok(Err(99.49)));
        assert_eq!(complete_pct(&[]), Ok(Err(0.0)));
    }

    #[test]
    fn holders_are_grouped_by_name_and_concert_group_and_only_non_eu_ones_return() {
        let facts = json!({"h": [
            {"name": "Founders", "country": "FR", "capital_pct": 40, "voting_pct": 40},
            {"name": "BigFund LP", "country": "US", "capital_pct": 10, "voting_pct": 10, "concert_group": "G"},
            {"name": " bigfund lp", "country": "US", "capital_pct": 5.5, "voting_pct": 5.5},
            {"name": "Seine Capital", "country": "FR", "capital_pct": 4, "voting_pct": 4, "concert_group": "g "},
            {"name": "Rhein Holding", "country": "DE", "capital_pct": 20, "voting_pct": 20, "ultimate_controller_country": "US"},
            {"name": "US angels", "country": "US", "capital_pct": 20.5, "voting_pct": 20.5, "small_holders_grouped": true, "veto_rights": null}
        ]});
        let eval = |expr: &str| eval(expr, &facts, &["h"]);
        assert_eq!(
            eval("size(non_eu_holders(facts.h, EU27)) == 3"),
            Outcome::Pass
        );
        assert_eq!(
            eval("non_eu_holders(facts.h, EU27).map(h, h.capital_pct) == [19.5, 20.0, 20.5]"),
            Outcome::Pass
        );
        assert_eq!(
            eval(
                "non_eu_holders(facts.h, EU27).map(h, h.name) == ['G', 'Rhein Holding', 'US angels']"
            ),
            Outcome::Pass
        );
        assert_eq!(
            eval("non_eu_holders(facts.h, EU27).map(h, h.individual) == [true, true, false]"),
            Outcome::Pass
        );
        // Grouped small holders have no special rights; the others' are unknown here.
        assert_eq!(
            eval("!non_eu_holders(facts.h, EU27)[2].veto_rights"),
            Outcome::Pass
        );
        assert!(matches!(
            eval("non_eu_holders(facts.h, EU27)[0].veto_rights"),
            Outcome::Missing(_)
        ));
        let no_country = json!({"h": [{"name": "X", "capital_pct": 1}]});
        assert!(matches!(
            super::tests::eval("size(non_eu_holders(facts.h, EU27)) == 0", &no_country, &[]),
            Outcome::Missing(_)
        ));
    }

    #[test]
    fn a_partial_table_is_incomplete_in_both_languages() {
        let facts = json!({"h": [{"capital_pct": 63.5}, {"capital_pct": 24}]});
        match eval("complete_pct(facts.h, 'capital_pct', 0)", &facts, &["h"]) {
            Outcome::Incomplete(why) => {
                let (en, fr) = (
                    why.render(crate::model::Lang::En),
                    why.render(crate::model::Lang::Fr),
                );
                assert!(en.contains("`capital_pct` adds up to 87.5 %"), "{en}");
                assert!(fr.contains("totalise 87,5 %"), "{fr}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            eval("complete_pct(facts.h, 'capital_pct', 12.5)", &facts, &["h"]),
            Outcome::Pass
        );
    }

    #[test]
    fn syntax_errors_are_reported() {
        assert!(compile("facts.x >=").is_err());
    }
}
