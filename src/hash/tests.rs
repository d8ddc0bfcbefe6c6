//! Unit tests across schemes: identification, every malformed reason, generate's range
//! errors and warnings, and never-panic properties.

use proptest::prelude::*;

use super::*;

const BCRYPT_OK: &str = "$2y$04$abcdefghijklmnopqrstuuyvPXIbu7xe6/CED2DzX8z6Si09MlzlW";
const SHA512_OK: &str = "$6$salt$AkOOBO38SQQ8T8Q46KuCONe.8zg41nvCDKDq7pVQd2n2hy8sf8aR3G89VY.57up0eSIa/69odCCcLT4hx7FpW/";

fn reason(hash: &[u8]) -> String {
    match identify(hash).malformed {
        Some(m) => m.reason,
        None => panic!("{:?} should be malformed", String::from_utf8_lossy(hash)),
    }
}

fn well_formed(hash: &[u8]) -> HashInfo {
    let info = identify(hash);
    assert_eq!(
        info.malformed,
        None,
        "{:?} should be well-formed",
        String::from_utf8_lossy(hash)
    );
    info
}

#[test]
fn scheme_names_round_trip() {
    for s in Scheme::ALL {
        assert_eq!(Scheme::from_name(s.name()), Some(s));
    }
    let names: Vec<_> = Scheme::ALL.iter().map(|s| s.name()).collect();
    assert_eq!(
        names,
        [
            "bcrypt",
            "sha512",
            "sha256",
            "apr1",
            "md5-crypt",
            "crypt",
            "sha1",
            "plain"
        ]
    );
    assert_eq!(Scheme::from_name("BCRYPT"), None);
    assert_eq!(Scheme::from_name("md5"), None);
    let weak: Vec<_> = Scheme::ALL.into_iter().filter(|s| s.is_weak()).collect();
    assert_eq!(weak, [Scheme::DesCrypt, Scheme::Sha1, Scheme::Plain]);
}

#[test]
fn identifies_each_kind_and_params() {
    let b = well_formed(BCRYPT_OK.as_bytes());
    assert_eq!(
        b.kind,
        Kind::Bcrypt {
            variant: BcryptVariant::Y
        }
    );
    assert_eq!(b.params.cost, Some(4));
    let s = well_formed(SHA512_OK.as_bytes());
    assert_eq!(s.kind, Kind::Sha512Crypt);
    assert_eq!(s.params.rounds, Some(5000));
    assert!(!s.params.rounds_explicit);
    let r = well_formed(b"$6$rounds=1000$salt$d7eV9s8slZkQfSpeUNlCmopaL.Tpt4XY61764aINp2KRzpE5Z1iZ0R2WyFPpdxHBQpj2PwPDM2H3NdKLRu/Ax/");
    assert_eq!(r.params.rounds, Some(1000));
    assert!(r.params.rounds_explicit);
    assert_eq!(
        well_formed(b"$apr1$saltsalt$LrttParrLPdxvgutaSXWJ0").kind,
        Kind::Apr1
    );
    assert_eq!(
        well_formed(b"$1$5pZSV9va$azfrPr6af3Fc7dLblQXVa0").kind,
        Kind::Md5Crypt
    );
    assert_eq!(
        well_formed(b"$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5").kind,
        Kind::Sha256Crypt
    );
    assert_eq!(
        well_formed(b"$y$j9T$salt$dW/ZQzS5Sjx6o2X5peDjRBUCSuAlRR0HUcaKQ6.Z0TA").kind,
        Kind::Yescrypt
    );
    assert_eq!(well_formed(b"abzlUXK5ed5rs").kind, Kind::DesCrypt);
    assert_eq!(
        well_formed(b"{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=").kind,
        Kind::Sha1
    );
    assert_eq!(well_formed(b"{PLAIN}secret").kind, Kind::PlainPrefixed);
    assert_eq!(well_formed(b"secret").kind, Kind::Unknown);
    assert_eq!(
        well_formed(b"$gy$j9T$abc$def").kind,
        Kind::OtherCrypt {
            prefix: "$gy$".into()
        }
    );
    // Prefixes are case-sensitive, as the servers' strncmp.
    assert_eq!(
        well_formed(b"{sha}5en6G6MezRroT3XKqkdPOmY/BfQ=").kind,
        Kind::Unknown
    );
    assert_eq!(identify(b"*0").kind, Kind::CryptFailureToken);
    assert_eq!(identify(b"").kind, Kind::Empty);
}

#[test]
fn bcrypt_malformed_reasons() {
    assert_eq!(
        reason(&BCRYPT_OK.as_bytes()[..40]),
        "bcrypt hash is 40 characters, expected 60"
    );
    assert_eq!(
        reason(BCRYPT_OK.replace("$04$", "$03$").as_bytes()),
        "cost 03 is outside 04..31"
    );
    assert_eq!(
        reason(BCRYPT_OK.replace("$04$", "$32$").as_bytes()),
        "cost 32 is outside 04..31"
    );
    assert_eq!(
        reason(BCRYPT_OK.replace("$04$", "$4$").as_bytes()),
        "cost `4` is not two digits (04..31)"
    );
    assert_eq!(reason(b"$2y$10"), "truncated: no `$` after the bcrypt cost");
    let mut bad_salt = BCRYPT_OK.as_bytes().to_vec();
    bad_salt[11] = b'!';
    assert_eq!(
        reason(&bad_salt),
        "invalid character at position 12 in the salt"
    );
    let mut bad_sum = BCRYPT_OK.as_bytes().to_vec();
    bad_sum[40] = 0x01;
    assert_eq!(
        reason(&bad_sum),
        "invalid character '\\x01' at position 41 in the checksum"
    );
    // libxcrypt normalizes a salt ending in 'v' to 'u' (observed), so the text never matches.
    let v = BCRYPT_OK.replacen("stuuyv", "stuvyv", 1);
    assert!(
        reason(v.as_bytes()).starts_with("the salt's last character is one bcrypt cannot produce")
    );
    let mut last = BCRYPT_OK.as_bytes().to_vec();
    last[59] = b'X';
    assert!(
        reason(&last).starts_with("the checksum's last character is one bcrypt never produces")
    );
    // An unknown variant letter is not bcrypt.
    assert!(matches!(
        identify(b"$2c$04$x").kind,
        Kind::OtherCrypt { .. }
    ));
}

#[test]
fn sha_crypt_malformed_reasons() {
    let with = |r: &str| {
        format!(
            "$6$rounds={r}$salt$AkOOBO38SQQ8T8Q46KuCONe.8zg41nvCDKDq7pVQd2n2hy8sf8aR3G89VY.57up0eSIa/69odCCcLT4hx7FpW/"
        )
    };
    assert_eq!(
        reason(with("500").as_bytes()),
        "rounds=500 is below the minimum 1000 (glibc clamps it, libxcrypt rejects it: no \
         password matches)"
    );
    assert!(
        reason(with("1000000000").as_bytes())
            .starts_with("rounds=1000000000 is above the maximum 999999999")
    );
    assert!(reason(with("05000").as_bytes()).starts_with("rounds=05000 has a leading zero"));
    assert_eq!(
        reason(with("abc").as_bytes()),
        "the rounds= value is not a number"
    );
    assert_eq!(
        reason(with("").as_bytes()),
        "the rounds= value is not a number"
    );
    assert!(identify(with("500").as_bytes()).params.rounds_explicit);
    assert_eq!(
        reason(b"$6$salt"),
        "truncated: no `$` and checksum after the $6$ salt"
    );
    assert_eq!(
        reason(b"$6$saltsaltsaltsaltsalt$x"),
        "salt is 20 characters; crypt uses only the first 16, so no password matches"
    );
    assert_eq!(
        reason(b"$6$sa!t$x"),
        "invalid character at position 6 in the salt"
    );
    assert_eq!(
        reason(&SHA512_OK.as_bytes()[..50]),
        "$6$ checksum is 42 characters, expected 86 (truncated?)"
    );
    let mut end = SHA512_OK.as_bytes().to_vec();
    *end.last_mut().unwrap() = b'z';
    assert!(
        reason(&end).starts_with("the checksum's last character is one crypt() never produces")
    );
    assert_eq!(
        reason(b"$5$salt$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5$extra"),
        "$5$ checksum is 49 characters, expected 43"
    );
}

#[test]
fn md5_family_malformed_reasons() {
    assert_eq!(
        reason(b"$1$saltsaltsalt$x"),
        "salt is 12 characters; crypt uses only the first 8, so no password matches"
    );
    assert_eq!(
        reason(b"$1$sa!t$6SNdNaZLKst2LlSm7oPPL1"),
        "invalid character at position 6 in the salt"
    );
    assert_eq!(
        reason(b"$1$salt"),
        "truncated: no `$` and checksum after the $1$ salt"
    );
    // APR and nginx accept any salt bytes for apr1.
    assert_eq!(
        identify(b"$apr1$sa!t$LrttParrLPdxvgutaSXWJ0").malformed,
        None
    );
    assert_eq!(
        reason(b"$apr1$saltsalt$LrttParrLPdxvguta"),
        "$apr1$ checksum is 17 characters, expected 22 (truncated?)"
    );
    assert!(
        reason(b"$apr1$saltsalt$LrttParrLPdxvgutaSXWJz")
            .starts_with("the checksum's last character is one crypt() never produces")
    );
}

#[test]
fn sha1_ssha_malformed_reasons() {
    assert_eq!(
        reason(b"{SHA}not base64!"),
        "{SHA} value is not valid base64"
    );
    assert_eq!(
        reason(b"{SHA}5en6G6MezRroT3XKqkdPOmY/BQ=="),
        "{SHA} digest is 19 bytes, expected 20"
    );
    assert!(
        reason(b"{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ")
            .starts_with("{SHA} value is base64 but not in the exact form")
    );
    assert_eq!(
        reason(b"{SSHA}AAAA"),
        "{SSHA} value is 3 bytes, expected a 20-byte digest plus the salt"
    );
    assert_eq!(reason(b"{SSHA}@@@@"), "{SSHA} value is not valid base64");
}

#[test]
fn des_tokens_empty_and_nul() {
    assert!(reason(b"abzlUXK5ed5rt").contains("crypt() never ends one with this last character"));
    assert!(reason(b"").starts_with("the hash field is empty"));
    assert!(reason(b"*0").starts_with("`*0` is the failure token"));
    assert!(reason(b"*1").starts_with("`*1` is the failure token"));
    assert_eq!(
        reason(b"sec\0ret"),
        "contains a NUL byte at position 4: the servers stop reading there"
    );
    assert_eq!(
        reason(b"$y$j9T$salt"),
        "truncated: expected $y$params$salt$checksum"
    );
}

#[test]
fn verify_reports_malformed_and_plaintext() {
    assert!(matches!(
        verify(b"x", &BCRYPT_OK.as_bytes()[..40]),
        Err(VerifyError::Malformed(_))
    ));
    assert_eq!(verify(b"pw", BCRYPT_OK.as_bytes()), Ok(true));
    assert_eq!(verify(b"pw\0ignored", BCRYPT_OK.as_bytes()), Ok(true));
    assert_eq!(verify(b"pW", BCRYPT_OK.as_bytes()), Ok(false));
    assert_eq!(verify(b"secret", b"secret"), Ok(true));
    assert_eq!(verify(b"secreT", b"secret"), Ok(false));
    assert_eq!(verify(b"secret", b"{PLAIN}secret"), Ok(true));
    assert_eq!(verify(b"{PLAIN}secret", b"{PLAIN}secret"), Ok(false));
    assert!(matches!(verify(b"", b""), Err(VerifyError::Malformed(_))));
    assert!(matches!(
        verify(b"pw", b"$zz$abc$def"),
        Err(VerifyError::Unsupported { .. })
    ));
}

#[test]
fn generate_defaults_and_formats() {
    let g = generate(Scheme::Bcrypt, b"pw", &Params::default()).unwrap();
    assert!(g.hash.starts_with("$2y$10$"), "{}", g.hash);
    assert!(g.warnings.is_empty());
    let s = generate(Scheme::Sha512Crypt, b"pw", &Params::default()).unwrap();
    assert!(
        s.hash.starts_with("$6$") && !s.hash.contains("rounds="),
        "{}",
        s.hash
    );
    let r = generate(
        Scheme::Sha256Crypt,
        b"pw",
        &Params {
            rounds: Some(1000),
            cost: None,
        },
    )
    .unwrap();
    assert!(r.hash.starts_with("$5$rounds=1000$"), "{}", r.hash);
    let explicit_default = generate(
        Scheme::Sha512Crypt,
        b"pw",
        &Params {
            rounds: Some(5000),
            cost: None,
        },
    )
    .unwrap();
    assert!(!explicit_default.hash.contains("rounds="));
    for scheme in Scheme::ALL {
        let g = generate(scheme, b"Pa55-word", &Params::default()).unwrap();
        let info = identify(g.hash.as_bytes());
        assert_eq!(info.malformed, None, "{scheme}: {}", g.hash);
        assert_eq!(info.kind.scheme(), Some(scheme), "{scheme}: {}", g.hash);
        assert_eq!(
            verify(b"Pa55-word", g.hash.as_bytes()),
            Ok(true),
            "{scheme}"
        );
        assert_eq!(
            verify(b"pa55-word", g.hash.as_bytes()),
            Ok(false),
            "{scheme}"
        );
        assert_eq!(
            g.warnings.contains(&HashWarning::WeakScheme { scheme }),
            scheme.is_weak()
        );
    }
    // Salts are random.
    let a = generate(Scheme::Apr1, b"pw", &Params::default()).unwrap();
    let b = generate(Scheme::Apr1, b"pw", &Params::default()).unwrap();
    assert_ne!(a.hash, b.hash);
}

#[test]
fn generate_range_errors() {
    let cost = |c| Params {
        cost: Some(c),
        rounds: None,
    };
    let rounds = |r| Params {
        cost: None,
        rounds: Some(r),
    };
    assert_eq!(
        generate(Scheme::Bcrypt, b"pw", &cost(3)),
        Err(HashError::CostOutOfRange(3))
    );
    assert_eq!(
        generate(Scheme::Bcrypt, b"pw", &cost(32)),
        Err(HashError::CostOutOfRange(32))
    );
    assert_eq!(
        HashError::CostOutOfRange(3).to_string(),
        "bcrypt cost 3 is outside 4..31"
    );
    assert!(generate(Scheme::Bcrypt, b"pw", &cost(4)).is_ok());
    assert_eq!(
        generate(Scheme::Sha512Crypt, b"pw", &rounds(999)),
        Err(HashError::RoundsOutOfRange(999))
    );
    assert_eq!(
        generate(Scheme::Sha256Crypt, b"pw", &rounds(1_000_000_000)),
        Err(HashError::RoundsOutOfRange(1_000_000_000))
    );
    assert!(matches!(
        generate(Scheme::Apr1, b"pw", &cost(10)),
        Err(HashError::ParamNotApplicable { param: "cost", .. })
    ));
    assert!(matches!(
        generate(Scheme::Bcrypt, b"pw", &rounds(5000)),
        Err(HashError::ParamNotApplicable {
            param: "rounds",
            ..
        })
    ));
    assert_eq!(
        generate(Scheme::Sha1, b"p\0w", &Params::default()),
        Err(HashError::PasswordContainsNul)
    );
    assert_eq!(
        generate(Scheme::Plain, b"a:b", &Params::default()),
        Err(HashError::PlaintextUnsafe("':'"))
    );
    assert!(matches!(
        generate(Scheme::Plain, b"{SHA}abc", &Params::default()),
        Err(HashError::PlaintextUnsafe(_))
    ));
    assert!(matches!(
        generate(Scheme::Plain, b"abcdefghijklm", &Params::default()),
        Err(HashError::PlaintextUnsafe(_))
    ));
}

#[test]
fn generate_warnings() {
    let long = vec![b'a'; 73];
    let g = generate(
        Scheme::Bcrypt,
        &long,
        &Params {
            cost: Some(4),
            rounds: None,
        },
    )
    .unwrap();
    assert_eq!(
        g.warnings,
        [HashWarning::PasswordTruncated {
            scheme: Scheme::Bcrypt,
            len: 73,
            max_bytes: 72
        }]
    );
    assert!(g.warnings[0].to_string().contains("only the first 72"));
    // …and it really is truncated: byte 73 does not matter.
    let mut other = long.clone();
    other[72] = b'b';
    assert_eq!(verify(&other, g.hash.as_bytes()), Ok(true));
    let exactly = generate(
        Scheme::Bcrypt,
        &long[..72],
        &Params {
            cost: Some(4),
            rounds: None,
        },
    )
    .unwrap();
    assert!(exactly.warnings.is_empty());

    let d = generate(Scheme::DesCrypt, b"secret12345", &Params::default()).unwrap();
    assert_eq!(
        d.warnings,
        [
            HashWarning::PasswordTruncated {
                scheme: Scheme::DesCrypt,
                len: 11,
                max_bytes: 8
            },
            HashWarning::WeakScheme {
                scheme: Scheme::DesCrypt
            }
        ]
    );
    assert_eq!(verify(b"secret12", d.hash.as_bytes()), Ok(true));
    let d8 = generate(Scheme::DesCrypt, b"secret12", &Params::default()).unwrap();
    assert_eq!(
        d8.warnings,
        [HashWarning::WeakScheme {
            scheme: Scheme::DesCrypt
        }]
    );
    let hi = generate(Scheme::DesCrypt, "héllo".as_bytes(), &Params::default()).unwrap();
    assert!(hi.warnings.contains(&HashWarning::DesDropsHighBit));
    let e = generate(Scheme::Sha512Crypt, b"", &Params::default()).unwrap();
    assert_eq!(e.warnings, [HashWarning::EmptyPassword]);
    for s in [Scheme::Sha1, Scheme::Plain] {
        let g = generate(s, b"pw", &Params::default()).unwrap();
        assert_eq!(g.warnings, [HashWarning::WeakScheme { scheme: s }]);
    }
}

#[test]
fn strength_levels() {
    use super::strength::Strength;
    let s = |h: &[u8]| strength(&identify(h));
    assert_eq!(s(SHA512_OK.as_bytes()), Strength::Strong);
    assert!(matches!(s(BCRYPT_OK.as_bytes()), Strength::Weak(_)));
    let cost = |c: &str| BCRYPT_OK.replace("$04$", &format!("${c}$"));
    assert!(matches!(s(cost("09").as_bytes()), Strength::Legacy(_)));
    assert_eq!(s(cost("10").as_bytes()), Strength::Strong);
    // The threshold follows the measured base: cost 10 × 2^k > 250 ms.
    let first_slow = (10..=31)
        .find(|&c| bcrypt_request_ms(c) > SLOW_REQUEST_MS)
        .unwrap();
    assert!(matches!(
        s(cost(&format!("{first_slow:02}")).as_bytes()),
        Strength::Slow(_)
    ));
    assert_eq!(
        s(cost(&format!("{:02}", first_slow - 1)).as_bytes()),
        Strength::Strong
    );
    assert!(matches!(
        s(b"$apr1$saltsalt$LrttParrLPdxvgutaSXWJ0"),
        Strength::Legacy(_)
    ));
    assert!(matches!(
        s(b"$1$5pZSV9va$azfrPr6af3Fc7dLblQXVa0"),
        Strength::Legacy(_)
    ));
    for weak in [
        &b"abzlUXK5ed5rs"[..],
        b"{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=",
        b"secret",
        b"{PLAIN}secret",
    ] {
        assert!(matches!(s(weak), Strength::Weak(_)), "{weak:?}");
    }
    assert!(matches!(s(b"*0"), Strength::Unusable(_)));
    assert!(matches!(
        s(&BCRYPT_OK.as_bytes()[..40]),
        Strength::Unusable(_)
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn identify_and_verify_never_panic(hash in proptest::collection::vec(any::<u8>(), 0..120),
                                       pw in proptest::collection::vec(any::<u8>(), 0..20)) {
        let info = identify(&hash);
        let _ = strength(&info);
        // Costly inputs would be slow, not wrong: keep random bcrypt costs and SHA rounds
        // cheap, and leave random yescrypt/scrypt parameters (memory size!) out.
        let cheap = info.params.cost.is_none_or(|c| c <= 6)
            && info.params.rounds.is_none_or(|r| r <= 20_000)
            && !matches!(info.kind, Kind::Yescrypt | Kind::OtherCrypt { .. });
        if cheap {
            let _ = verify(&pw, &hash);
        }
    }

    #[test]
    fn prefixed_garbage_never_panics(tail in "[ -~]{0,70}", pw in "[ -~]{0,10}") {
        for prefix in ["$2y$04$", "$2a$05$", "$2x$", "$apr1$", "$1$", "$5$", "$6$rounds=1000$",
                       "$6$rounds=", "$y$j9T$", "{SHA}", "{SSHA}", "{PLAIN}", "$gy$j9T$"] {
            let hash = format!("{prefix}{tail}");
            let info = identify(hash.as_bytes());
            let _ = strength(&info);
            let _ = verify(pw.as_bytes(), hash.as_bytes());
        }
    }
}

#[test]
fn kind_of_agrees_with_identify() {
    for h in [
        BCRYPT_OK,
        SHA512_OK,
        "$apr1$",
        "$apr1$x",
        "$apr1$saltsalt$LrttParrLPdxvgutaSXWJ0",
        "$apr1$a\0b$c",
        "$1$",
        "$1$5pZSV9va$azfrPr6af3Fc7dLblQXVa0",
        "$2y$",
        "$2y$1",
        "$2q$10$x",
        "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=",
        "abJnggxhB/yWI",
        "",
        "*0",
        "plain",
    ] {
        assert_eq!(kind_of(h.as_bytes()), identify(h.as_bytes()).kind, "{h:?}");
    }
}

proptest! {
    #[test]
    fn kind_of_agrees_with_identify_on_fast_prefixes(
        prefix in prop::sample::select(vec!["$apr1$", "$1$", "$2a$", "$2b$", "$2x$", "$2y$", "$2y$04$", "$2"]),
        tail in proptest::collection::vec(any::<u8>(), 0..70),
    ) {
        let h = [prefix.as_bytes(), &tail].concat();
        prop_assert_eq!(kind_of(&h), identify(&h).kind);
    }
}
