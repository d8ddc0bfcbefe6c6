//! Minimising a disagreement: hierarchical delta debugging over the config tree (drop
//! vhosts, sections, directives; unwrap sections; drop arguments), then the site's
//! files and their lines, then the request (no login, default addresses, GET). Every
//! step is kept only when `keeps` still holds for the smaller case: in the harness,
//! when the real server and `why` still give the same two answers.

use std::collections::HashSet;

use super::tree::{FileBody, Generated, Node, PortSlot};

/// Zeller's ddmin: a 1-minimal subset of `items` for which `keeps` holds (it must hold
/// for all of `items`).
pub fn ddmin<T: Clone>(items: &[T], keeps: &mut dyn FnMut(&[T]) -> bool) -> Vec<T> {
    let mut items = items.to_vec();
    if !items.is_empty() && keeps(&[]) {
        return Vec::new();
    }
    let mut parts = 2;
    while items.len() >= 2 {
        let chunk = items.len().div_ceil(parts);
        let mut reduced = false;
        for start in (0..items.len()).step_by(chunk) {
            let end = (start + chunk).min(items.len());
            let complement: Vec<T> = items[..start]
                .iter()
                .chain(&items[end..])
                .cloned()
                .collect();
            if keeps(&complement) {
                items = complement;
                parts = (parts - 1).max(2);
                reduced = true;
                break;
            }
        }
        if !reduced {
            if parts >= items.len() {
                break;
            }
            parts = (parts * 2).min(items.len());
        }
    }
    items
}

/// Where a list of nodes lives: the config tree or an Apache config file of the site.
#[derive(Clone, Copy, Debug)]
enum Home {
    Tree,
    File(usize),
}

struct Shrinker<'t> {
    current: Generated,
    keeps: &'t mut dyn FnMut(&Generated) -> bool,
    seen: HashSet<String>,
    calls: usize,
    budget: usize,
}

/// The smallest case reachable from `start` (one request) for which `keeps` holds,
/// asking `keeps` at most `budget` times.
pub fn shrink(
    start: Generated,
    budget: usize,
    keeps: &mut dyn FnMut(&Generated) -> bool,
) -> (Generated, usize) {
    let mut s = Shrinker {
        current: start,
        keeps,
        seen: HashSet::new(),
        calls: 0,
        budget,
    };
    for _round in 0..4 {
        let before = s.current.clone();
        s.nodes(Home::Tree, &[]);
        for i in 0..s.current.setup.files.len() {
            if matches!(s.current.setup.files[i].body, FileBody::Config(_)) {
                s.nodes(Home::File(i), &[]);
            }
        }
        s.unwrap_blocks();
        s.drop_args();
        s.files();
        s.lines();
        s.request();
        if s.current == before || s.calls >= s.budget {
            break;
        }
    }
    (s.current, s.calls)
}

fn list<'g>(g: &'g Generated, home: Home, path: &[usize]) -> &'g [Node] {
    let mut nodes: &[Node] = match home {
        Home::Tree => &g.setup.tree,
        Home::File(i) => match &g.setup.files[i].body {
            FileBody::Config(nodes) => nodes,
            _ => &[],
        },
    };
    for &i in path {
        nodes = nodes[i].body();
    }
    nodes
}

fn list_mut<'g>(g: &'g mut Generated, home: Home, path: &[usize]) -> &'g mut Vec<Node> {
    let mut nodes = match home {
        Home::Tree => &mut g.setup.tree,
        Home::File(i) => match &mut g.setup.files[i].body {
            FileBody::Config(nodes) => nodes,
            _ => unreachable!("only config files hold nodes"),
        },
    };
    for &i in path {
        nodes = match &mut nodes[i] {
            Node::Block { body, .. } => body,
            Node::Directive { .. } => unreachable!("a path goes through blocks"),
        };
    }
    nodes
}

/// Every block's path in `nodes`, parents before children.
fn block_paths(nodes: &[Node], prefix: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    for (i, node) in nodes.iter().enumerate() {
        if let Node::Block { body, .. } = node {
            prefix.push(i);
            out.push(prefix.clone());
            block_paths(body, prefix, out);
            prefix.pop();
        }
    }
}

impl Shrinker<'_> {
    /// Asks `keeps` about `candidate` (once per distinct candidate, within the budget).
    fn try_keep(&mut self, candidate: &Generated) -> bool {
        if self.calls >= self.budget || !self.seen.insert(format!("{candidate:?}")) {
            return false;
        }
        self.calls += 1;
        (self.keeps)(candidate)
    }

    /// Adopts `candidate` if it keeps the property.
    fn attempt(&mut self, candidate: Generated) -> bool {
        let kept = self.try_keep(&candidate);
        if kept {
            self.current = candidate;
        }
        kept
    }

    /// ddmin over the list at `path`, then over each surviving block's body.
    fn nodes(&mut self, home: Home, path: &[usize]) {
        let base = self.current.clone();
        let items = list(&base, home, path).to_vec();
        let kept = ddmin(&items, &mut |subset: &[Node]| {
            let mut candidate = base.clone();
            *list_mut(&mut candidate, home, path) = subset.to_vec();
            self.try_keep(&candidate)
        });
        *list_mut(&mut self.current, home, path) = kept;
        let count = list(&self.current, home, path).len();
        for i in 0..count {
            if matches!(list(&self.current, home, path)[i], Node::Block { .. }) {
                let mut child = path.to_vec();
                child.push(i);
                self.nodes(home, &child);
            }
        }
    }

    fn homes(&self) -> Vec<Home> {
        let files = self.current.setup.files.iter().enumerate();
        std::iter::once(Home::Tree)
            .chain(
                files
                    .filter(|(_, f)| matches!(f.body, FileBody::Config(_)))
                    .map(|(i, _)| Home::File(i)),
            )
            .collect()
    }

    /// Replaces a block by its body (deepest first, so paths stay valid).
    fn unwrap_blocks(&mut self) {
        for home in self.homes() {
            let mut paths = Vec::new();
            block_paths(list(&self.current, home, &[]), &mut Vec::new(), &mut paths);
            for path in paths.iter().rev() {
                let (index, parent) = path.split_last().expect("a block path is never empty");
                let mut candidate = self.current.clone();
                let siblings = list_mut(&mut candidate, home, parent);
                let body = siblings[*index].body().to_vec();
                siblings.splice(*index..=*index, body);
                self.attempt(candidate);
            }
        }
    }

    /// Drops arguments after the first (`Require user bob carol` → `Require user bob`).
    fn drop_args(&mut self) {
        for home in self.homes() {
            let mut paths = vec![Vec::new()];
            block_paths(list(&self.current, home, &[]), &mut Vec::new(), &mut paths);
            for parent in paths {
                let count = list(&self.current, home, &parent).len();
                for index in 0..count {
                    let arg_count = list(&self.current, home, &parent)[index].args().len();
                    for arg in (1..arg_count).rev() {
                        let mut candidate = self.current.clone();
                        list_mut(&mut candidate, home, &parent)[index]
                            .args_mut()
                            .remove(arg);
                        self.attempt(candidate);
                    }
                }
            }
        }
    }

    /// Drops whole files.
    fn files(&mut self) {
        let base = self.current.clone();
        let kept = ddmin(&base.setup.files, &mut |subset| {
            let mut candidate = base.clone();
            candidate.setup.files = subset.to_vec();
            self.try_keep(&candidate)
        });
        self.current.setup.files = kept;
    }

    /// Drops lines of text files, then their BOM and CRLF.
    fn lines(&mut self) {
        for i in 0..self.current.setup.files.len() {
            let base = self.current.clone();
            let FileBody::Text { lines, crlf, bom } = &base.setup.files[i].body else {
                continue;
            };
            let (crlf, bom) = (*crlf, *bom);
            let kept = ddmin(lines, &mut |subset| {
                let mut candidate = base.clone();
                candidate.setup.files[i].body = FileBody::Text {
                    lines: subset.to_vec(),
                    crlf,
                    bom,
                };
                self.try_keep(&candidate)
            });
            self.current.setup.files[i].body = FileBody::Text {
                lines: kept.clone(),
                crlf,
                bom,
            };
            let plains: [fn(&mut bool, &mut bool); 2] =
                [|crlf, _| *crlf = false, |_, bom| *bom = false];
            for plain in plains {
                let mut candidate = self.current.clone();
                if let FileBody::Text { crlf, bom, .. } = &mut candidate.setup.files[i].body {
                    plain(crlf, bom);
                }
                if candidate != self.current {
                    self.attempt(candidate);
                }
            }
        }
    }

    /// No login, the default addresses and port, GET, the main host.
    fn request(&mut self) {
        let edits: [fn(&mut super::tree::Request); 6] = [
            |r| (r.user, r.password) = (None, None),
            |r| r.from = "127.0.0.1".into(),
            |r| r.to = "127.0.0.1".into(),
            |r| r.port = PortSlot::Port,
            |r| r.method = "GET".into(),
            |r| r.host = "main.test".into(),
        ];
        for edit in edits {
            let mut candidate = self.current.clone();
            for request in &mut candidate.requests {
                edit(request);
            }
            if candidate != self.current {
                self.attempt(candidate);
            }
        }
    }
}
