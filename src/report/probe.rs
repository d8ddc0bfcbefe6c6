//! `htguard probe` output: the requests sent and their answers, then the findings. A
//! finding points into the transcript of answers (named by the probed URL) and, with
//! `--config`, at the deciding configuration line. Nothing here shows a password or an
//! `Authorization` value: the probe never puts them in what it hands over.
//!
//! JSON (`version` 1):
//! ```text
//! { "version": 1, "tool": {…}, "url": "https://h/admin/",
//!   "summary": { "errors", "warnings", "infos", "requests" },
//!   "requests": [ { "n": 1, "purpose": "first" | "given" | "fresh-nonce" | "wrong"
//!                   | "redirect" | "options" | "other-scheme", "redirect_from": null | n,
//!                   "method", "url", "credentials": null | { "user", "password": "given"
//!                   | "wrong", "scheme": "Basic" | "Digest" },
//!                   "answer": null | { "version", "status", "reason", "server", "location",
//!                   "content_length", "challenges": [ { "scheme", "params": {…},
//!                   "token68" } ], "proxy_headers": [[name, value]], "headers": [[name,
//!                   value]] }, "error": null | "…",
//!                   "predicted": null | { "status": null | 401, "summary": "…" } } ],
//!   "findings": [ { "code", "name", "severity", "message", "help", "location": PLACE,
//!                   "related": [ { "message", "location": PLACE } ] } ] }
//! PLACE = { "request": n, "line": "< HTTP/1.1 401 Unauthorized" }
//!       | { "file", "line", "column", "end_line", "end_column" }   (a configuration line)
//! ```

use super::human::{self, HumanOptions};
use super::json::Tool;
use super::{Findings, Position};
use crate::diag::{Diagnostic, Severity};
use crate::probe::ProbeOutcome;
use crate::probe::plan::{Exchange, Purpose, Sent};
use crate::source::Span;
use serde::Serialize;
use std::collections::HashMap;

/// The JSON schema version.
pub const VERSION: u32 = 1;

fn findings<'a>(
    o: &'a ProbeOutcome,
    empty: &'a HashMap<crate::source::FileId, crate::syntax::passwd::FileKind>,
) -> Findings<'a> {
    Findings {
        sources: &o.sources,
        diagnostics: &o.diagnostics,
        passwd_files: empty,
        suppressed: 0,
        inputs: &[],
    }
}

/// One line per request: `#2 GET https://h/x as alice (Basic) → 401 Unauthorized`.
pub fn request_line(e: &Exchange) -> String {
    let answer = match &e.answer {
        Ok(r) => {
            let mut s = format!("{} {}", r.status, r.reason);
            let challenges: Vec<String> = r.challenges().iter().map(|c| c.describe()).collect();
            if !challenges.is_empty() {
                s.push_str(&format!(" [{}]", challenges.join("; ")));
            }
            if let Some(l) = r.location() {
                s.push_str(&format!(" → {l}"));
            }
            s
        }
        Err(err) => format!("no answer: {err}"),
    };
    format!(
        "#{} {} {} {} → {answer}",
        e.n,
        e.method,
        e.url,
        e.sent.describe()
    )
}

/// `2 errors, 1 warning from 3 requests.` / `No findings from 3 requests.`
fn summary(o: &ProbeOutcome) -> String {
    let count = |s: Severity| o.diagnostics.iter().filter(|d| d.severity == s).count();
    let parts: Vec<String> = [
        (Severity::Error, "error"),
        (Severity::Warning, "warning"),
        (Severity::Info, "info"),
    ]
    .iter()
    .map(|(s, w)| (count(*s), *w))
    .filter(|(n, _)| *n > 0)
    .map(|(n, w)| {
        if n == 1 || w == "info" {
            format!("{n} {w}")
        } else {
            format!("{n} {w}s")
        }
    })
    .collect();
    let requests = match o.exchanges.len() {
        1 => "1 request".to_string(),
        n => format!("{n} requests"),
    };
    if parts.is_empty() {
        format!("No findings from {requests} to {}.", o.url)
    } else {
        format!("{} from {requests} to {}.", parts.join(", "), o.url)
    }
}

/// The requests, each finding drawn over the transcript (and config lines), a summary.
pub fn render_human(o: &ProbeOutcome, opts: HumanOptions) -> String {
    let mut out = format!("Probed {}:\n", o.url);
    for e in &o.exchanges {
        out.push_str(&format!("  {}\n", request_line(e)));
        if let Some(p) = o.predictions.as_ref().and_then(|p| p.get(e.n - 1)) {
            out.push_str(&format!("      configuration: {}\n", p.summary));
        }
    }
    out.push('\n');
    let empty = HashMap::new();
    out.push_str(&human::render_findings(&findings(o, &empty), opts));
    out.push_str(&summary(o));
    out.push('\n');
    out
}

/// SARIF 2.1.0, the probe's diagnoses as the rules, the transcript embedded.
pub fn render_sarif(o: &ProbeOutcome) -> String {
    let empty = HashMap::new();
    super::sarif::render_with_contents(
        &findings(o, &empty),
        &crate::probe::diagnoses::all_info(),
        &[o.transcript.file],
    )
}

/// GitHub workflow annotations.
pub fn render_github(o: &ProbeOutcome) -> String {
    let empty = HashMap::new();
    super::github::render(&findings(o, &empty))
}

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool,
    url: String,
    summary: Summary,
    requests: Vec<RequestOut<'a>>,
    findings: Vec<FindingOut<'a>>,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
    infos: usize,
    requests: usize,
}

#[derive(Serialize)]
struct RequestOut<'a> {
    n: usize,
    purpose: &'static str,
    redirect_from: Option<usize>,
    method: &'a str,
    url: String,
    credentials: Option<CredentialsOut<'a>>,
    answer: Option<AnswerOut<'a>>,
    error: Option<String>,
    predicted: Option<PredictedOut<'a>>,
}

#[derive(Serialize)]
struct CredentialsOut<'a> {
    user: &'a str,
    password: &'static str,
    scheme: &'static str,
}

#[derive(Serialize)]
struct AnswerOut<'a> {
    version: &'a str,
    status: u16,
    reason: &'a str,
    server: Option<&'a str>,
    location: Option<&'a str>,
    content_length: Option<u64>,
    challenges: Vec<ChallengeOut>,
    proxy_headers: Vec<(&'a str, &'a str)>,
    headers: Vec<(&'a str, &'a str)>,
}

#[derive(Serialize)]
struct ChallengeOut {
    scheme: String,
    params: std::collections::BTreeMap<String, String>,
    token68: Option<String>,
}

#[derive(Serialize)]
struct PredictedOut<'a> {
    status: Option<u16>,
    summary: &'a str,
}

#[derive(Serialize)]
struct FindingOut<'a> {
    code: &'a str,
    name: &'a str,
    severity: Severity,
    message: &'a str,
    label: Option<&'a str>,
    help: Option<&'a str>,
    location: Place,
    related: Vec<Related<'a>>,
}

#[derive(Serialize)]
struct Related<'a> {
    message: &'a str,
    location: Place,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Place {
    Answer {
        request: usize,
        line: String,
    },
    Config {
        file: String,
        line: usize,
        column: usize,
        end_line: usize,
        end_column: usize,
    },
}

fn purpose(p: &Purpose) -> (&'static str, Option<usize>) {
    match p {
        Purpose::First => ("first", None),
        Purpose::Given => ("given", None),
        Purpose::FreshNonce => ("fresh-nonce", None),
        Purpose::Wrong => ("wrong", None),
        Purpose::Redirect { from } => ("redirect", Some(*from)),
        Purpose::Options => ("options", None),
        Purpose::OtherScheme => ("other-scheme", None),
    }
}

fn request_out<'a>(o: &'a ProbeOutcome, e: &'a Exchange) -> RequestOut<'a> {
    let (purpose, redirect_from) = purpose(&e.purpose);
    let credentials = match &e.sent {
        Sent::Nothing => None,
        Sent::Given { user, scheme } => Some(CredentialsOut {
            user,
            password: "given",
            scheme: scheme.name(),
        }),
        Sent::Wrong { user, scheme } => Some(CredentialsOut {
            user,
            password: "wrong",
            scheme: scheme.name(),
        }),
    };
    let answer = e.reply().map(|r| AnswerOut {
        version: &r.version,
        status: r.status,
        reason: &r.reason,
        server: r.server(),
        location: r.location(),
        content_length: r.content_length(),
        challenges: r
            .challenges()
            .into_iter()
            .map(|c| ChallengeOut {
                params: c
                    .params
                    .iter()
                    .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                    .collect(),
                scheme: c.scheme,
                token68: c.token68,
            })
            .collect(),
        proxy_headers: r.proxy_headers(),
        headers: r.shown_headers(),
    });
    let predicted = o
        .predictions
        .as_ref()
        .and_then(|p| p.get(e.n - 1))
        .map(|p| PredictedOut {
            status: p.status,
            summary: &p.summary,
        });
    RequestOut {
        n: e.n,
        purpose,
        redirect_from,
        method: &e.method,
        url: e.url.to_string(),
        credentials,
        answer,
        error: e.answer.as_ref().err().map(|e| e.to_string()),
        predicted,
    }
}

fn place(o: &ProbeOutcome, f: &Findings<'_>, span: Span) -> Place {
    if span.file == o.transcript.file {
        let request = o.transcript.exchange_at(span.start).unwrap_or(1);
        let line = String::from_utf8_lossy(o.sources.slice(span)).into_owned();
        return Place::Answer { request, line };
    }
    let Position {
        line,
        column,
        end_line,
        end_column,
    } = f.position(span);
    Place::Config {
        file: f.path(span.file),
        line,
        column,
        end_line,
        end_column,
    }
}

fn finding_out<'a>(o: &ProbeOutcome, f: &Findings<'_>, d: &'a Diagnostic) -> FindingOut<'a> {
    FindingOut {
        code: d.code,
        name: d.name,
        severity: d.severity,
        message: &d.message,
        label: (!d.primary.message.is_empty()).then_some(d.primary.message.as_str()),
        help: d.help.as_deref(),
        location: place(o, f, d.primary.span),
        related: d
            .secondary
            .iter()
            .map(|l| Related {
                message: &l.message,
                location: place(o, f, l.span),
            })
            .collect(),
    }
}

/// The JSON document, pretty-printed, with a final newline.
pub fn render_json(o: &ProbeOutcome) -> String {
    let empty = HashMap::new();
    let f = findings(o, &empty);
    let count = |s: Severity| o.diagnostics.iter().filter(|d| d.severity == s).count();
    let doc = Document {
        version: VERSION,
        tool: Tool::HTGUARD,
        url: o.url.to_string(),
        summary: Summary {
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            requests: o.exchanges.len(),
        },
        requests: o.exchanges.iter().map(|e| request_out(o, e)).collect(),
        findings: o
            .diagnostics
            .iter()
            .map(|d| finding_out(o, &f, d))
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc)
        .unwrap_or_else(|e| format!("{{\"version\":{VERSION},\"error\":{:?}}}", e.to_string()));
    s.push('\n');
    s
}
