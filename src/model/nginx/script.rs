//! The rewrite module's script of one block, as nginx compiles it
//! (`ngx_http_rewrite_module.c`): `rewrite`, `return`, `break`, `set` and `if` in the
//! order written, an `if` holding its own directives. nginx runs the whole script of
//! the block a request is in, top to bottom, in the rewrite phase; the script is not
//! inherited (a location without these directives runs none of its server's).

use super::Settings;
use crate::source::Span;
use crate::syntax::nginx::Directive;
use std::sync::Arc;

/// A compiled regex with the pattern it came from (compared by pattern).
#[derive(Clone, Debug)]
pub struct Pattern {
    pub source: String,
    pub case_insensitive: bool,
    /// `None` when the Rust engine cannot compile what PCRE may accept.
    pub regex: Option<Arc<regex::Regex>>,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.source == other.source && self.case_insensitive == other.case_insensitive
    }
}

impl Eq for Pattern {}

impl Pattern {
    pub fn new(source: &str, case_insensitive: bool) -> Pattern {
        let full = if case_insensitive {
            format!("(?i){source}")
        } else {
            source.to_string()
        };
        let regex = regex::RegexBuilder::new(&full)
            .size_limit(1 << 22)
            .build()
            .ok()
            .map(Arc::new);
        Pattern {
            source: source.to_string(),
            case_insensitive,
            regex,
        }
    }
}

/// The flag of a `rewrite`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RewriteFlag {
    /// No flag: the URI changes and the script goes on.
    None,
    /// `last`: stop the script, select a location again.
    Last,
    /// `break`: stop the script, stay in this location.
    Break,
    /// `redirect` (or a replacement starting with `http://`, `https://`, `$scheme`): 302.
    Redirect,
    /// `permanent`: 301.
    Permanent,
}

/// One directive of the script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScriptOp {
    Rewrite {
        span: Span,
        pattern: Pattern,
        replacement: String,
        flag: RewriteFlag,
    },
    /// `return code [text]` / `return URL` (302).
    Return {
        span: Span,
        code: u16,
        text: Option<String>,
    },
    Break {
        span: Span,
    },
    Set {
        span: Span,
        var: String,
        value: String,
    },
    If(Box<IfBlock>),
}

/// `if (condition) { ... }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IfBlock {
    pub span: Span,
    pub condition: Condition,
    /// The directives of the block, run when the condition holds.
    pub body: Vec<ScriptOp>,
    /// In a location: the block's own configuration, which the request takes on when
    /// the condition holds (`None` for an `if` at server level).
    pub settings: Option<Arc<Settings>>,
}

/// The condition of an `if`, as `ngx_http_rewrite_if_condition` reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// `($var)`: true unless empty or `0`.
    Variable(String),
    /// `($var = text)` / `!=`.
    Equals {
        var: String,
        value: String,
        negated: bool,
    },
    /// `($var ~ re)`, `~*`, `!~`, `!~*`.
    Matches {
        var: String,
        pattern: Pattern,
        negated: bool,
    },
    /// `(-f path)`, `-d`, `-e`, `-x` and their negations.
    File {
        test: FileTest,
        path: String,
        negated: bool,
    },
    /// What htguard could not read.
    Unknown(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileTest {
    /// `-f`: a regular file.
    File,
    /// `-d`: a directory.
    Directory,
    /// `-e`: anything.
    Exists,
    /// `-x`: executable.
    Executable,
}

/// `error_page code... [=[response]] uri;`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorPage {
    pub span: Span,
    pub codes: Vec<u16>,
    /// `None`: the status stays the error's; `Some(None)`: `=` (the status the page's
    /// own answer has); `Some(Some(c))`: `=c`.
    pub overwrite: Option<Option<u16>>,
    pub uri: String,
}

/// The script op for one rewrite-module directive (`None` for other directives or
/// arguments nginx would refuse).
pub fn op<'d>(
    d: &'d Directive,
    if_settings: impl FnOnce(&'d Directive) -> Option<Arc<Settings>>,
) -> Option<ScriptOp> {
    let arg = |i: usize| d.arg(i).map(|a| a.into_owned());
    if d.is("rewrite") && d.args.len() >= 2 {
        let replacement = arg(1)?;
        let redirect_like = ["http://", "https://", "$scheme"]
            .iter()
            .any(|p| replacement.starts_with(p));
        let flag = match arg(2).as_deref() {
            Some("last") => RewriteFlag::Last,
            Some("break") => RewriteFlag::Break,
            Some("redirect") => RewriteFlag::Redirect,
            Some("permanent") => RewriteFlag::Permanent,
            _ if redirect_like => RewriteFlag::Redirect,
            _ => RewriteFlag::None,
        };
        return Some(ScriptOp::Rewrite {
            span: d.span,
            pattern: Pattern::new(&arg(0)?, false),
            replacement,
            flag,
        });
    }
    if d.is("return") && !d.args.is_empty() {
        let first = arg(0)?;
        let (code, text) = match first.parse::<u16>() {
            Ok(code) => (code, arg(1)),
            Err(_) => (302, Some(first)),
        };
        return Some(ScriptOp::Return {
            span: d.span,
            code,
            text,
        });
    }
    if d.is("break") {
        return Some(ScriptOp::Break { span: d.span });
    }
    if d.is("set") && d.args.len() >= 2 {
        return Some(ScriptOp::Set {
            span: d.span,
            var: arg(0)?.trim_start_matches('$').to_string(),
            value: arg(1)?,
        });
    }
    if d.is("if") && d.block.is_some() {
        return Some(ScriptOp::If(Box::new(IfBlock {
            span: d.span,
            condition: condition(d),
            body: Vec::new(),
            settings: if_settings(d),
        })));
    }
    None
}

/// The condition of `if (...)`: nginx strips the `(` of the first word and the `)` of
/// the last.
fn condition(d: &Directive) -> Condition {
    let mut words: Vec<String> = d.args.iter().map(|a| a.text().into_owned()).collect();
    let unknown = || {
        Condition::Unknown(
            d.args
                .iter()
                .map(|a| a.text())
                .collect::<Vec<_>>()
                .join(" "),
        )
    };
    let Some(first) = words.first_mut() else {
        return unknown();
    };
    let Some(stripped) = first.strip_prefix('(') else {
        return unknown();
    };
    *first = stripped.to_string();
    let Some(last) = words.last_mut() else {
        return unknown();
    };
    let Some(stripped) = last.strip_suffix(')') else {
        return unknown();
    };
    *last = stripped.to_string();
    if words.last().is_some_and(|w| w.is_empty()) {
        words.pop();
    }
    if words.first().is_some_and(|w| w.is_empty()) {
        words.remove(0);
    }
    let var = |w: &str| w.strip_prefix('$').map(str::to_string);
    match words.as_slice() {
        [v] if v.starts_with('$') => Condition::Variable(var(v).unwrap_or_default()),
        [v, op, value] if v.starts_with('$') => {
            let var = var(v).unwrap_or_default();
            match op.as_str() {
                "=" | "!=" => Condition::Equals {
                    var,
                    value: value.clone(),
                    negated: op == "!=",
                },
                "~" | "~*" | "!~" | "!~*" => Condition::Matches {
                    var,
                    pattern: Pattern::new(value, op.ends_with('*')),
                    negated: op.starts_with('!'),
                },
                _ => unknown(),
            }
        }
        [test, path] => {
            let (negated, test) = match test.strip_prefix('!') {
                Some(t) => (true, t),
                None => (false, test.as_str()),
            };
            let test = match test {
                "-f" => FileTest::File,
                "-d" => FileTest::Directory,
                "-e" => FileTest::Exists,
                "-x" => FileTest::Executable,
                _ => return unknown(),
            };
            Condition::File {
                test,
                path: path.clone(),
                negated,
            }
        }
        _ => unknown(),
    }
}

/// `error_page 404 500 =200 /page;`
pub fn error_page(d: &Directive) -> Option<ErrorPage> {
    let words: Vec<String> = d.args.iter().map(|a| a.text().into_owned()).collect();
    let (uri, rest) = words.split_last()?;
    let mut codes = Vec::new();
    let mut overwrite = None;
    for w in rest {
        if let Some(code) = w.strip_prefix('=') {
            overwrite = Some(code.parse::<u16>().ok());
        } else {
            codes.push(w.parse::<u16>().ok()?);
        }
    }
    Some(ErrorPage {
        span: d.span,
        codes,
        overwrite,
        uri: uri.clone(),
    })
}
