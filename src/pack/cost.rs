//! A static bound on what one check can cost, computed when the check is compiled.
//!
//! The `cel` crate runs an expression to its end: it has no step budget and no memory limit. A check written by
//! a third party (`--rules DIR`) could nest comprehensions over fact lists (an `all` over 1,000 third parties
//! inside another) or build strings that double at each step, and take minutes or gigabytes on an assessment
//! that is within every input limit. So before a check is accepted, its syntax tree is walked once with the
//! largest values the input limits allow, and two bounds are computed:
//!
//! - **steps**: syntax-tree nodes evaluated, each counted as many times as the comprehensions around it iterate,
//!   plus the linear work of membership tests, list copies and concatenations;
//! - **bytes**: what concatenations (`+` on strings and lists) can allocate.
//!
//! A check over either budget is refused at load, with its place, and never runs. The bounds are upper bounds:
//! a check that passes them runs in well under a second on any assessment within the limits (measured figures
//! in `docs/security.md`).

use std::collections::BTreeMap;

use cel::IdedExpr;
use cel::common::ast::{EntryExpr, Expr, LiteralValue};
use serde_json::Value as Json;

/// Items of a fact list the bound assumes (`assessment::limits` refuses longer lists).
pub const MAX_LIST_ITEMS: u64 = 1_000;
/// Layers of `service.built_on` the bound assumes (`assessment::limits` refuses more).
pub const MAX_BUILT_ON: u64 = 16;
/// Characters of a string the bound assumes (`assessment::limits` refuses longer strings).
pub const MAX_STRING_CHARS: u64 = 10_000;

/// Steps one check may take at most. One step is about a microsecond of the interpreter's time (measured with
/// release builds on the fact lists the limits allow). The shipped pack's costliest check, a comparison of every
/// built-on layer with every third party (16 × 1,000 iterations), is bounded at about 1.2 million; two
/// comprehensions nested over fact lists (1,000 × 1,000 iterations) go far over.
pub const MAX_CHECK_STEPS: u64 = 4_000_000;
/// List items walked (by a membership test, a comparison, a copy) in the time of one step.
const ITEMS_PER_STEP: u64 = 16;
/// Bytes copied by a concatenation in the time of one step.
const BYTES_PER_STEP: u64 = 64;

/// Bytes one check's concatenations may allocate at most.
pub const MAX_CHECK_BYTES: u64 = 64 * 1024 * 1024;

/// The bounds of one expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cost {
    pub steps: u64,
    pub bytes: u64,
}

impl Cost {
    /// Why the expression is refused, or `None` when it is within both budgets.
    #[must_use]
    pub fn excess(&self) -> Option<String> {
        if self.bytes > MAX_CHECK_BYTES {
            Some(format!(
                "its concatenations may build up to {} bytes on an assessment within the input limits; snc runs \
                 a check that builds at most {MAX_CHECK_BYTES}",
                self.bytes
            ))
        } else if self.steps > MAX_CHECK_STEPS {
            Some(format!(
                "it may take up to {} steps on an assessment within the input limits (comprehensions nested over \
                 fact lists?); snc runs a check of at most {MAX_CHECK_STEPS}",
                self.steps
            ))
        } else {
            None
        }
    }
}

/// The largest value an expression can produce: items of a list (or entries of a map), items of each of its
/// elements, characters of a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Shape {
    items: u64,
    elem_items: u64,
    chars: u64,
}

impl Shape {
    const SCALAR: Shape = Shape {
        items: 1,
        elem_items: 1,
        chars: 32,
    };
    const EMPTY: Shape = Shape {
        items: 0,
        elem_items: 0,
        chars: 0,
    };
    const FACT: Shape = Shape {
        items: MAX_LIST_ITEMS,
        elem_items: MAX_LIST_ITEMS,
        chars: MAX_STRING_CHARS,
    };

    /// The shape of a known value (a pack's constant).
    fn of(value: &Json) -> Shape {
        let inner = |items: &mut dyn Iterator<Item = &Json>| {
            items.fold(Shape::EMPTY, |shape, v| {
                let v = Shape::of(v);
                Shape {
                    items: shape.items + 1,
                    elem_items: shape.elem_items.max(v.items),
                    chars: shape.chars.max(v.chars),
                }
            })
        };
        match value {
            Json::String(s) => Shape {
                chars: s.chars().count() as u64,
                ..Shape::SCALAR
            },
            Json::Array(a) => inner(&mut a.iter()),
            Json::Object(o) => inner(&mut o.values()),
            _ => Shape::SCALAR,
        }
    }

    fn max(self, other: Shape) -> Shape {
        Shape {
            items: self.items.max(other.items),
            elem_items: self.elem_items.max(other.elem_items),
            chars: self.chars.max(other.chars),
        }
    }
}

/// Operators and functions whose result is a boolean or a number whatever their arguments.
const SCALAR_RESULTS: &[&str] = &[
    "_==_",
    "_!=_",
    "_<_",
    "_<=_",
    "_>_",
    "_>=_",
    "_&&_",
    "_||_",
    "!_",
    "-_",
    "_-_",
    "_*_",
    "_/_",
    "_%_",
    "@in",
    "@not_strictly_false",
    "size",
    "int",
    "uint",
    "double",
    "bool",
    "matches",
    "startsWith",
    "endsWith",
    "contains",
    "within_months",
    "within_days",
    "months_since",
    "days_since",
    "covers_months",
    "same_name",
    "sum",
    "add_months",
    "complete_pct",
];

/// Domain functions that walk a whole list argument.
const LIST_FUNCTIONS: &[&str] = &["sum", "non_eu_holders", "complete_pct"];

/// Bounds an expression's cost (see the module's documentation); `constants` are the pack's, whose sizes are
/// known (any other variable is taken as large as the input limits allow).
#[must_use]
pub fn estimate<'e>(root: &'e IdedExpr, constants: &'e BTreeMap<String, Json>) -> Cost {
    let mut walk = Walk {
        steps: 0,
        bytes: 0,
        constants: constants
            .iter()
            .map(|(name, value)| (name.as_str(), Shape::of(value)))
            .collect(),
        scope: Vec::new(),
    };
    walk.visit(root, 1);
    Cost {
        steps: walk.steps,
        bytes: walk.bytes,
    }
}

struct Walk<'e> {
    steps: u64,
    bytes: u64,
    /// The pack's constants.
    constants: Vec<(&'e str, Shape)>,
    /// Comprehension variables in scope, innermost last.
    scope: Vec<(&'e str, Shape)>,
}

impl<'e> Walk<'e> {
    fn add_steps(&mut self, times: u64, each: u64) {
        self.steps = self.steps.saturating_add(times.saturating_mul(each));
    }

    /// The shape of `node`'s value; its cost, evaluated `times` times, added to the totals. The recursion is
    /// bounded by the syntax-tree depth limit checked before.
    fn visit(&mut self, node: &'e IdedExpr, times: u64) -> Shape {
        self.add_steps(times, 1);
        match &node.expr {
            Expr::Literal(LiteralValue::String(s)) => Shape {
                chars: s.inner().chars().count() as u64,
                ..Shape::SCALAR
            },
            Expr::Literal(_) | Expr::Unspecified => Shape::SCALAR,
            Expr::Ident(name) => {
                if let Some((_, shape)) = self.scope.iter().rev().find(|(n, _)| *n == name.as_str())
                {
                    return *shape;
                }
                // A variable bound for the whole run (`facts`, `service`, a constant): resolving it copies what it
                // holds, as long as the largest list an assessment may hold unless its size is known.
                let shape = self
                    .constants
                    .iter()
                    .find(|(n, _)| *n == name.as_str())
                    .map_or(Shape::FACT, |(_, shape)| *shape);
                self.add_steps(times, shape.items / ITEMS_PER_STEP);
                shape
            }
            Expr::Select(select) => {
                let operand = self.visit(&select.operand, times);
                if select.test {
                    return Shape::SCALAR;
                }
                let is_built_on = select.field == "built_on"
                    && matches!(&select.operand.expr, Expr::Ident(n) if n == "service");
                if is_built_on {
                    Shape {
                        items: MAX_BUILT_ON,
                        ..Shape::FACT
                    }
                } else {
                    operand.max(Shape::FACT)
                }
            }
            Expr::List(list) => {
                let mut shape = Shape::EMPTY;
                for element in &list.elements {
                    let e = self.visit(element, times);
                    shape.elem_items = shape.elem_items.max(e.items);
                    shape.chars = shape.chars.max(e.chars);
                }
                shape.items = list.elements.len() as u64;
                shape
            }
            Expr::Map(map) => {
                let mut shape = Shape::EMPTY;
                for entry in &map.entries {
                    if let EntryExpr::MapEntry(e) = &entry.expr {
                        let k = self.visit(&e.key, times);
                        let v = self.visit(&e.value, times);
                        shape = shape.max(k).max(v);
                    }
                }
                shape.items = map.entries.len() as u64;
                shape
            }
            Expr::Struct(s) => {
                let mut shape = Shape::SCALAR;
                for entry in &s.entries {
                    if let EntryExpr::StructField(f) = &entry.expr {
                        shape = shape.max(self.visit(&f.value, times));
                    }
                }
                shape
            }
            Expr::Call(call) => {
                let mut args = Vec::with_capacity(call.args.len() + 1);
                if let Some(target) = &call.target {
                    args.push(self.visit(target, times));
                }
                for arg in &call.args {
                    args.push(self.visit(arg, times));
                }
                let name = call.func_name.as_str();
                let widest = args.iter().fold(Shape::EMPTY, |a, b| a.max(*b));
                // The work that walks a list: the container of a membership test, the shorter of two lists
                // compared, the list a domain function reads.
                let walked = match name {
                    "@in" => args.last().map_or(0, |s| s.items),
                    "_==_" | "_!=_" => args.iter().map(|s| s.items).min().unwrap_or(0),
                    _ if LIST_FUNCTIONS.contains(&name) => widest.items,
                    _ => 0,
                };
                self.add_steps(times, walked / ITEMS_PER_STEP);
                if name == "_+_" {
                    let (a, b) = (args[0], args.get(1).copied().unwrap_or(Shape::EMPTY));
                    let sum = Shape {
                        items: a.items.saturating_add(b.items),
                        elem_items: a.elem_items.max(b.elem_items),
                        chars: a.chars.saturating_add(b.chars),
                    };
                    let size = sum.chars.saturating_add(sum.items.saturating_mul(16));
                    self.bytes = self.bytes.saturating_add(times.saturating_mul(size));
                    self.add_steps(times, size / BYTES_PER_STEP);
                    sum
                } else if name == "_[_]" {
                    Shape {
                        items: args[0].elem_items,
                        elem_items: MAX_LIST_ITEMS,
                        chars: args[0].chars,
                    }
                } else if SCALAR_RESULTS.contains(&name) {
                    Shape::SCALAR
                } else {
                    widest
                }
            }
            Expr::Comprehension(c) => {
                let range = self.visit(&c.iter_range, times);
                let init = self.visit(&c.accu_init, times);
                let iterations = range.items.max(1);
                let inner = times.saturating_mul(iterations);
                // Each iteration binds an element of the range: a copy of what it holds.
                self.add_steps(inner, range.elem_items / ITEMS_PER_STEP);
                let element = Shape {
                    items: range.elem_items,
                    elem_items: MAX_LIST_ITEMS,
                    chars: range.chars,
                };
                let depth = self.scope.len();
                self.scope.push((c.iter_var.as_str(), element));
                if let Some(var) = &c.iter_var2 {
                    self.scope.push((var.as_str(), element));
                }
                self.scope.push((c.accu_var.as_str(), Shape::EMPTY));
                self.visit(&c.loop_cond, inner);
                let step = self.visit(&c.loop_step, inner);
                self.scope.truncate(depth);
                let accumulated = Shape {
                    items: init
                        .items
                        .saturating_add(iterations.saturating_mul(step.items)),
                    elem_items: init.elem_items.max(step.elem_items),
                    chars: init.chars.max(step.chars),
                };
                self.scope.push((c.accu_var.as_str(), accumulated));
                let result = self.visit(&c.result, times);
                self.scope.truncate(depth);
                result
            }
        }
    }
}
