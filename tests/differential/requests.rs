//! Random requests for a generated config: methods, hosts that match a vhost/server or
//! none, both addresses and ports, paths the config's sections are about and paths of
//! any site (misses, `..`, `%2e`, dotfiles), credentials right / wrong / none / unknown,
//! and the client address 127.0.0.1 or 127.0.0.2.

use super::apache_gen::Targets;
use super::layout;
use super::rng::Rng;
use super::tree::{PortSlot, Request};
use super::users;

const METHODS: &[(u32, &str)] = &[
    (50, "GET"),
    (8, "HEAD"),
    (14, "POST"),
    (8, "PUT"),
    (8, "OPTIONS"),
    (8, "DELETE"),
    (4, "PATCH"),
];

/// `count` distinct requests aimed at `targets`; `hosts` are names worth trying besides.
pub fn generate(rng: &mut Rng, targets: &Targets, hosts: &[&str], count: usize) -> Vec<Request> {
    let mut requests: Vec<Request> = Vec::new();
    let mut attempts = 0;
    while requests.len() < count && attempts < count * 4 {
        attempts += 1;
        let request = one(rng, targets, hosts);
        if !requests.contains(&request) {
            requests.push(request);
        }
    }
    requests
}

fn one(rng: &mut Rng, targets: &Targets, hosts: &[&str]) -> Request {
    let host = if !targets.hosts.is_empty() && rng.chance(0.6) {
        rng.pick(&targets.hosts)
    } else {
        rng.pick(hosts).to_owned()
    };
    let path = if !targets.paths.is_empty() && rng.chance(0.6) {
        rng.pick(&targets.paths)
    } else {
        rng.pick(layout::PATHS).to_owned()
    };
    // Mostly where something listens; now and then anywhere.
    let (to, port) = if !targets.listens.is_empty() && rng.chance(0.9) {
        let weighted: Vec<(u32, (&str, PortSlot))> = targets
            .listens
            .iter()
            .map(|&(addr, slot)| {
                (
                    if (addr, slot) == ("127.0.0.1", PortSlot::Port) {
                        4
                    } else {
                        1
                    },
                    (addr, slot),
                )
            })
            .collect();
        rng.weighted(&weighted)
    } else {
        let port = if rng.chance(0.5) {
            PortSlot::Port2
        } else {
            PortSlot::Port
        };
        (rng.pick(&["127.0.0.1", "127.0.0.2"]), port)
    };
    let address = |rng: &mut Rng, p: f64| {
        if rng.chance(p) {
            "127.0.0.2"
        } else {
            "127.0.0.1"
        }
        .to_owned()
    };
    let (user, password) = users::credentials(rng).unzip();
    Request {
        method: rng.weighted(METHODS).to_owned(),
        host,
        to: to.to_owned(),
        port,
        from: address(rng, 0.25),
        path,
        user,
        password,
    }
}
