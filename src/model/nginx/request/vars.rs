//! nginx's variables for one request (src/http/ngx_http_variables.c, `map` in
//! modules/ngx_http_map_module.c): what the request says, what `set` stored, what a `map`
//! makes of them, the last regex's captures. The request carries only the headers
//! htguard models (Host, Authorization): any other `$http_…` is empty, as for a client
//! that sends none. Variables whose value lies outside the request are unknown (`Err`).

use super::super::VariableMap;
use super::Eval;
use crate::model::request::Scheme;
use base64::Engine;

impl<'a> Eval<'a> {
    /// `text` with every `$name`, `${name}` and `$1` replaced.
    pub(super) fn expand(&mut self, text: &str) -> Result<String, String> {
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] != b'$' || i + 1 >= bytes.len() {
                let next = text[i..].chars().next().map_or(1, char::len_utf8);
                out.push_str(&text[i..i + next]);
                i += next;
                continue;
            }
            let (name, end) = if bytes[i + 1] == b'{' {
                match text[i + 2..].find('}') {
                    Some(close) => (&text[i + 2..i + 2 + close], i + 3 + close),
                    None => return Err("an unclosed `${`".into()),
                }
            } else if bytes[i + 1].is_ascii_digit() {
                (&text[i + 1..i + 2], i + 2)
            } else {
                let len = text[i + 1..]
                    .bytes()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
                    .count();
                if len == 0 {
                    out.push('$');
                    i += 1;
                    continue;
                }
                (&text[i + 1..i + 1 + len], i + 1 + len)
            };
            out.push_str(&self.var(name)?);
            i = end;
        }
        Ok(out)
    }

    /// The value of `$name` (`Err`: what it depends on).
    pub(super) fn var(&mut self, name: &str) -> Result<String, String> {
        if let Ok(n) = name.parse::<usize>() {
            return Ok(self
                .state
                .captures
                .get(n)
                .cloned()
                .flatten()
                .unwrap_or_default());
        }
        if let Some(v) = self.state.set.get(name) {
            return Ok(v.clone());
        }
        let maps = &self.model.maps;
        if let Some(map) = maps
            .iter()
            .find(|m| m.target.trim_start_matches('$') == name)
        {
            return self.map(map);
        }
        if let Some(v) = self.request_var(name) {
            return Ok(v);
        }
        if let Some(arg) = name.strip_prefix("arg_") {
            return Ok(arg_value(&self.state.args, arg));
        }
        if name.starts_with("http_")
            || name.starts_with("cookie_")
            || name.starts_with("sent_http_")
        {
            return Ok(String::new());
        }
        if self
            .model
            .sets
            .iter()
            .any(|s| s.var.trim_start_matches('$') == name)
        {
            // Declared by a `set` this request did not run: empty (nginx warns).
            return Ok(String::new());
        }
        match name {
            "document_root" | "request_filename" => self.path_var(name),
            _ => Err(format!("`${name}`")),
        }
    }

    /// Variables read straight off the request.
    fn request_var(&self, name: &str) -> Option<String> {
        let r = self.request;
        let s = &self.state;
        Some(match name {
            "uri" | "document_uri" => s.uri.clone(),
            "request_uri" => r.target.clone(),
            "args" | "query_string" => s.args.clone(),
            "is_args" => if s.args.is_empty() { "" } else { "?" }.to_string(),
            "host" => {
                let host = super::select::validate_host(&r.host).unwrap_or_default();
                if host.is_empty() {
                    self.server().names.first().cloned().unwrap_or_default()
                } else {
                    host
                }
            }
            "http_host" => self.host_header(),
            "server_name" => self.server().names.first().cloned().unwrap_or_default(),
            "server_port" => r.port.to_string(),
            "server_addr" => r.local_addr.to_string(),
            "scheme" => match r.scheme {
                Scheme::Http => "http",
                Scheme::Https => "https",
            }
            .to_string(),
            "https" => if r.scheme == Scheme::Https { "on" } else { "" }.to_string(),
            "request_method" => s.method.clone(),
            "remote_addr" => r.client.to_string(),
            "binary_remote_addr" => return None,
            "remote_user" => r
                .credentials
                .as_ref()
                .map(|c| c.user.split(':').next().unwrap_or("").to_string())
                .unwrap_or_default(),
            "http_authorization" => r.credentials.as_ref().map_or(String::new(), |c| {
                let mut raw = c.user.as_bytes().to_vec();
                raw.push(b':');
                raw.extend_from_slice(&c.password);
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(raw)
                )
            }),
            "server_protocol" => "HTTP/1.1".to_string(),
            "content_length" | "content_type" | "http_cookie" | "cookie" => String::new(),
            _ => return None,
        })
    }

    /// The Host header as the client sends it (with the port unless it is the scheme's).
    fn host_header(&self) -> String {
        let r = self.request;
        if r.port == r.scheme.default_port() {
            r.host.clone()
        } else {
            format!("{}:{}", r.host, r.port)
        }
    }

    fn path_var(&mut self, name: &str) -> Result<String, String> {
        let Some(conf) = self.conf else {
            return Err(format!("`${name}`"));
        };
        let uri = self.state.uri.clone();
        let path = self.map_path(conf, &uri)?;
        Ok(match name {
            "request_filename" => path.display().to_string(),
            _ => {
                let full = path.display().to_string();
                let root_len = full.len().saturating_sub(uri.len());
                full[..root_len].to_string()
            }
        })
    }

    /// The value a `map` gives (`ngx_http_map_find`): an exact key (case-insensitive),
    /// with `hostnames` a wildcard key, then the first regex that matches, else `default`.
    fn map(&mut self, map: &'a VariableMap) -> Result<String, String> {
        let mut source = self.expand(&map.source)?;
        if map.hostnames && source.ends_with('.') {
            source.pop();
        }
        let lower = source.to_ascii_lowercase();
        let plain = |k: &str| !k.starts_with('~');
        let key = |k: &str| k.strip_prefix('\\').unwrap_or(k).to_ascii_lowercase();
        let mut found = map
            .entries
            .iter()
            .find(|e| plain(&e.key) && key(&e.key) == lower);
        if found.is_none() && map.hostnames {
            found = map
                .entries
                .iter()
                .filter(|e| plain(&e.key))
                .filter_map(|e| {
                    let k = key(&e.key);
                    let suffix = k
                        .strip_prefix("*.")
                        .or_else(|| k.strip_prefix('.'))?
                        .to_string();
                    lower
                        .strip_suffix(&suffix)
                        .is_some_and(|h| h.ends_with('.'))
                        .then_some((e, suffix.len()))
                })
                .max_by_key(|(_, len)| *len)
                .map(|(e, _)| e);
        }
        if found.is_none() {
            for e in &map.entries {
                let Some(pattern) = e.key.strip_prefix('~') else {
                    continue;
                };
                let (pattern, ci) = match pattern.strip_prefix('*') {
                    Some(p) => (p, true),
                    None => (pattern, false),
                };
                let full = if ci {
                    format!("(?i){pattern}")
                } else {
                    pattern.to_string()
                };
                let re = regex::Regex::new(&full)
                    .map_err(|_| format!("the map regex `{pattern}` (PCRE)"))?;
                if re.is_match(&source) {
                    found = Some(e);
                    break;
                }
            }
        }
        match found.or(map.default.as_ref()) {
            Some(e) => self.expand(&e.value),
            None => Ok(String::new()),
        }
    }
}

/// `$arg_name`: the first `name=value` of the query (names compared ignoring case).
fn arg_value(args: &str, name: &str) -> String {
    args.split('&')
        .find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            k.eq_ignore_ascii_case(name).then(|| v.to_string())
        })
        .unwrap_or_default()
}
