//! The crate's layering (lib.rs, DESIGN.md "Data flows one way"), checked on the source:
//! a forbidden `crate::…` path in a module fails here, and so does any import cycle
//! between top-level modules. Test code is not counted.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What each top-level module must not use. A module missing here may use anything
/// below it, as long as no cycle forms.
const FORBIDDEN: &[(&str, &[&str])] = &[
    // Bottom: vocabulary and bytes.
    ("source", &["*"]),
    ("target", &["*"]),
    ("hash", &["*", "target"]),
    // Lossless parsers: no server behaviour, no rules.
    (
        "syntax",
        &[
            "model", "rules", "report", "check", "cli", "user", "store", "config", "diag",
        ],
    ),
    // Findings as data.
    (
        "diag",
        &[
            "model", "rules", "report", "check", "cli", "user", "store", "config",
        ],
    ),
    // What the servers do: knows no rules, findings' rendering, engine or command line.
    (
        "model",
        &["rules", "report", "check", "cli", "user", "store", "config"],
    ),
    // Rules emit data; they never format output, run the engine or write files.
    (
        "rules",
        &["report", "check", "cli", "user", "store", "config"],
    ),
    // Renderers decide nothing.
    (
        "report",
        &["rules", "check", "cli", "user", "store", "config", "model"],
    ),
    // The only writer of password files.
    (
        "store",
        &[
            "model", "rules", "report", "check", "cli", "user", "config", "syntax",
        ],
    ),
    ("user", &["rules", "report", "check", "cli", "config"]),
    ("check", &["cli", "report", "config", "user"]),
    // A live server's answers, diagnosed: no printing, no rendering, no writes.
    (
        "probe",
        &["cli", "report", "config", "user", "store", "rules"],
    ),
    ("config", &["cli", "report"]),
];

/// Every non-test `.rs` file under `src/`, with its top-level module.
fn sources() -> Vec<(String, PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.ends_with(".rs") || name == "tests.rs" || name.ends_with("_tests.rs") {
                continue;
            }
            let rel = path.strip_prefix(&root).unwrap();
            let top = rel
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy();
            let top = top.trim_end_matches(".rs").to_string();
            let text = without_test_modules(&std::fs::read_to_string(&path).unwrap());
            out.push((top, path, text));
        }
    }
    out
}

/// The text before the first `#[cfg(test)]` (test modules sit at the end of a file).
fn without_test_modules(text: &str) -> String {
    match text.find("#[cfg(test)]") {
        Some(at) => text[..at].to_string(),
        None => text.to_string(),
    }
}

/// Top-level modules named by `crate::NAME` paths in `text`, with the first line naming each.
fn uses(text: &str) -> BTreeMap<String, usize> {
    let mut found = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let tail = &rest[at + "crate::".len()..];
            let name: String = tail
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.entry(name).or_insert(n + 1);
            }
            rest = tail;
        }
    }
    found
}

fn top_level_modules(files: &[(String, PathBuf, String)]) -> BTreeSet<String> {
    files
        .iter()
        .map(|(top, _, _)| top.clone())
        .filter(|t| t != "lib" && t != "main")
        .collect()
}

#[test]
fn no_module_uses_a_layer_above_it() {
    let files = sources();
    let modules = top_level_modules(&files);
    let mut broken = Vec::new();
    for (top, path, text) in &files {
        let Some((_, forbidden)) = FORBIDDEN.iter().find(|(m, _)| m == top) else {
            continue;
        };
        let all = forbidden.contains(&"*");
        for (used, line) in uses(text) {
            let allowed_by_star = forbidden.iter().any(|f| *f == used);
            let hit = if all {
                // `*`: every other top-level module, except those listed after it.
                used != *top && modules.contains(&used) && !allowed_by_star
            } else {
                forbidden.contains(&used.as_str())
            };
            if hit {
                broken.push(format!(
                    "{}:{line}: {top} uses crate::{used}",
                    path.display()
                ));
            }
        }
    }
    assert!(broken.is_empty(), "layering broken:\n{}", broken.join("\n"));
}

#[test]
fn top_level_modules_form_no_cycle() {
    let files = sources();
    let modules = top_level_modules(&files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (top, _, text) in &files {
        let edges = graph.entry(top.clone()).or_default();
        for used in uses(text).into_keys() {
            if used != *top && modules.contains(&used) {
                edges.insert(used);
            }
        }
    }
    // Depth-first search; a back edge is a cycle.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(node) {
            Some(2) => return None,
            Some(1) => {
                let start = path.iter().position(|n| n == node).unwrap();
                let mut cycle = path[start..].to_vec();
                cycle.push(node.to_string());
                return Some(cycle);
            }
            _ => {}
        }
        state.insert(node.to_string(), 1);
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, state, path) {
                return Some(c);
            }
        }
        path.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, &graph, &mut state, &mut Vec::new()) {
            panic!(
                "import cycle between top-level modules: {}",
                cycle.join(" -> ")
            );
        }
    }
}

#[test]
fn nothing_below_cli_prints_exits_or_knows_clap() {
    let mut broken = Vec::new();
    for (top, path, text) in sources() {
        if top == "cli" || top == "main" {
            continue;
        }
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for bad in [
                "eprintln!",
                "println!",
                "print!(",
                "eprint!(",
                "process::exit",
                "clap::",
            ] {
                if code.contains(bad) {
                    broken.push(format!("{}:{}: {bad}", path.display(), n + 1));
                    break;
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "output below cli:\n{}",
        broken.join("\n")
    );
}
