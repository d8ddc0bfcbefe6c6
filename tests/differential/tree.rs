//! The grammar's output: a config as a tree of directives and blocks (the same shape
//! for Apache and nginx), the files of its site, and the requests to send. Everything
//! the shrinker may remove or simplify is a node, a file, a line or a request field.
//!
//! Text may hold the placeholders `{site}` (the temp site), `{port}` (the harness's
//! port) and `{port2}` (a second port), filled in when a site is built.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServerKind {
    Apache,
    Nginx,
}

impl ServerKind {
    pub fn name(self) -> &'static str {
        match self {
            ServerKind::Apache => "apache",
            ServerKind::Nginx => "nginx",
        }
    }
}

/// A directive (`name args`) or a block (`<name args> … </name>` / `name args { … }`).
/// Arguments are kept as printed (with their quotes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Directive {
        name: String,
        args: Vec<String>,
    },
    Block {
        name: String,
        args: Vec<String>,
        body: Vec<Node>,
    },
}

impl Node {
    pub fn directive(name: &str, args: &[&str]) -> Node {
        Node::Directive {
            name: name.to_owned(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    pub fn block(name: &str, args: &[&str], body: Vec<Node>) -> Node {
        Node::Block {
            name: name.to_owned(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            body,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Node::Directive { name, .. } | Node::Block { name, .. } => name,
        }
    }

    pub fn args(&self) -> &[String] {
        match self {
            Node::Directive { args, .. } | Node::Block { args, .. } => args,
        }
    }

    pub fn args_mut(&mut self) -> &mut Vec<String> {
        match self {
            Node::Directive { args, .. } | Node::Block { args, .. } => args,
        }
    }

    pub fn body(&self) -> &[Node] {
        match self {
            Node::Directive { .. } => &[],
            Node::Block { body, .. } => body,
        }
    }
}

/// What a file of the site holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileBody {
    /// Lines of text, joined with LF or CRLF, optionally after a UTF-8 BOM; every line
    /// ends with the line break.
    Text {
        lines: Vec<String>,
        crlf: bool,
        bom: bool,
    },
    /// Apache config text (`.htaccess`, an included file).
    Config(Vec<Node>),
    /// A directory (e.g. a user file that is a directory).
    Dir,
}

/// A file of the site: a page, a `.htaccess`, a password file, an included config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteFile {
    /// Relative to the site directory.
    pub path: String,
    /// Permission bits; 0600 files belong to root, so the www-data workers cannot read them.
    pub mode: u32,
    pub body: FileBody,
    /// What it is, for the coverage report ("passwd crlf", ".htaccess", "page").
    pub label: String,
}

impl SiteFile {
    pub fn text(path: &str, label: &str, lines: &[&str]) -> SiteFile {
        SiteFile {
            path: path.to_owned(),
            mode: 0o644,
            body: FileBody::Text {
                lines: lines.iter().map(|l| (*l).to_owned()).collect(),
                crlf: false,
                bom: false,
            },
            label: label.to_owned(),
        }
    }
}

/// A generated server configuration with its site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setup {
    pub server: ServerKind,
    /// The generated part of the config (the fixed preamble is added when rendering).
    pub tree: Vec<Node>,
    pub files: Vec<SiteFile>,
}

/// Which of the two ports a request goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PortSlot {
    /// `{port}`.
    Port,
    /// `{port2}`.
    Port2,
}

/// One request: who sends what, where.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Request {
    pub method: String,
    /// The Host header (and the URL host `why` is given), without the port.
    pub host: String,
    /// The server address the connection goes to.
    pub to: String,
    pub port: PortSlot,
    /// The client's address.
    pub from: String,
    /// The request target, sent as is.
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

impl Request {
    pub fn login(&self) -> Option<(&str, &str)> {
        Some((self.user.as_deref()?, self.password.as_deref()?))
    }

    /// One line for messages: `GET http://www.a.test:{port}/a/ to 127.0.0.1 from 127.0.0.2 as alice`.
    pub fn describe(&self) -> String {
        let port = match self.port {
            PortSlot::Port => "{port}",
            PortSlot::Port2 => "{port2}",
        };
        let mut s = format!(
            "{} http://{}:{}{} to {} from {}",
            self.method, self.host, port, self.path, self.to, self.from
        );
        if let Some((user, password)) = self.login() {
            s.push_str(&format!(" as {user}:{password}"));
        }
        s
    }
}

/// A setup and the requests generated for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    pub seed: u64,
    pub setup: Setup,
    pub requests: Vec<Request>,
}
