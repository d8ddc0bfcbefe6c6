//! The probe's diagnoses, PB001–PB010: one file each, with its code, name, severity and
//! documentation (What it does / Why is this bad? / Example / Use instead / References),
//! like the rules. They are not check-time rules: `check` never runs them; `rules` and
//! `explain` list them beside the rules.

pub mod basic_over_http;
pub mod challenge_missing;
pub mod challenge_unanswerable;
pub mod config_disagrees;
pub mod credentials_not_forwarded;
pub mod credentials_rejected;
pub mod error_after_credentials;
pub mod forbidden_not_unauthorized;
pub mod open;
pub mod redirect_drops_credentials;

use super::plan::{Exchange, Purpose};
use super::prediction::Prediction;
use super::transcript::Transcript;
use super::url::Url;
use crate::diag::{Diagnostic, RuleInfo};
use crate::source::Sources;

/// A diagnosis: its documentation and the check over the evidence.
pub struct Diagnosis {
    pub info: RuleInfo,
    pub check: fn(&Evidence<'_>, &mut Vec<Diagnostic>),
}

/// Every diagnosis, in code order.
pub static ALL: &[&Diagnosis] = &[
    &credentials_rejected::DIAGNOSIS,
    &credentials_not_forwarded::DIAGNOSIS,
    &challenge_missing::DIAGNOSIS,
    &basic_over_http::DIAGNOSIS,
    &challenge_unanswerable::DIAGNOSIS,
    &forbidden_not_unauthorized::DIAGNOSIS,
    &redirect_drops_credentials::DIAGNOSIS,
    &error_after_credentials::DIAGNOSIS,
    &config_disagrees::DIAGNOSIS,
    &open::DIAGNOSIS,
];

/// The metadata of every diagnosis, in code order.
pub fn all_info() -> Vec<&'static RuleInfo> {
    ALL.iter().map(|d| &d.info).collect()
}

/// What the diagnoses look at.
pub struct Evidence<'a> {
    pub url: &'a Url,
    pub exchanges: &'a [Exchange],
    pub transcript: &'a Transcript,
    /// `--expect-login`: the URL must ask for a login.
    pub expect_login: bool,
    /// With `--config`: what the configuration predicts for each exchange (by index).
    pub predictions: Option<&'a [Prediction]>,
    /// The transcript and, with `--config`, the configuration files.
    pub sources: &'a Sources,
}

impl Evidence<'_> {
    /// Where `e` ends up: the request that followed its redirect on the same origin with
    /// the same credentials (`/admin` → `/admin/`), else `e` itself.
    pub fn settled<'e>(&'e self, e: &'e Exchange) -> &'e Exchange {
        self.exchanges
            .iter()
            .find(|x| {
                x.purpose == (Purpose::Redirect { from: e.n })
                    && x.sent == e.sent
                    && x.url.origin() == e.url.origin()
            })
            .unwrap_or(e)
    }

    /// The answer to the method and URL without credentials (after a same-origin
    /// redirect); the first request always answered.
    pub fn first(&self) -> &Exchange {
        self.settled(&self.exchanges[0])
    }

    /// The last answer to the given password (after a stale nonce, the retry; after a
    /// same-origin redirect, its target).
    pub fn given(&self) -> Option<&Exchange> {
        self.exchanges
            .iter()
            .rev()
            .find(|e| matches!(e.purpose, Purpose::Given | Purpose::FreshNonce))
            .map(|e| self.settled(e))
    }

    /// The answer to the wrong password (after a same-origin redirect, its target).
    pub fn wrong(&self) -> Option<&Exchange> {
        self.exchanges
            .iter()
            .find(|e| e.purpose == Purpose::Wrong)
            .map(|e| self.settled(e))
    }

    /// The answers to the requests with credentials (after same-origin redirects).
    pub fn with_credentials(&self) -> impl Iterator<Item = &Exchange> {
        self.exchanges
            .iter()
            .filter(|e| {
                matches!(
                    e.purpose,
                    Purpose::Given | Purpose::FreshNonce | Purpose::Wrong
                )
            })
            .map(|e| self.settled(e))
    }

    /// What the configuration predicts for exchange `n`, when `--config` was given.
    pub fn prediction(&self, n: usize) -> Option<&Prediction> {
        self.predictions?.get(n - 1)
    }

    /// The proxy headers seen in any answer, as `Name: value` (deduplicated).
    pub fn proxy_evidence(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for e in self.exchanges {
            for (n, v) in e.reply().map(|r| r.proxy_headers()).unwrap_or_default() {
                let s = format!("{n}: {v}");
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
        out
    }
}

/// Run every diagnosis over the evidence, in code order.
pub fn diagnose(ev: &Evidence<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for d in ALL {
        (d.check)(ev, &mut out);
    }
    out
}

#[cfg(test)]
mod tests;
