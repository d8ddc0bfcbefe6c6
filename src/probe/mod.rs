//! `htguard probe`: ask a live server a short, listed set of requests about one URL,
//! read each answer (status, challenges, proxy headers, redirects), and say which of the
//! well-known causes of a 401, 403 or 500 it is (PB001–PB010). With `--config`, every
//! request also goes through the request evaluator, and the findings name the deciding
//! configuration line.
//!
//! The HTTP client and the diagnoses live here; printing and exit codes in `cli::probe`,
//! rendering in `report::probe`.

pub mod challenge;
pub mod client;
pub mod diagnoses;
pub mod digest;
pub mod plan;
pub mod predict;
pub mod prediction;
pub mod reply;
pub mod transcript;
pub mod url;

use crate::diag::Diagnostic;
use crate::model::request::Credentials;
use crate::source::Sources;
use client::{Client, ClientError, ClientOptions};
use plan::Exchange;
use prediction::Prediction;
use transcript::Transcript;
use url::Url;

/// What to probe, and how.
pub struct ProbeOptions {
    pub url: Url,
    pub method: String,
    pub credentials: Option<Credentials>,
    pub client: ClientOptions,
    /// `--expect-login`: a 2xx without credentials is a finding (PB010).
    pub expect_login: bool,
    /// `--config`: the configurations to hold the answers against.
    pub config: Option<ConfigOptions>,
}

/// What `--config` loads, and who the client is as the server sees it.
pub struct ConfigOptions {
    /// The inputs and path options, as for `check` (rules and settings are not used).
    pub inputs: crate::check::CheckOptions,
    /// `--from`: the client's address (else this machine's address on the route).
    pub client: Option<std::net::IpAddr>,
}

/// The exchanges, the transcript they are shown in, and the findings.
pub struct ProbeOutcome {
    pub url: Url,
    pub exchanges: Vec<Exchange>,
    pub transcript: Transcript,
    /// The transcript (under the URL's name) and, with `--config`, the configuration.
    pub sources: Sources,
    pub predictions: Option<Vec<Prediction>>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Why the probe could not run (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error(transparent)]
    Unreachable(#[from] ClientError),
    #[error(transparent)]
    Config(#[from] predict::ConfigError),
}

/// Send the plan's requests (`seen` is told of each as it completes) and diagnose.
pub fn run(
    opts: &ProbeOptions,
    seen: &mut dyn FnMut(&Exchange),
) -> Result<ProbeOutcome, ProbeError> {
    // The configuration first: a bad --config sends no request.
    let mut configs = match &opts.config {
        Some(c) => Some(predict::Configs::load(&c.inputs)?),
        None => None,
    };
    let client = Client::new(&opts.client);
    let exchanges = plan::run(
        &client,
        &plan::PlanInput {
            url: &opts.url,
            method: &opts.method,
            credentials: opts.credentials.as_ref(),
        },
        seen,
    )?;
    let predictions = configs.as_mut().map(|c| {
        predict::predict(
            c,
            &exchanges,
            &predict::Asking {
                credentials: opts.credentials.as_ref(),
                resolve: &opts.client.resolve,
                client: opts.config.as_ref().and_then(|c| c.client),
            },
        )
    });
    let mut sources = configs.map(|c| c.sources).unwrap_or_default();
    let mut transcript = Transcript::new(&exchanges);
    transcript.add_to(&mut sources, &opts.url.to_string());
    let diagnostics = diagnoses::diagnose(&diagnoses::Evidence {
        url: &opts.url,
        exchanges: &exchanges,
        transcript: &transcript,
        expect_login: opts.expect_login,
        predictions: predictions.as_deref(),
        sources: &sources,
    });
    Ok(ProbeOutcome {
        url: opts.url.clone(),
        exchanges,
        transcript,
        sources,
        predictions,
        diagnostics,
    })
}
