//! Random Apache httpd 2.4 configs from a grammar of the constructs `why` must get
//! right: modules (one sometimes left out), the main server and name-/IP-based
//! `<VirtualHost>`s on two addresses and two ports, DocumentRoot and the mod_alias
//! directives, nested `<Directory>`/`<DirectoryMatch>`/`<Files>`/`<FilesMatch>`/
//! `<Location>`/`<LocationMatch>`/`<If>`/`<Limit>`/`<LimitExcept>`, Require trees,
//! AuthType/AuthName/AuthUserFile/AuthGroupFile/providers, AuthMerging, Satisfy with
//! Order/Allow/Deny, `.htaccess` files under each AllowOverride value, IncludeOptional.

use super::layout;
use super::render::load_module;
use super::rng::Rng;
use super::tree::{FileBody, Node, PortSlot, ServerKind, Setup, SiteFile};
use super::users;

/// The modules a config loads; one may be left out.
pub const MODULES: &[&str] = &[
    "authn_core",
    "authn_file",
    "authz_core",
    "authz_user",
    "authz_groupfile",
    "authz_host",
    "auth_basic",
    "auth_digest",
    "access_compat",
    "alias",
    "dir",
];

/// The container a Require line sits in (the top level is an implicit `<RequireAny>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Parent {
    All,
    Any,
    None,
}

/// Where a body is generated: decides which directives and sections may appear.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    Server,
    Directory,
    DirectoryMatch,
    Files,
    Location,
    If,
    Limit,
    Htaccess,
}

/// (section argument, request paths it is about).
type Target = (&'static str, &'static [&'static str]);

const DIRECTORIES: &[Target] = &[
    ("\"{site}/htdocs\"", &["/", "/page.html"]),
    ("\"{site}/htdocs/a\"", &["/a/", "/a/page.html"]),
    ("\"{site}/htdocs/a/\"", &["/a/page.html"]),
    ("\"{site}/htdocs/a/b\"", &["/a/b/", "/a/b/secret.txt"]),
    ("\"{site}/htdocs/c\"", &["/c/app.php", "/c/data.txt"]),
    ("\"{site}/htdocs/*/b\"", &["/a/b/secret.txt"]),
    ("\"{site}/htdocs2\"", &["/", "/a/page.html"]),
    ("\"{site}/htdocs2/a\"", &["/a/", "/a/b/secret.txt"]),
    ("\"{site}/other\"", &["/o/x.txt", "/m/x.txt"]),
    ("\"{site}/pw\"", &["/pw/users"]),
    ("/", &["/"]),
];

const DIRECTORY_MATCHES: &[Target] = &[
    ("\"^{site}/htdocs/a\"", &["/a/", "/a/b/secret.txt"]),
    ("\"/a/b/?$\"", &["/a/b/", "/a/b/secret.txt"]),
    (
        "\"^{site}/htdocs2?/(a|c)\"",
        &["/a/page.html", "/c/data.txt"],
    ),
    ("\"/c$\"", &["/c/", "/c/app.php"]),
];

const FILES: &[Target] = &[
    ("\"secret.txt\"", &["/a/b/secret.txt"]),
    ("\"page.html\"", &["/a/page.html", "/page.html"]),
    ("\".ht*\"", &["/.htpasswd", "/a/.htaccess"]),
    ("\"*.txt\"", &["/c/data.txt", "/a/b/secret.txt"]),
    ("\"index.html\"", &["/", "/a/"]),
    ("\"app.php\"", &["/c/app.php"]),
    ("\"users\"", &["/pw/users"]),
];

const FILES_MATCHES: &[Target] = &[
    ("\"\\.txt$\"", &["/c/data.txt", "/a/b/secret.txt"]),
    ("\"^\\.ht\"", &["/.htpasswd", "/.htaccess"]),
    ("\"\\.(php|txt)$\"", &["/c/app.php", "/o/x.txt"]),
    ("\"^index\\.html$\"", &["/", "/a/"]),
    ("\"^users\"", &["/pw/users", "/pw/users-root"]),
];

const LOCATIONS: &[Target] = &[
    ("\"/\"", &["/"]),
    ("\"/a\"", &["/a", "/a/page.html", "/ab"]),
    ("\"/a/\"", &["/a/", "/a", "/a/b/"]),
    ("\"/a/b\"", &["/a/b/secret.txt", "/a/b"]),
    ("\"/c/app.php\"", &["/c/app.php", "/c/app.php/x"]),
    ("\"/o\"", &["/o/x.txt", "/o/"]),
    ("\"/.htpasswd\"", &["/.htpasswd"]),
    ("\"/c\"", &["/c/", "/c/data.txt"]),
];

const LOCATION_MATCHES: &[Target] = &[
    ("\"^/a/\"", &["/a/", "/a/page.html"]),
    ("\"\\.txt$\"", &["/c/data.txt", "/o/x.txt"]),
    ("\"^/(a|c)/\"", &["/a/b/", "/c/app.php"]),
    ("\"/b/?$\"", &["/a/b/", "/a/b"]),
    ("\"^/o/\"", &["/o/x.txt"]),
];

const IF_EXPRESSIONS: &[&str] = &[
    "\"%{REQUEST_METHOD} == 'POST'\"",
    "\"-R '127.0.0.2'\"",
    "\"%{REMOTE_ADDR} == '127.0.0.1'\"",
    "\"%{SERVER_NAME} == 'www.a.test'\"",
    "\"%{REQUEST_URI} =~ m#^/a/#\"",
    "\"%{REQUEST_METHOD} in { 'GET', 'HEAD' }\"",
    "\"-n %{HTTP:Authorization}\"",
];

const LIMITS: &[&[&str]] = &[
    &["GET"],
    &["POST", "PUT", "DELETE"],
    &["GET", "HEAD"],
    &["OPTIONS"],
];
const LIMIT_EXCEPTS: &[&[&str]] = &[&["GET"], &["GET", "HEAD", "OPTIONS"], &["POST"]];

/// (directive, url, target, request paths).
const ALIASES: &[(&str, &str, &str, &[&str])] = &[
    (
        "Alias",
        "\"/o\"",
        "\"{site}/other\"",
        &["/o/", "/o/x.txt", "/o", "/o/d/"],
    ),
    (
        "Alias",
        "\"/o/\"",
        "\"{site}/other/\"",
        &["/o/x.txt", "/o", "/o/d"],
    ),
    (
        "AliasMatch",
        "\"^/m/(.*)$\"",
        "\"{site}/other/$1\"",
        &["/m/x.txt", "/m/"],
    ),
    (
        "ScriptAlias",
        "\"/cgi/\"",
        "\"{site}/other/\"",
        &["/cgi/x.txt"],
    ),
    (
        "Alias",
        "\"/pw\"",
        "\"{site}/pw\"",
        &["/pw/users", "/pw/users-root", "/pw/digest"],
    ),
];

const VHOST_NAMES: &[(&str, &str)] = &[
    ("www.a.test", "a.test"),
    ("www.b.test", "*.b.test"),
    ("c.test", "www.c.test"),
];

/// Hosts worth sending besides the generated names.
pub const HOSTS: &[&str] = &["main.test", "other.test", "127.0.0.1", "x.b.test", "a.test"];

/// What a generated config is about, for the request generator.
pub struct Targets {
    pub hosts: Vec<String>,
    pub paths: Vec<String>,
    /// (address, port) pairs the config listens on.
    pub listens: Vec<(&'static str, PortSlot)>,
}

struct Gen<'r> {
    rng: &'r mut Rng,
    targets: Targets,
}

/// A random Apache setup and what its requests should aim at.
pub fn setup(rng: &mut Rng) -> (Setup, Targets) {
    let mut g = Gen {
        rng,
        targets: Targets {
            hosts: Vec::new(),
            paths: Vec::new(),
            // The preamble's Listen lines.
            listens: vec![
                ("127.0.0.1", PortSlot::Port),
                ("127.0.0.2", PortSlot::Port),
                ("127.0.0.1", PortSlot::Port2),
            ],
        },
    };
    let mut tree = g.modules();
    tree.extend(g.main_server());
    let mut files = layout::pages();
    files.extend(users::files());
    if g.rng.chance(0.25) {
        let lines: Vec<&str> = users::USERS.iter().map(|u| u.2).collect();
        files.push(layout::htpasswd_in_docroot(&lines));
    }
    files.extend(g.htaccess_files(&mut tree));
    if g.rng.chance(0.15) {
        tree.extend(g.include(&mut files));
    }
    for _ in 0..g.rng.weighted(&[(3, 0), (3, 1), (3, 2), (1, 3)]) {
        tree.push(g.vhost());
    }
    let setup = Setup {
        server: ServerKind::Apache,
        tree,
        files,
    };
    (setup, g.targets)
}

impl Gen<'_> {
    fn modules(&mut self) -> Vec<Node> {
        let left_out = self.rng.chance(0.12).then(|| {
            self.rng.weighted(&[
                (3, "auth_digest"),
                (3, "authz_groupfile"),
                (3, "access_compat"),
                (2, "authz_host"),
                (2, "auth_basic"),
                (2, "authn_file"),
                (2, "alias"),
                (2, "dir"),
                (1, "authz_user"),
                (1, "authn_core"),
                (1, "authz_core"),
            ])
        });
        let mut nodes: Vec<Node> = MODULES
            .iter()
            .filter(|m| Some(**m) != left_out)
            .map(|m| load_module(m))
            .collect();
        if self.rng.chance(0.25) {
            nodes.push(load_module("autoindex"));
        }
        nodes
    }

    fn main_server(&mut self) -> Vec<Node> {
        let mut nodes = Vec::new();
        if self.rng.chance(0.5) {
            nodes.push(Node::block(
                "Directory",
                &["/"],
                vec![
                    Node::directive("AllowOverride", &["None"]),
                    Node::directive("Require", &["all", "denied"]),
                ],
            ));
        }
        nodes.push(Node::directive("DocumentRoot", &["\"{site}/htdocs\""]));
        let mut docroot = Vec::new();
        if self.rng.chance(0.85) {
            docroot.push(Node::directive("Require", &["all", "granted"]));
        }
        docroot.extend(self.body(Scope::Directory, 1));
        nodes.push(Node::block("Directory", &["\"{site}/htdocs\""], docroot));
        nodes.extend(self.server_scope());
        nodes
    }

    /// Sections and aliases of the main server or a vhost.
    fn server_scope(&mut self) -> Vec<Node> {
        let mut nodes = Vec::new();
        for _ in 0..self.rng.between(0, 2) {
            let (directive, url, target, paths) = self.rng.pick(ALIASES);
            self.aim(paths);
            nodes.push(Node::directive(directive, &[url, target]));
        }
        for _ in 0..self.rng.weighted(&[(1, 0), (3, 1), (3, 2), (2, 3), (1, 4)]) {
            nodes.extend(self.section(Scope::Server, 1));
        }
        nodes
    }

    fn aim(&mut self, paths: &[&str]) {
        self.targets
            .paths
            .extend(paths.iter().map(|p| (*p).to_owned()));
    }

    fn target(&mut self, table: &[Target]) -> &'static str {
        let (arg, paths) = self.rng.pick(table);
        self.aim(paths);
        arg
    }

    /// One section allowed in `scope` (an `<If>` may come with `<ElseIf>`/`<Else>`).
    fn section(&mut self, scope: Scope, depth: usize) -> Vec<Node> {
        use Scope::*;
        let kinds: &[(u32, Scope)] = match scope {
            Server => &[
                (5, Directory),
                (2, DirectoryMatch),
                (3, Files),
                (2, Location),
                (1, If),
            ],
            Directory | DirectoryMatch | Htaccess => &[(3, Files), (2, If), (2, Limit)],
            Files | Location => &[(2, If), (2, Limit)],
            If => &[(1, Limit)],
            Limit => return Vec::new(),
        };
        let regex = self.rng.chance(0.35);
        let (name, arg, body_scope) = match (self.rng.weighted(kinds), regex) {
            (Directory, false) => ("Directory", self.target(DIRECTORIES), Directory),
            (Directory, true) | (DirectoryMatch, _) => (
                "DirectoryMatch",
                self.target(DIRECTORY_MATCHES),
                DirectoryMatch,
            ),
            (Files, false) => ("Files", self.target(FILES), Files),
            (Files, true) => ("FilesMatch", self.target(FILES_MATCHES), Files),
            (Location, false) => ("Location", self.target(LOCATIONS), Location),
            (Location, true) => ("LocationMatch", self.target(LOCATION_MATCHES), Location),
            (If, _) => return self.if_chain(depth),
            (Limit, _) => return vec![self.limit(depth)],
            (Server | Htaccess, _) => unreachable!("not a section kind"),
        };
        let body = self.body(body_scope, depth + 1);
        vec![Node::block(name, &[arg], body)]
    }

    fn if_chain(&mut self, depth: usize) -> Vec<Node> {
        let expr = self.rng.pick(IF_EXPRESSIONS);
        let mut nodes = vec![Node::block("If", &[expr], self.body(Scope::If, depth + 1))];
        if self.rng.chance(0.2) {
            let expr = self.rng.pick(IF_EXPRESSIONS);
            nodes.push(Node::block(
                "ElseIf",
                &[expr],
                self.body(Scope::If, depth + 1),
            ));
        }
        if self.rng.chance(0.3) {
            nodes.push(Node::block("Else", &[], self.body(Scope::If, depth + 1)));
        }
        nodes
    }

    fn limit(&mut self, depth: usize) -> Node {
        let (name, methods) = if self.rng.chance(0.5) {
            ("Limit", self.rng.pick(LIMITS))
        } else {
            ("LimitExcept", self.rng.pick(LIMIT_EXCEPTS))
        };
        Node::block(name, methods, self.body(Scope::Limit, depth + 1))
    }

    /// Access control and nested sections for a body in `scope`.
    fn body(&mut self, scope: Scope, depth: usize) -> Vec<Node> {
        let mut nodes = Vec::new();
        let in_section = scope != Scope::Server;
        let require = self.rng.chance(if in_section { 0.7 } else { 0.3 });
        let require_nodes = if require {
            self.require_part()
        } else {
            Vec::new()
        };
        let uses_group = require_nodes.iter().any(mentions_group);
        if self.rng.chance(if require { 0.65 } else { 0.2 }) {
            nodes.extend(self.auth(uses_group));
        }
        nodes.extend(require_nodes);
        if self.rng.chance(0.15) {
            nodes.extend(self.access_compat());
        }
        if in_section && scope != Scope::Limit && self.rng.chance(0.12) {
            let how = self.rng.pick(&["And", "Or", "Off"]);
            nodes.push(Node::directive("AuthMerging", &[how]));
        }
        if scope == Scope::Directory && self.rng.chance(0.25) {
            nodes.push(self.allow_override());
        }
        if matches!(scope, Scope::Directory | Scope::Htaccess) && self.rng.chance(0.08) {
            let how = self.rng.pick(&["+Indexes", "-Indexes"]);
            nodes.push(Node::directive("Options", &[how]));
        }
        if scope == Scope::Htaccess && self.rng.chance(0.05) {
            // A directive of a module that is not loaded: "Invalid command".
            nodes.push(Node::directive("AuthPlainUserFile", &["pw/users"]));
        }
        if depth < 3 && scope != Scope::Server && self.rng.chance(0.25) {
            nodes.extend(self.section(scope, depth));
        }
        nodes
    }

    fn allow_override(&mut self) -> Node {
        let value = self.rng.weighted(&[
            (2, "None"),
            (3, "All"),
            (4, "AuthConfig"),
            (2, "AuthConfig Limit"),
            (1, "Limit"),
            (1, "FileInfo"),
            (1, "Indexes"),
        ]);
        let args: Vec<&str> = value.split(' ').collect();
        Node::directive("AllowOverride", &args)
    }

    /// AuthType, AuthName, the user file and its provider, maybe a group file.
    fn auth(&mut self, uses_group: bool) -> Vec<Node> {
        let mut nodes = Vec::new();
        let kind = self.rng.weighted(&[
            (8, "Basic"),
            (3, "Digest"),
            (1, "basic"),
            (1, "None"),
            (1, ""),
        ]);
        if !kind.is_empty() {
            nodes.push(Node::directive("AuthType", &[kind]));
        }
        let digest = kind == "Digest";
        match self.rng.weighted(&[
            (90, "\"R\""),
            (30, "\"Private\""),
            (15, ""),
            (1, "My Realm"),
        ]) {
            "" => {}
            realm => nodes.push(Node::directive(
                "AuthName",
                &realm.split(' ').collect::<Vec<_>>(),
            )),
        }
        if self.rng.chance(0.92) {
            let file = self.user_file(digest);
            nodes.push(Node::directive("AuthUserFile", &[&file]));
        }
        if digest && self.rng.chance(0.2) {
            nodes.push(Node::directive("AuthDigestProvider", &["file"]));
        }
        if !digest && self.rng.chance(0.12) {
            // mod_authn_dbm is never loaded: `dbm` stops httpd from starting.
            let provider = self.rng.weighted(&[(20, "file"), (1, "dbm")]);
            nodes.push(Node::directive("AuthBasicProvider", &[provider]));
        }
        if self.rng.chance(if uses_group { 0.85 } else { 0.2 }) {
            let file = self.rng.weighted(&[(6, "groups"), (1, "nogroups")]);
            nodes.push(Node::directive(
                "AuthGroupFile",
                &[&format!("\"{{site}}/pw/{file}\"")],
            ));
        }
        nodes
    }

    /// A password-file path: absolute or relative to ServerRoot.
    fn user_file(&mut self, digest: bool) -> String {
        let name = if digest {
            self.rng.weighted(&[
                (8, "digest"),
                (1, "users"),
                (1, "missing"),
                (1, "users-root"),
            ])
        } else {
            self.rng.weighted(&[
                (16, "users"),
                (4, "users-crlf"),
                (2, "users-bom"),
                (2, "users-empty"),
                (4, "users-bad"),
                (3, "users-root"),
                (1, "users-dir"),
                (2, "missing"),
                (2, "digest"),
            ])
        };
        if self.rng.chance(0.8) {
            format!("\"{{site}}/pw/{name}\"")
        } else {
            format!("pw/{name}")
        }
    }

    /// Require lines: one, several (an implicit `<RequireAny>`), or a container tree.
    /// Negations and `<RequireNone>` go inside `<RequireAll>` (elsewhere httpd refuses
    /// to start: kept, rarely, as such).
    fn require_part(&mut self) -> Vec<Node> {
        let any = Parent::Any;
        match self.rng.weighted(&[(5, 0), (2, 1), (3, 2), (1, 3)]) {
            0 => vec![self.require_leaf(any)],
            1 => vec![self.require_leaf(any), self.require_leaf(any)],
            2 => vec![self.require_container(any, 1)],
            _ => vec![self.require_leaf(any), self.require_container(any, 1)],
        }
    }

    fn require_leaf(&mut self, parent: Parent) -> Node {
        let negate = self.rng.chance(match parent {
            Parent::All => 0.3,
            // Elsewhere a negation stops httpd from starting: rarely kept.
            Parent::Any | Parent::None => 0.005,
        });
        let leaf = self.rng.weighted(&[
            (8, "all granted"),
            (2, "all denied"),
            (10, "valid-user"),
            (4, "user alice"),
            (2, "user bob carol"),
            (3, "group admins"),
            (1, "group staff"),
            (3, "ip 127.0.0.2"),
            (2, "ip 127.0.0.1"),
            (1, "ip 127.0.0.0/8"),
            (3, "local"),
            (2, "method GET HEAD"),
            (1, "method POST"),
            (1, "host localhost"),
        ]);
        let mut args: Vec<&str> = leaf.split(' ').collect();
        if negate && !leaf.starts_with("all") {
            args.insert(0, "not");
        }
        Node::directive("Require", &args)
    }

    fn require_container(&mut self, parent: Parent, depth: usize) -> Node {
        // Only inside <RequireAll> does a <RequireNone> let httpd start.
        let none_weight = if parent == Parent::All { 30 } else { 1 };
        let (name, me) = self.rng.weighted(&[
            (40, ("RequireAll", Parent::All)),
            (40, ("RequireAny", Parent::Any)),
            (none_weight, ("RequireNone", Parent::None)),
        ]);
        let mut body = Vec::new();
        for _ in 0..self.rng.between(1, 3) {
            if depth < 2 && self.rng.chance(0.25) {
                body.push(self.require_container(me, depth + 1));
            } else {
                body.push(self.require_leaf(me));
            }
        }
        let negative = |n: &Node| {
            n.name() == "RequireNone"
                || (n.name() == "Require" && n.args().first().is_some_and(|a| a == "not"))
        };
        if me == Parent::All && body.iter().all(negative) && self.rng.chance(0.95) {
            // A <RequireAll> of negations only stops httpd from starting: rarely kept.
            body.insert(0, self.require_leaf(Parent::Any));
        }
        Node::block(name, &[], body)
    }

    /// mod_access_compat: Order, Allow, Deny, Satisfy.
    fn access_compat(&mut self) -> Vec<Node> {
        let mut nodes = Vec::new();
        if let Some(order) =
            self.rng
                .weighted(&[(2, Some("deny,allow")), (2, Some("allow,deny")), (1, None)])
        {
            nodes.push(Node::directive("Order", &[order]));
        }
        if let Some(from) = self.rng.weighted(&[
            (2, Some("all")),
            (2, Some("127.0.0.2")),
            (1, Some("127.0.0.1")),
            (2, None),
        ]) {
            nodes.push(Node::directive("Allow", &["from", from]));
        }
        if let Some(from) =
            self.rng
                .weighted(&[(2, Some("all")), (1, Some("127.0.0.2")), (2, None)])
        {
            nodes.push(Node::directive("Deny", &["from", from]));
        }
        if let Some(how) = self
            .rng
            .weighted(&[(2, Some("Any")), (1, Some("All")), (1, None)])
        {
            nodes.push(Node::directive("Satisfy", &[how]));
        }
        nodes
    }

    /// `.htaccess` files in some directories, and an AllowOverride for them in the
    /// DocumentRoot's `<Directory>` (often, not always).
    fn htaccess_files(&mut self, tree: &mut [Node]) -> Vec<SiteFile> {
        let count = self.rng.weighted(&[(4, 0), (4, 1), (2, 2)]);
        let mut files: Vec<SiteFile> = Vec::new();
        for _ in 0..count {
            let (dir, paths) = self.rng.pick(&[
                ("htdocs", &["/", "/page.html"][..]),
                ("htdocs/a", &["/a/", "/a/page.html"][..]),
                ("htdocs/a/b", &["/a/b/secret.txt"][..]),
                ("htdocs/c", &["/c/data.txt"][..]),
                ("htdocs2/a", &["/a/page.html"][..]),
                ("other", &["/o/x.txt"][..]),
            ]);
            let path = format!("{dir}/.htaccess");
            if files.iter().any(|f| f.path == path) {
                continue;
            }
            self.aim(paths);
            let body = self.body(Scope::Htaccess, 1);
            files.push(SiteFile {
                path,
                mode: 0o644,
                body: FileBody::Config(body),
                label: ".htaccess".to_owned(),
            });
        }
        if !files.is_empty() && self.rng.chance(0.7) {
            let allow = self.allow_override();
            if let Some(Node::Block { body, .. }) = tree.iter_mut().find(|n| {
                n.name() == "Directory"
                    && n.args().first().is_some_and(|a| a == "\"{site}/htdocs\"")
            }) {
                body.retain(|n| n.name() != "AllowOverride");
                body.insert(0, allow);
            }
        }
        files
    }

    /// IncludeOptional of a glob with a file, of a missing file; or a failing Include.
    fn include(&mut self, files: &mut Vec<SiteFile>) -> Vec<Node> {
        match self.rng.weighted(&[(6, 0), (3, 1), (1, 2)]) {
            0 => {
                let mut body = Vec::new();
                for _ in 0..self.rng.between(1, 2) {
                    body.extend(self.section(Scope::Server, 1));
                }
                files.push(SiteFile {
                    path: "conf.d/extra.conf".to_owned(),
                    mode: 0o644,
                    body: FileBody::Config(body),
                    label: "included config".to_owned(),
                });
                vec![Node::directive(
                    "IncludeOptional",
                    &["\"{site}/conf.d/*.conf\""],
                )]
            }
            1 => vec![Node::directive(
                "IncludeOptional",
                &["\"{site}/conf.d/none.conf\""],
            )],
            _ => vec![Node::directive("Include", &["\"{site}/conf.d/none.conf\""])],
        }
    }

    fn vhost(&mut self) -> Node {
        let (addr, port2) = self.rng.weighted(&[
            (5, ("*", false)),
            (2, ("127.0.0.1", false)),
            (2, ("127.0.0.2", false)),
            (1, ("*", true)),
            (1, ("127.0.0.1", true)),
            (1, ("_default_", false)),
        ]);
        let port = if port2 { "{port2}" } else { "{port}" };
        let mut body = Vec::new();
        let (name, alias) = self.rng.pick(VHOST_NAMES);
        if self.rng.chance(0.9) {
            body.push(Node::directive("ServerName", &[name]));
            self.targets.hosts.push(name.to_owned());
        }
        if self.rng.chance(0.3) {
            body.push(Node::directive("ServerAlias", &[alias]));
            self.targets.hosts.push(alias.replace('*', "x"));
        }
        if self.rng.chance(0.85) {
            let root = self.rng.pick(&["\"{site}/htdocs\"", "\"{site}/htdocs2\""]);
            body.push(Node::directive("DocumentRoot", &[root]));
        }
        body.extend(self.server_scope());
        Node::block("VirtualHost", &[&format!("{addr}:{port}")], body)
    }
}

fn mentions_group(node: &Node) -> bool {
    (node.name() == "Require" && node.args().iter().any(|a| a == "group"))
        || node.body().iter().any(mentions_group)
}
