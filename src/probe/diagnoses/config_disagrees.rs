//! PB009: the live answer differs from what the configuration predicts.

use super::{Diagnosis, Evidence};
use crate::diag::{Diagnostic, Family, RuleInfo, Severity};

pub static DIAGNOSIS: Diagnosis = Diagnosis {
    info: RuleInfo {
        code: "PB009",
        name: "config-disagrees",
        family: Family::Probe,
        severity: Severity::Error,
        summary: "with --config: a live status differs from the status the configuration predicts",
        doc: r#"## What it does
With `--config`, runs every probe request through the request evaluator (`htguard why`)
as well, and reports each request whose live status differs from the predicted one, with
the line that decided the prediction.

## Why is this bad?
The server that answers is not running the configuration at hand: it was not deployed or
not reloaded, another server or vhost answers (a proxy, a CDN, a default server that
catches the Host), or the files it reads differ from those checked. Every conclusion drawn
from the configuration is then about another server.

## Example
```console
$ htguard probe https://example.org/admin/ --config /srv/staging/apache2
error[PB009]: request 1 got 200; the configuration predicts 401 from <Location /admin>
```

## Use instead
Deploy and reload the configuration (`apachectl graceful`, `nginx -s reload`), or pass
`--config` the configuration the server really runs, and the `--resolve` address of the
server meant.

## References
- https://httpd.apache.org/docs/2.4/stopping.html
- https://nginx.org/en/docs/control.html
"#,
    },
    check,
};

fn check(ev: &Evidence<'_>, out: &mut Vec<Diagnostic>) {
    let Some(predictions) = ev.predictions else {
        return;
    };
    let pairs: Vec<_> = ev
        .exchanges
        .iter()
        .zip(predictions)
        .filter(|(e, _)| e.status().is_some())
        .collect();
    // Nothing configured listens there: another server answers (only on the probed
    // origin: a redirect may well lead to a server outside the configuration).
    let unheard: Vec<_> = pairs
        .iter()
        .filter(|(e, p)| !p.listens && e.url.origin() == ev.url.origin())
        .collect();
    let t = ev.transcript;
    if let Some((e, p)) = unheard.first() {
        let mut d = Diagnostic::new(
            &DIAGNOSIS.info,
            t.status(e.n),
            format!("{} answers, but {}", e.url.origin(), p.summary),
        )
        .label(format!("live: {}", e.status().unwrap_or(0)))
        .help(
            "the server that answers is not in this configuration: check its Listen / listen \
             lines, or give --config the configuration of the server at this address (and \
             --resolve the address meant)",
        );
        for (other, _) in &unheard[1..] {
            d = d.with_secondary(
                t.status(other.n),
                format!("live: {}", other.status().unwrap_or(0)),
            );
        }
        out.push(d);
    }
    let differ: Vec<_> = pairs
        .iter()
        .filter(|(e, p)| p.listens && p.status.is_some_and(|s| Some(s) != e.status()))
        .collect();
    let Some((e, p)) = differ.first() else {
        return;
    };
    let live = e.status().unwrap_or(0);
    let mut d = Diagnostic::new(
        &DIAGNOSIS.info,
        t.status(e.n),
        format!(
            "request {} ({}) got {live}; the configuration predicts {}",
            e.n,
            e.sent.describe(),
            p.summary
        ),
    )
    .label(format!("live: {live}"));
    if let Some(line) = p.decided_by {
        d = d.with_secondary(line, format!("predicts {}", p.status.unwrap_or(0)));
    }
    for (other, q) in &differ[1..] {
        d = d.with_secondary(
            t.status(other.n),
            format!(
                "live: {}; predicted: {}",
                other.status().unwrap_or(0),
                q.status.unwrap_or(0)
            ),
        );
    }
    out.push(d.help(
        "the server that answers does not run this configuration: deploy and reload it, \
         or give --config the configuration it runs (and --resolve the address meant)",
    ));
}
