//! Design checks of a system: its dependency graph and its lock order, each
//! validated once with petgraph (see [`crate::graph`]).
//!
//! [`check`] never fails: it records each independent mistake in the
//! [`Ctxt`] and returns the valid part of the declaration (unknown names,
//! self-edges, repeated edges and the edges that close cycles left out), from
//! which `expand` still generates the builder and the lock types, so one
//! mistake gives one error.

use std::collections::HashMap;

use syn::Ident;

use super::ast::Declaration;
use crate::ctxt::Ctxt;
use crate::graph::{self, Plan};
pub use crate::name::unraw;
use crate::suggest::did_you_mean;

/// Builder methods that a part name would clash with.
pub const RESERVED: &[&str] = &["build"];

/// The valid part of a system declaration; parts are numbered in
/// declaration order.
pub struct Checked {
    /// For each part, its valid dependencies in the order written.
    pub dependencies: Vec<Vec<usize>>,
    /// Init order and cleanup plan of the valid dependencies.
    pub plan: Plan,
    /// The parts that have a lock level, in declaration order.
    pub lock_levels: Vec<usize>,
    /// The valid arrows of `lock_order(...)`, `(before, after)`, as written.
    pub lock_edges: Vec<(usize, usize)>,
    /// Their transitive closure: every `(before, after)` that may be locked
    /// in this order.
    pub lock_closure: Vec<(usize, usize)>,
    /// For each part, whether the builder gets its `part()`/`try_part()`
    /// methods (not when they would clash with `build()` or with another
    /// part's methods; that mistake is reported).
    pub builder_methods: Vec<bool>,
}

/// Checks the declaration and returns its valid part.
pub fn check(cx: &mut Ctxt, decl: &Declaration) -> Checked {
    let system = &decl.ident;
    let names: Vec<String> = decl.parts.iter().map(|p| unraw(&p.ident)).collect();
    let index: HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, name)| (name.as_str(), i))
        .collect();

    let builder_methods = check_builder_methods(cx, decl, &names);

    let dependencies = check_dependencies(cx, decl, &names, &index);
    let edges: Vec<(usize, usize)> = dependencies
        .iter()
        .enumerate()
        .flat_map(|(part, deps)| deps.iter().map(move |&(dep, _)| (part, dep)))
        .collect();
    let tokens: Vec<&Ident> = dependencies
        .iter()
        .flat_map(|deps| deps.iter().map(|(_, token)| *token))
        .collect();
    let cycles = graph::cycles(names.len(), &edges);
    for cycle in &cycles {
        let path = render_path(&names, &cycle.path);
        cx.error_spanned_by(
            tokens[cycle.closing_edge],
            format_args!(
                "dependency cycle in `{system}`: `{path}` (each part depends on the next), so no part of it can be built first; remove one of these dependencies"
            ),
        );
    }
    let closing: Vec<usize> = cycles.iter().map(|c| c.closing_edge).collect();
    let mut valid = vec![Vec::new(); names.len()];
    for (i, &(part, dep)) in edges.iter().enumerate() {
        if !closing.contains(&i) {
            valid[part].push(dep);
        }
    }
    let acyclic: Vec<(usize, usize)> = edges
        .iter()
        .enumerate()
        .filter(|(i, _)| !closing.contains(i))
        .map(|(_, &e)| e)
        .collect();
    let plan = graph::plan(names.len(), &acyclic);

    let (lock_levels, lock_edges) = check_lock_order(cx, decl, &names, &index);
    let lock_closure = graph::closure(names.len(), &lock_edges);

    Checked {
        dependencies: valid,
        plan,
        lock_levels,
        lock_edges,
        lock_closure,
        builder_methods,
    }
}

/// Each part gets the builder methods `part()` and `try_part()`; reports
/// the parts whose methods would clash with `build()` or with an earlier
/// part's (`x` has `try_x()`, so a part `try_x` cannot have it too).
fn check_builder_methods(cx: &mut Ctxt, decl: &Declaration, names: &[String]) -> Vec<bool> {
    let system = &decl.ident;
    let mut taken: HashMap<String, usize> = HashMap::new();
    let mut methods = Vec::with_capacity(names.len());
    for (index, (part, name)) in decl.parts.iter().zip(names).enumerate() {
        if RESERVED.contains(&name.as_str()) {
            cx.error_spanned_by(
                &part.ident,
                format_args!(
                    "a part of `{system}` cannot be named `{name}`: the generated builder has a `{name}()` method; rename the field"
                ),
            );
            methods.push(false);
            continue;
        }
        let own = [name.clone(), format!("try_{name}")];
        let clash = own
            .iter()
            .find_map(|method| taken.get(method).map(|&other| (method, other)));
        match clash {
            Some((method, other)) => {
                let role = if *method == names[other] {
                    "builds"
                } else {
                    "fallibly builds"
                };
                cx.error_spanned_by(
                    &part.ident,
                    format_args!(
                        "part `{name}` of `{system}` clashes with part `{}`: the builder method `{method}()` already {role} `{}`, \
                         and each part gets `{name}()` and `try_{name}()`; rename one of the two fields",
                        names[other], names[other]
                    ),
                );
                methods.push(false);
            }
            None => {
                for method in own {
                    taken.insert(method, index);
                }
                methods.push(true);
            }
        }
    }
    methods
}

/// Resolves every `#[depends_on(...)]` name, reporting unknown names,
/// self-dependencies and repeated dependencies. Returns, per part, the
/// resolved dependencies with the token that names each.
fn check_dependencies<'a>(
    cx: &mut Ctxt,
    decl: &'a Declaration,
    names: &[String],
    index: &HashMap<&str, usize>,
) -> Vec<Vec<(usize, &'a Ident)>> {
    let system = &decl.ident;
    let mut resolved = Vec::with_capacity(decl.parts.len());
    for (part_index, part) in decl.parts.iter().enumerate() {
        let part_name = &names[part_index];
        let mut deps: Vec<(usize, &Ident)> = Vec::new();
        for dep in &part.depends_on {
            let dep_name = unraw(dep);
            match index.get(dep_name.as_str()) {
                None => cx.error_spanned_by(
                    dep,
                    format_args!(
                        "`{part_name}` depends on `{dep_name}`, which is not a part of `{system}`{}",
                        suggestion(&dep_name, names)
                    ),
                ),
                Some(&d) if d == part_index => cx.error_spanned_by(
                    dep,
                    format_args!(
                        "`{part_name}` depends on itself; remove `{dep_name}` from its `#[depends_on(...)]`"
                    ),
                ),
                Some(&d) if deps.iter().any(|&(seen, _)| seen == d) => cx.error_spanned_by(
                    dep,
                    format_args!(
                        "`{part_name}` depends on `{dep_name}` more than once; remove the repeated `{dep_name}`"
                    ),
                ),
                Some(&d) => deps.push((d, dep)),
            }
        }
        resolved.push(deps);
    }
    resolved
}

/// Resolves the names of `lock_order(...)` and checks the order is a DAG.
/// Returns the parts that have a level and the valid arrows.
fn check_lock_order(
    cx: &mut Ctxt,
    decl: &Declaration,
    names: &[String],
    index: &HashMap<&str, usize>,
) -> (Vec<usize>, Vec<(usize, usize)>) {
    let system = &decl.ident;
    let mut has_level = vec![false; names.len()];
    let mut edges: Vec<(usize, usize)> = Vec::new();
    let mut tokens: Vec<&Ident> = Vec::new();
    for chain in &decl.lock_chains {
        let resolved: Vec<Option<usize>> = chain
            .iter()
            .map(|name| {
                let text = unraw(name);
                let found = index.get(text.as_str()).copied();
                if found.is_none() {
                    cx.error_spanned_by(
                        name,
                        format_args!(
                            "lock level `{text}` in `lock_order(...)` is not a part of `{system}`{}",
                            suggestion(&text, names)
                        ),
                    );
                }
                found
            })
            .collect();
        for level in resolved.iter().flatten() {
            has_level[*level] = true;
        }
        for (pair, token) in resolved.windows(2).zip(chain.iter().skip(1)) {
            let (Some(before), Some(after)) = (pair[0], pair[1]) else {
                continue;
            };
            if before == after {
                cx.error_spanned_by(
                    token,
                    format_args!(
                        "`{0} -> {0}` in the lock order of `{system}`: a level cannot come after itself; two locks of one level are taken together with `lock_both` or `lock_all`",
                        names[before]
                    ),
                );
            } else if edges.contains(&(before, after)) {
                cx.error_spanned_by(
                    token,
                    format_args!(
                        "`{} -> {}` is declared more than once in the lock order of `{system}`; remove the repeated arrow",
                        names[before], names[after]
                    ),
                );
            } else {
                edges.push((before, after));
                tokens.push(token);
            }
        }
    }
    let cycles = graph::cycles(names.len(), &edges);
    for cycle in &cycles {
        let path = render_path(names, &cycle.path);
        cx.error_spanned_by(
            tokens[cycle.closing_edge],
            format_args!(
                "lock-order cycle in `{system}`: `{path}`, so these locks have no order; remove one of these arrows"
            ),
        );
    }
    let closing: Vec<usize> = cycles.iter().map(|c| c.closing_edge).collect();
    let edges = edges
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !closing.contains(i))
        .map(|(_, e)| e)
        .collect();
    let levels = (0..names.len()).filter(|&i| has_level[i]).collect();
    (levels, edges)
}

/// `a -> b -> c -> a`.
fn render_path(names: &[String], path: &[usize]) -> String {
    path.iter()
        .map(|&i| names[i].as_str())
        .collect::<Vec<_>>()
        .join(" -> ")
}

/// "; did you mean `x`?", or the list of parts when nothing is close.
fn suggestion(name: &str, names: &[String]) -> String {
    let hint = did_you_mean(name, names.iter().map(String::as_str));
    if !hint.is_empty() || names.is_empty() {
        return hint;
    }
    let list = names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    format!("; the parts are {list}")
}
