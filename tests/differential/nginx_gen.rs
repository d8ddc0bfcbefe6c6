//! Random nginx configs from a grammar of the constructs `why` must get right: several
//! `server`s (listen address:port, default_server, exact/wildcard/regex server_name),
//! locations of every kind (=, prefix, ^~, ~, ~*, @named, nested), root/alias (also an
//! alias under a location without its trailing slash), return/rewrite, index,
//! try_files, error_page, auth_basic (text, off, a variable), auth_basic_user_file,
//! satisfy, allow/deny, limit_except, auth_request.

use super::apache_gen::Targets;
use super::layout;
use super::rng::Rng;
use super::tree::{Node, PortSlot, ServerKind, Setup};
use super::users;

/// Hosts worth sending besides the generated names.
pub const HOSTS: &[&str] = &[
    "main.test",
    "other.test",
    "127.0.0.1",
    "www.b.test",
    "x.b.test",
];

/// (server_name value, hosts that match it).
const SERVER_NAMES: &[(&str, &[&str])] = &[
    ("www.a.test", &["www.a.test"]),
    ("*.b.test", &["x.b.test", "www.b.test"]),
    ("www.b.*", &["www.b.test"]),
    ("~^c\\.test$", &["c.test"]),
    ("main.test", &["main.test"]),
    ("_", &[]),
    ("\"\"", &[]),
];

/// (location arguments, request paths it is about); prefix ones may nest.
type Target = (&'static [&'static str], &'static [&'static str]);

const PREFIX: &[Target] = &[
    (&["/a/"], &["/a/", "/a/page.html", "/a"]),
    (&["/a"], &["/a", "/a/b/secret.txt", "/ab"]),
    (&["/"], &["/", "/page.html"]),
    (&["/c/"], &["/c/", "/c/app.php"]),
    (&["/a/b/"], &["/a/b/", "/a/b/secret.txt"]),
    (&["/pw/"], &["/pw/users"]),
];

const EXACT: &[Target] = &[
    (&["=", "/a/page.html"], &["/a/page.html"]),
    (&["=", "/"], &["/", "/index.html"]),
    (&["=", "/c/data.txt"], &["/c/data.txt"]),
];

const NO_REGEX: &[Target] = &[
    (&["^~", "/a/b/"], &["/a/b/secret.txt", "/a/b/"]),
    (&["^~", "/c/"], &["/c/data.txt", "/c/app.php"]),
];

const REGEX: &[Target] = &[
    (
        &["~", "\\.txt$"],
        &["/c/data.txt", "/a/b/secret.txt", "/a/b/secret.TXT"],
    ),
    (&["~", "^/c/"], &["/c/", "/c/app.php"]),
    (&["~*", "\\.PHP$"], &["/c/app.php"]),
    (&["~", "/\\.ht"], &["/.htpasswd", "/a/.htaccess"]),
    (&["~", "^/a/.+\\.html$"], &["/a/page.html", "/a/index.html"]),
];

/// (location prefix, alias target, request paths): the `/o` ones without a trailing
/// slash on the location reach the parent of `other/` with `/o../`.
const ALIASES: &[(&str, &str, &[&str])] = &[
    (
        "/o",
        "{site}/other/",
        &[
            "/o/x.txt",
            "/o../pw/users",
            "/o../htdocs/a/b/secret.txt",
            "/o",
        ],
    ),
    ("/o/", "{site}/other/", &["/o/x.txt", "/o/", "/o/d/"]),
    ("/o/", "{site}/other", &["/o/x.txt", "/o/d/"]),
    ("/o", "{site}/pw", &["/o/users", "/o"]),
];

struct Gen<'r> {
    rng: &'r mut Rng,
    targets: Targets,
    /// A variable realm (`$realm`, from a map on the client address) is used.
    realm_map: bool,
    /// Addresses with a `default_server` already.
    defaults: Vec<&'static str>,
}

/// Per server: which helper locations its bodies referred to.
#[derive(Default)]
struct ServerNeeds {
    fallback: bool,
    auth_request: bool,
    /// Location arguments used so far (a duplicate stops nginx from starting: rare is enough).
    used: Vec<String>,
}

/// A random nginx setup and what its requests should aim at.
pub fn setup(rng: &mut Rng) -> (Setup, Targets) {
    let mut g = Gen {
        rng,
        targets: Targets {
            hosts: Vec::new(),
            paths: Vec::new(),
            listens: Vec::new(),
        },
        realm_map: false,
        defaults: Vec::new(),
    };
    let mut tree = Vec::new();
    if g.rng.chance(0.08) {
        tree.extend(g.auth());
    }
    let count = g.rng.weighted(&[(4, 1), (4, 2), (2, 3)]);
    for i in 0..count {
        tree.push(g.server(i == 0));
    }
    if g.realm_map {
        tree.insert(
            0,
            Node::block(
                "map",
                &["$remote_addr", "$realm"],
                vec![
                    Node::directive("127.0.0.2", &["off"]),
                    Node::directive("default", &["\"R\""]),
                ],
            ),
        );
    }
    let mut files = layout::pages();
    files.extend(users::files());
    if g.rng.chance(0.3) {
        let lines: Vec<&str> = users::USERS.iter().map(|u| u.2).collect();
        files.push(layout::htpasswd_in_docroot(&lines));
    }
    let setup = Setup {
        server: ServerKind::Nginx,
        tree,
        files,
    };
    (setup, g.targets)
}

impl Gen<'_> {
    fn aim(&mut self, paths: &[&str]) {
        self.targets
            .paths
            .extend(paths.iter().map(|p| (*p).to_owned()));
    }

    fn server(&mut self, first: bool) -> Node {
        let mut body = Vec::new();
        let listens = if self.rng.chance(0.15) { 2 } else { 1 };
        for i in 0..listens {
            let (addr, ip, slot) = if first && i == 0 {
                ("127.0.0.1:{port}", "127.0.0.1", PortSlot::Port)
            } else {
                self.rng.weighted(&[
                    (5, ("127.0.0.1:{port}", "127.0.0.1", PortSlot::Port)),
                    (2, ("127.0.0.2:{port}", "127.0.0.2", PortSlot::Port)),
                    (2, ("127.0.0.1:{port2}", "127.0.0.1", PortSlot::Port2)),
                ])
            };
            if body
                .iter()
                .any(|n: &Node| n.args().first().is_some_and(|a| a == addr))
            {
                continue;
            }
            let mut args = vec![addr];
            // A second default_server for one address stops nginx: rarely kept.
            let taken = self.defaults.contains(&addr);
            if self.rng.chance(0.2) && (!taken || self.rng.chance(0.1)) {
                args.push("default_server");
                self.defaults.push(addr);
            }
            if !self.targets.listens.contains(&(ip, slot)) {
                self.targets.listens.push((ip, slot));
            }
            body.push(Node::directive("listen", &args));
        }
        if self.rng.chance(0.85) {
            let mut names = Vec::new();
            for _ in 0..self.rng.between(1, 2) {
                let (name, hosts) = self.rng.pick(SERVER_NAMES);
                names.push(name);
                self.targets
                    .hosts
                    .extend(hosts.iter().map(|h| (*h).to_owned()));
            }
            body.push(Node::directive("server_name", &names));
        }
        if self.rng.chance(0.9) {
            let root = self
                .rng
                .weighted(&[(3, "{site}/htdocs"), (1, "{site}/htdocs2")]);
            body.push(Node::directive("root", &[root]));
        }
        if self.rng.chance(0.1) {
            body.push(Node::directive("index", &["page.html", "index.html"]));
        }
        if self.rng.chance(0.15) {
            body.extend(self.auth());
        }
        if self.rng.chance(0.1) {
            body.extend(self.access());
        }
        if self.rng.chance(0.08) {
            // Server-level rewrites run before any location is chosen.
            let args = self.rng.pick(&[
                &["rewrite", "^/c/(.*)$", "/a/$1", "last"][..],
                &["rewrite", "^/o/(.*)$", "/a/$1", "break"],
                &["return", "403"][..],
            ]);
            body.push(Node::directive(args[0], &args[1..]));
        }
        let mut needs = ServerNeeds::default();
        for _ in 0..self.rng.between(1, 4) {
            body.extend(self.location(None, &mut needs, 1));
        }
        if needs.fallback {
            let inner = self.location_body(&mut needs, 3, false);
            body.push(Node::block("location", &["@fallback"], inner));
        }
        if needs.auth_request {
            let status = self.rng.pick(&["200", "401", "403"]);
            body.push(Node::block(
                "location",
                &["=", "/auth"],
                vec![
                    Node::directive("internal", &[]),
                    Node::directive("return", &[status]),
                ],
            ));
        }
        Node::block("server", &[], body)
    }

    /// A location of any kind; nested ones stay inside their parent's prefix.
    fn location(
        &mut self,
        parent: Option<&str>,
        needs: &mut ServerNeeds,
        depth: usize,
    ) -> Option<Node> {
        let (args, paths): Target = match parent {
            None => match self.rng.weighted(&[(5, 0), (2, 1), (2, 2), (4, 3), (2, 4)]) {
                0 => self.rng.pick(PREFIX),
                1 => self.rng.pick(EXACT),
                2 => self.rng.pick(NO_REGEX),
                3 => self.rng.pick(REGEX),
                _ => return self.alias_location(needs, depth),
            },
            Some(prefix) => {
                let inside: Vec<Target> = PREFIX
                    .iter()
                    .chain(EXACT)
                    .chain(NO_REGEX)
                    .filter(|(args, _)| {
                        let path = args.last().unwrap_or(&"");
                        path.starts_with(prefix) && *path != prefix
                    })
                    .copied()
                    .collect();
                if inside.is_empty() || self.rng.chance(0.5) {
                    self.rng.pick(REGEX)
                } else {
                    self.rng.pick(&inside)
                }
            }
        };
        // `^~ /c/` and `/c/` are one location to nginx; `= /c/` is another.
        let key = match args {
            [modifier, path] if *modifier == "^~" => path.to_string(),
            _ => args.join(" "),
        };
        if needs.used.contains(&key) && self.rng.chance(0.98) {
            return None;
        }
        needs.used.push(key);
        self.aim(paths);
        let mut body = self.location_body(needs, depth, args[0] != "~" && args[0] != "~*");
        let prefix = args
            .last()
            .copied()
            .filter(|_| args.len() == 1 || args[0] == "^~");
        if let Some(prefix) = prefix.filter(|_| depth < 2 && self.rng.chance(0.25)) {
            body.extend(self.location(Some(prefix), needs, depth + 1));
        }
        Some(Node::block("location", args, body))
    }

    fn alias_location(&mut self, needs: &mut ServerNeeds, depth: usize) -> Option<Node> {
        let (prefix, target, paths) = self.rng.pick(ALIASES);
        if needs.used.iter().any(|u| u == prefix) {
            return None;
        }
        needs.used.push(prefix.to_owned());
        self.aim(paths);
        let mut body = vec![Node::directive("alias", &[target])];
        body.extend(self.location_body(needs, depth, false));
        Some(Node::block("location", &[prefix], body))
    }

    /// Access control, content and redirection directives of a location.
    fn location_body(
        &mut self,
        needs: &mut ServerNeeds,
        depth: usize,
        may_root: bool,
    ) -> Vec<Node> {
        let mut body = Vec::new();
        if self.rng.chance(0.5) {
            body.extend(self.auth());
        }
        if self.rng.chance(0.25) {
            body.extend(self.access());
        }
        if self.rng.chance(0.15) {
            let how = self.rng.pick(&["any", "all"]);
            body.push(Node::directive("satisfy", &[how]));
        }
        if self.rng.chance(0.12) {
            body.push(self.limit_except());
        }
        if may_root && self.rng.chance(0.08) {
            body.push(Node::directive("root", &["{site}/htdocs2"]));
        }
        if self.rng.chance(0.08) {
            let args = self
                .rng
                .pick(&[&["403"][..], &["404"], &["301", "/a/"], &["200", "ok"]]);
            body.push(Node::directive("return", args));
        }
        if self.rng.chance(0.1) {
            let args = self.rng.pick(&[
                &["^/a/(.*)$", "/c/$1", "last"][..],
                &["^/a/(.*)$", "/c/$1", "break"],
                &["^(.*)$", "/a/", "redirect"],
                &["^/c/(.*)$", "/a/$1", "last"],
            ]);
            body.push(Node::directive("rewrite", args));
        }
        if self.rng.chance(0.08) {
            body.push(Node::directive("index", &["page.html"]));
        }
        if depth < 3 && self.rng.chance(0.12) {
            let args = self.rng.pick(&[
                &["$uri", "$uri/", "=404"][..],
                &["$uri", "@fallback"],
                &["$uri", "/index.html"],
                &["$uri", "$uri/", "/a/page.html"],
            ]);
            needs.fallback |= args.contains(&"@fallback");
            body.push(Node::directive("try_files", args));
        }
        if depth < 3 && self.rng.chance(0.1) {
            let args = self.rng.pick(&[
                &["401", "/err.html"][..],
                &["403", "404", "/err.html"],
                &["404", "=", "/index.html"],
                &["401", "=", "@fallback"],
            ]);
            needs.fallback |= args.contains(&"@fallback");
            body.push(Node::directive("error_page", args));
        }
        if self.rng.chance(0.04) {
            needs.auth_request = true;
            body.push(Node::directive("auth_request", &["/auth"]));
        }
        body
    }

    /// auth_basic (a realm, `off`, or a variable) and the user file, each usually.
    fn auth(&mut self) -> Vec<Node> {
        let mut nodes = Vec::new();
        if self.rng.chance(0.9) {
            let realm = self
                .rng
                .weighted(&[(6, "\"R\""), (1, "off"), (1, "$realm")]);
            self.realm_map |= realm == "$realm";
            nodes.push(Node::directive("auth_basic", &[realm]));
        }
        if self.rng.chance(0.85) {
            let name = self.rng.weighted(&[
                (16, "users"),
                (4, "users-crlf"),
                (2, "users-bom"),
                (2, "users-empty"),
                (4, "users-bad"),
                (3, "users-root"),
                (1, "users-dir"),
                (2, "missing"),
                (1, "digest"),
            ]);
            let path = if self.rng.chance(0.8) {
                format!("{{site}}/pw/{name}")
            } else {
                format!("pw/{name}")
            };
            nodes.push(Node::directive("auth_basic_user_file", &[&path]));
        }
        nodes
    }

    /// allow/deny lines.
    fn access(&mut self) -> Vec<Node> {
        let mut nodes = Vec::new();
        for _ in 0..self.rng.between(1, 2) {
            let (name, arg) = self.rng.weighted(&[
                (3, ("allow", "127.0.0.2")),
                (2, ("allow", "127.0.0.1")),
                (1, ("allow", "all")),
                (3, ("deny", "all")),
                (2, ("deny", "127.0.0.2")),
            ]);
            nodes.push(Node::directive(name, &[arg]));
        }
        nodes
    }

    fn limit_except(&mut self) -> Node {
        let methods = self.rng.pick(&[&["GET"][..], &["GET", "POST"], &["POST"]]);
        let body = match self.rng.weighted(&[(3, 0), (2, 1), (1, 2)]) {
            0 => vec![Node::directive("deny", &["all"])],
            1 => self.auth(),
            _ => vec![
                Node::directive("allow", &["127.0.0.2"]),
                Node::directive("deny", &["all"]),
            ],
        };
        Node::block("limit_except", methods, body)
    }
}
