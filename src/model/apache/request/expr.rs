//! The part of httpd's expression language (`ap_expr`, used by `<If>`, `<ElseIf>` and
//! `Require expr`) whose value a request decides: the request's method, scheme, host,
//! port, path and query, the client address, and string, integer and regex comparisons.
//! Anything else (other headers, environment variables, files, functions) is unknown, and
//! so is every expression that depends on it: the evaluator then says what it depends on.

use super::address;
use std::net::IpAddr;

/// A word's value: known, or depending on something htguard cannot see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Known(String),
    /// Set and not empty, its text unknown (the Authorization header of a request that
    /// logs in): `-n` and `-z` decide, nothing else does.
    NonEmpty,
    Unknown,
}

/// What an expression may ask about the request.
pub trait ExprEnv {
    /// `%{NAME}` (NAME in upper case): known, or Unknown.
    fn var(&self, name: &str) -> Value;
    /// `%{HTTP:Name}` / `req('Name')` (Name in lower case).
    fn header(&self, name: &str) -> Value;
    fn client(&self) -> IpAddr;
}

/// Parse and evaluate `text`: Some(true/false) when the request decides it, None when it
/// depends on something unknown or the expression is beyond what is modelled.
pub fn evaluate(text: &str, env: &dyn ExprEnv) -> Option<bool> {
    let tokens = lex(text)?;
    let mut p = Parser {
        tokens,
        pos: 0,
        env,
    };
    let v = p.or()?;
    (p.pos == p.tokens.len()).then_some(v).flatten()
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Str(String),
    Var(String),
    Regex(String, bool),
    Op(String),
    Open,
    Close,
    BraceOpen,
    BraceClose,
    Comma,
    Word(String),
}

fn lex(text: &str) -> Option<Vec<Tok>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' => i += 1,
            b'\'' | b'"' => {
                let end = i + 1 + text[i + 1..].find(c as char)?;
                out.push(Tok::Str(text[i + 1..end].to_string()));
                i = end + 1;
            }
            b'%' if b.get(i + 1) == Some(&b'{') => {
                let end = i + 2 + text[i + 2..].find('}')?;
                out.push(Tok::Var(text[i + 2..end].to_string()));
                i = end + 1;
            }
            b'/' => {
                let end = i + 1 + text[i + 1..].find('/')?;
                let (flags, next) = regex_flags(text, end + 1);
                out.push(Tok::Regex(text[i + 1..end].to_string(), flags));
                i = next;
            }
            b'm' if b
                .get(i + 1)
                .is_some_and(|d| !d.is_ascii_alphanumeric() && *d != b' ') =>
            {
                let delim = text[i + 1..].chars().next()?;
                let start = i + 1 + delim.len_utf8();
                let end = start + text[start..].find(delim)?;
                let (flags, next) = regex_flags(text, end + delim.len_utf8());
                out.push(Tok::Regex(text[start..end].to_string(), flags));
                i = next;
            }
            b'(' => (out.push(Tok::Open), i += 1).1,
            b')' => (out.push(Tok::Close), i += 1).1,
            b'{' => (out.push(Tok::BraceOpen), i += 1).1,
            b'}' => (out.push(Tok::BraceClose), i += 1).1,
            b',' => (out.push(Tok::Comma), i += 1).1,
            b'=' | b'!' | b'<' | b'>' | b'&' | b'|' | b'.' => {
                let two = text.get(i..i + 2).unwrap_or("");
                let op = if ["==", "!=", "<=", ">=", "=~", "!~", "&&", "||"].contains(&two) {
                    two
                } else {
                    &text[i..i + 1]
                };
                out.push(Tok::Op(op.to_string()));
                i += op.len();
            }
            b'-' if b.get(i + 1).is_some_and(|d| d.is_ascii_alphabetic()) => {
                let len = text[i + 1..]
                    .find(|ch: char| !ch.is_ascii_alphanumeric())
                    .unwrap_or(text.len() - i - 1);
                out.push(Tok::Op(text[i..i + 1 + len].to_ascii_lowercase()));
                i += 1 + len;
            }
            _ if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' => {
                let len = text[i..]
                    .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '-'))
                    .unwrap_or(text.len() - i);
                out.push(Tok::Word(text[i..i + len].to_string()));
                i += len;
            }
            _ => return None,
        }
    }
    Some(out)
}

fn regex_flags(text: &str, from: usize) -> (bool, usize) {
    let flags: String = text[from..]
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    (flags.contains('i'), from + flags.len())
}

struct Parser<'a> {
    tokens: Vec<Tok>,
    pos: usize,
    env: &'a dyn ExprEnv,
}

/// Three-valued logic: None is unknown. The outer Option of the parse functions is a
/// parse failure (the whole expression is then unknown).
type Tri = Option<bool>;

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos)
    }

    fn eat_op(&mut self, op: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Op(o)) if o == op) {
            self.pos += 1;
            return true;
        }
        false
    }

    fn or(&mut self) -> Option<Tri> {
        let mut v = self.and()?;
        while self.eat_op("||") {
            let r = self.and()?;
            v = match (v, r) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            };
        }
        Some(v)
    }

    fn and(&mut self) -> Option<Tri> {
        let mut v = self.not()?;
        while self.eat_op("&&") {
            let r = self.not()?;
            v = match (v, r) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            };
        }
        Some(v)
    }

    fn not(&mut self) -> Option<Tri> {
        if self.eat_op("!") {
            return Some(self.not()?.map(|b| !b));
        }
        self.primary()
    }

    fn primary(&mut self) -> Option<Tri> {
        match self.peek()? {
            Tok::Open => {
                self.pos += 1;
                let v = self.or()?;
                (self.peek() == Some(&Tok::Close)).then(|| self.pos += 1)?;
                Some(v)
            }
            Tok::Word(w) if w == "true" => (self.pos += 1, Some(Some(true))).1,
            Tok::Word(w) if w == "false" => (self.pos += 1, Some(Some(false))).1,
            Tok::Op(op) if op.starts_with('-') => {
                let op = op.clone();
                self.pos += 1;
                let v = self.word()?;
                Some(self.unary(&op, v))
            }
            _ => self.comparison(),
        }
    }

    fn unary(&self, op: &str, v: Value) -> Tri {
        let s = match v {
            Value::Known(s) => s,
            Value::NonEmpty if op == "-n" => return Some(true),
            Value::NonEmpty if op == "-z" => return Some(false),
            _ => return None,
        };
        match op {
            "-n" => Some(!s.is_empty()),
            "-z" => Some(s.is_empty()),
            "-r" => Some(ip_match(&s, self.env.client())?),
            "-t" => Some(!matches!(
                s.to_ascii_lowercase().as_str(),
                "" | "0" | "off" | "false" | "no"
            )),
            // Files, URL lookups: not modelled.
            _ => None,
        }
    }

    fn comparison(&mut self) -> Option<Tri> {
        let left = self.word()?;
        let op = match self.peek()? {
            Tok::Op(o) => o.clone(),
            Tok::Word(w) if ["eq", "ne", "lt", "le", "gt", "ge", "in"].contains(&w.as_str()) => {
                w.clone()
            }
            _ => return None,
        };
        self.pos += 1;
        if op == "in" {
            let list = self.list()?;
            return Some(match left {
                Value::Known(l) if list.iter().all(|v| matches!(v, Value::Known(_))) => {
                    Some(list.iter().any(|v| *v == Value::Known(l.clone())))
                }
                _ => None,
            });
        }
        if op == "=~" || op == "!~" {
            let Some(Tok::Regex(re, icase)) = self.peek().cloned() else {
                return None;
            };
            self.pos += 1;
            let re = regex::RegexBuilder::new(&re)
                .case_insensitive(icase)
                .build()
                .ok()?;
            let Value::Known(l) = left else {
                return Some(None);
            };
            return Some(Some(re.is_match(&l) == (op == "=~")));
        }
        let right = self.word()?;
        let (Value::Known(l), Value::Known(r)) = (left, right) else {
            return Some(None);
        };
        Some(compare(&op, &l, &r))
    }

    fn list(&mut self) -> Option<Vec<Value>> {
        (self.peek() == Some(&Tok::BraceOpen)).then(|| self.pos += 1)?;
        let mut out = vec![self.word()?];
        while self.peek() == Some(&Tok::Comma) {
            self.pos += 1;
            out.push(self.word()?);
        }
        (self.peek() == Some(&Tok::BraceClose)).then(|| self.pos += 1)?;
        Some(out)
    }

    /// A word, with `.` concatenation.
    fn word(&mut self) -> Option<Value> {
        let mut v = self.simple_word()?;
        while self.eat_op(".") {
            let r = self.simple_word()?;
            v = match (v, r) {
                (Value::Known(a), Value::Known(b)) => Value::Known(a + &b),
                _ => Value::Unknown,
            };
        }
        Some(v)
    }

    fn simple_word(&mut self) -> Option<Value> {
        let tok = self.peek()?.clone();
        self.pos += 1;
        Some(match tok {
            Tok::Str(s) => interpolate(&s, self.env),
            Tok::Var(name) => variable(&name, self.env),
            Tok::Word(w) if w.bytes().all(|b| b.is_ascii_digit()) => Value::Known(w),
            Tok::Word(func) if self.peek() == Some(&Tok::Open) => {
                self.pos += 1;
                let arg = self.word()?;
                (self.peek() == Some(&Tok::Close)).then(|| self.pos += 1)?;
                function(&func, arg, self.env)
            }
            _ => return None,
        })
    }
}

/// `%{NAME}` or `%{func:arg}`.
fn variable(name: &str, env: &dyn ExprEnv) -> Value {
    match name.split_once(':') {
        Some((func, arg)) => function(func, Value::Known(arg.to_string()), env),
        None => env.var(&name.to_ascii_uppercase()),
    }
}

fn function(func: &str, arg: Value, env: &dyn ExprEnv) -> Value {
    let Value::Known(arg) = arg else {
        return Value::Unknown;
    };
    match func.to_ascii_lowercase().as_str() {
        "http" | "req" | "req_novary" => env.header(&arg.to_ascii_lowercase()),
        "tolower" => Value::Known(arg.to_ascii_lowercase()),
        "toupper" => Value::Known(arg.to_ascii_uppercase()),
        _ => Value::Unknown,
    }
}

/// A quoted string with `%{VAR}` inside.
fn interpolate(s: &str, env: &dyn ExprEnv) -> Value {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("%{") {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i + 2..].find('}') else {
            out.push_str(&rest[i..]);
            return Value::Known(out);
        };
        match variable(&rest[i + 2..i + 2 + j], env) {
            Value::Known(v) => out.push_str(&v),
            Value::NonEmpty | Value::Unknown => return Value::Unknown,
        }
        rest = &rest[i + 3 + j..];
    }
    out.push_str(rest);
    Value::Known(out)
}

fn ip_match(subnet: &str, client: IpAddr) -> Option<bool> {
    address::parse_word(subnet).ok().map(|s| s.contains(client))
}

fn compare(op: &str, l: &str, r: &str) -> Tri {
    let int = |s: &str| s.trim().parse::<i64>().ok();
    Some(match op {
        "==" | "=" => l == r,
        "!=" => l != r,
        "<" => l < r,
        "<=" => l <= r,
        ">" => l > r,
        ">=" => l >= r,
        "-eq" | "eq" => int(l)? == int(r)?,
        "-ne" | "ne" => int(l)? != int(r)?,
        "-lt" | "lt" => int(l)? < int(r)?,
        "-le" | "le" => int(l)? <= int(r)?,
        "-gt" | "gt" => int(l)? > int(r)?,
        "-ge" | "ge" => int(l)? >= int(r)?,
        "-ipmatch" => ip_in(l, r)?,
        "-strmatch" => glob(r, l, false)?,
        "-strcmatch" => glob(r, l, true)?,
        "-fnmatch" => glob(r, l, false)?,
        _ => return None,
    })
}

fn ip_in(addr: &str, subnet: &str) -> Option<bool> {
    let a: IpAddr = addr.parse().ok()?;
    address::parse_word(subnet).ok().map(|s| s.contains(a))
}

fn glob(pattern: &str, text: &str, icase: bool) -> Option<bool> {
    let g = globset::GlobBuilder::new(pattern)
        .case_insensitive(icase)
        .build()
        .ok()?
        .compile_matcher();
    Some(g.is_match(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Env;
    impl ExprEnv for Env {
        fn var(&self, name: &str) -> Value {
            match name {
                "REQUEST_METHOD" => Value::Known("POST".into()),
                "HTTP_HOST" => Value::Known("shop.example.com".into()),
                "REMOTE_ADDR" => Value::Known("10.1.2.3".into()),
                "REQUEST_URI" => Value::Known("/admin/x".into()),
                _ => Value::Unknown,
            }
        }
        fn header(&self, name: &str) -> Value {
            match name {
                "host" => Value::Known("shop.example.com".into()),
                _ => Value::Unknown,
            }
        }
        fn client(&self) -> IpAddr {
            "10.1.2.3".parse().unwrap()
        }
    }

    fn ev(s: &str) -> Option<bool> {
        evaluate(s, &Env)
    }

    #[test]
    fn request_facts_decide() {
        assert_eq!(ev("%{REQUEST_METHOD} == 'POST'"), Some(true));
        assert_eq!(ev("%{REQUEST_METHOD} != 'POST'"), Some(false));
        assert_eq!(ev("%{HTTP_HOST} =~ /^shop\\./"), Some(true));
        assert_eq!(ev("%{HTTP_HOST} !~ m#SHOP#i"), Some(false));
        assert_eq!(ev("-R '10.0.0.0/8'"), Some(true));
        assert_eq!(ev("%{REMOTE_ADDR} -ipmatch '192.168.0.0/16'"), Some(false));
        assert_eq!(ev("%{REQUEST_METHOD} in {'GET', 'HEAD'}"), Some(false));
        assert_eq!(ev("!(%{REQUEST_URI} =~ m#^/admin#) || false"), Some(false));
        assert_eq!(ev("req('Host') == 'shop.example.com'"), Some(true));
        assert_eq!(ev("tolower(%{REQUEST_METHOD}) == 'post'"), Some(true));
        assert_eq!(ev("1 -lt 2 && true"), Some(true));
    }

    #[test]
    fn unknown_facts_stay_unknown_unless_decided_anyway() {
        assert_eq!(ev("%{HTTP:X-Forwarded-For} == '1.2.3.4'"), None);
        assert_eq!(
            ev("%{ENV:x} == 'y' || %{REQUEST_METHOD} == 'POST'"),
            Some(true)
        );
        assert_eq!(
            ev("%{ENV:x} == 'y' && %{REQUEST_METHOD} == 'GET'"),
            Some(false)
        );
        assert_eq!(ev("-f '/etc/passwd'"), None);
        assert_eq!(
            ev("%{REQUEST_METHOD} == "),
            None,
            "a parse error is unknown"
        );
    }
}
