//! Reading the input of `user import`: `user:password` lines, or CSV `user,password`
//! (RFC 4180 quoting) with an optional header row.

use super::secret::Secret;
use zeroize::Zeroizing;

/// How the import input is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// Decide from the content: a `user,password` header row (or a `.csv` name) means CSV,
    /// anything else is `user:password` lines.
    Auto,
    /// `user:password` per line; the password is everything after the first colon.
    Colon,
    /// `user,password` per line, RFC 4180 quoting.
    Csv,
}

/// One user to import.
#[derive(Debug)]
pub struct ImportRecord {
    /// 1-based line number in the input, for error messages.
    pub line: usize,
    pub user: Vec<u8>,
    pub password: Secret,
}

/// Why the input cannot be imported (nothing is written).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImportError {
    #[error("line {line}: {reason}")]
    Line { line: usize, reason: String },
    #[error("line {line}: user {user} appears again (first on line {first}); each user once")]
    Duplicate {
        line: usize,
        first: usize,
        user: String,
    },
    #[error("the input holds no users")]
    Empty,
}

/// Parse the whole input. `name_hint` is the input file's name, used by `Auto`.
pub fn parse(
    input: &[u8],
    format: InputFormat,
    name_hint: Option<&str>,
) -> Result<Vec<ImportRecord>, ImportError> {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let lines = split_lines(input);
    let first_data = lines.iter().position(|l| !skip(l));
    let header = first_data.filter(|&i| is_header(lines[i]));
    let csv = match format {
        InputFormat::Csv => true,
        InputFormat::Colon => false,
        InputFormat::Auto => {
            header.is_some() || name_hint.is_some_and(|n| n.to_ascii_lowercase().ends_with(".csv"))
        }
    };
    let mut records: Vec<ImportRecord> = Vec::new();
    let mut seen: std::collections::HashMap<Vec<u8>, usize> = std::collections::HashMap::new();
    for (i, raw) in lines.iter().enumerate() {
        let line = i + 1;
        if skip(raw) || (csv && header == Some(i)) {
            continue;
        }
        let (user, password) = if csv {
            csv_pair(raw, line)?
        } else {
            colon_pair(raw, line)?
        };
        check_user(&user, line)?;
        if password.is_empty() {
            return Err(ImportError::Line {
                line,
                reason: "empty password".into(),
            });
        }
        if let Some(&first) = seen.get(&user) {
            return Err(ImportError::Duplicate {
                line,
                first,
                user: String::from_utf8_lossy(&user).into_owned(),
            });
        }
        seen.insert(user.clone(), line);
        records.push(ImportRecord {
            line,
            user,
            password,
        });
    }
    if records.is_empty() {
        return Err(ImportError::Empty);
    }
    Ok(records)
}

/// A user name the servers can look up: not empty, no `:`, no control characters, ≤ 255 bytes.
pub fn user_name_problem(user: &[u8]) -> Option<&'static str> {
    if user.is_empty() {
        Some("empty user name")
    } else if user.contains(&b':') {
        Some("user name contains ':' (the field separator)")
    } else if user.iter().any(|b| b.is_ascii_control()) {
        Some("user name contains a control character")
    } else if user.len() > 255 {
        Some("user name longer than 255 bytes")
    } else if user[0] == b'#' {
        Some("user name starts with '#' (the servers read that line as a comment)")
    } else if user[0].is_ascii_whitespace() || user[user.len() - 1].is_ascii_whitespace() {
        Some("user name starts or ends with white space (Apache trims it, nginx does not)")
    } else {
        None
    }
}

fn check_user(user: &[u8], line: usize) -> Result<(), ImportError> {
    match user_name_problem(user) {
        Some(reason) => Err(ImportError::Line {
            line,
            reason: reason.into(),
        }),
        None => Ok(()),
    }
}

/// Lines without their LF / CRLF.
fn split_lines(input: &[u8]) -> Vec<&[u8]> {
    let mut v: Vec<&[u8]> = input
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .collect();
    if input.ends_with(b"\n") {
        v.pop();
    }
    v
}

fn skip(line: &[u8]) -> bool {
    let t = line.trim_ascii();
    t.is_empty() || t.starts_with(b"#")
}

fn is_header(line: &[u8]) -> bool {
    let Some((a, b)) = split_first(line, b',') else {
        return false;
    };
    let a = a.trim_ascii().to_ascii_lowercase();
    let b = b.trim_ascii().to_ascii_lowercase();
    let a = a
        .strip_prefix(b"\"")
        .and_then(|x| x.strip_suffix(b"\""))
        .unwrap_or(&a);
    let b = b
        .strip_prefix(b"\"")
        .and_then(|x| x.strip_suffix(b"\""))
        .unwrap_or(&b);
    matches!(a, b"user" | b"username" | b"user name" | b"login" | b"name")
        && matches!(b, b"password" | b"pass" | b"passwd" | b"pw")
}

fn split_first(line: &[u8], sep: u8) -> Option<(&[u8], &[u8])> {
    let i = line.iter().position(|&b| b == sep)?;
    Some((&line[..i], &line[i + 1..]))
}

fn colon_pair(line: &[u8], n: usize) -> Result<(Vec<u8>, Secret), ImportError> {
    match split_first(line, b':') {
        Some((u, p)) => Ok((u.to_vec(), Zeroizing::new(p.to_vec()))),
        None => Err(ImportError::Line {
            line: n,
            reason: "expected user:password".into(),
        }),
    }
}

fn csv_pair(line: &[u8], n: usize) -> Result<(Vec<u8>, Secret), ImportError> {
    let fields = csv_fields(line).map_err(|reason| ImportError::Line {
        line: n,
        reason: reason.into(),
    })?;
    match <[Zeroizing<Vec<u8>>; 2]>::try_from(fields) {
        Ok([user, password]) => Ok((user.to_vec(), password)),
        Err(fields) => Err(ImportError::Line {
            line: n,
            reason: format!(
                "expected 2 CSV fields (user,password), found {}",
                fields.len()
            ),
        }),
    }
}

/// Split one CSV record (no embedded newlines) into fields, unquoting `"..."` and `""`.
fn csv_fields(line: &[u8]) -> Result<Vec<Zeroizing<Vec<u8>>>, &'static str> {
    let mut fields = Vec::new();
    let mut field = Zeroizing::new(Vec::new());
    let mut i = 0;
    let mut quoted = false;
    let mut was_quoted = false;
    while i < line.len() {
        let c = line[i];
        if quoted {
            if c == b'"' {
                if line.get(i + 1) == Some(&b'"') {
                    field.push(b'"');
                    i += 1;
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else if c == b'"' && field.is_empty() && !was_quoted {
            quoted = true;
            was_quoted = true;
        } else if c == b',' {
            fields.push(std::mem::replace(&mut field, Zeroizing::new(Vec::new())));
            was_quoted = false;
        } else if was_quoted {
            return Err("text after a closing quote");
        } else {
            field.push(c);
        }
        i += 1;
    }
    if quoted {
        return Err("unterminated quoted field");
    }
    fields.push(field);
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users(r: &[ImportRecord]) -> Vec<(String, String)> {
        r.iter()
            .map(|r| {
                (
                    String::from_utf8_lossy(&r.user).into_owned(),
                    String::from_utf8_lossy(&r.password).into_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn colon_lines_keep_colons_in_passwords() {
        let r = parse(b"# c\nalice:pa:ss\r\n\nbob:x\n", InputFormat::Auto, None).unwrap();
        assert_eq!(
            users(&r),
            [("alice".into(), "pa:ss".into()), ("bob".into(), "x".into())]
        );
        assert_eq!(r[1].line, 4);
    }

    #[test]
    fn csv_with_header_and_quotes() {
        let input = b"user,password\nalice,\"a,\"\"b\"\"\"\nbob,plain\n";
        let r = parse(input, InputFormat::Auto, None).unwrap();
        assert_eq!(
            users(&r),
            [
                ("alice".into(), "a,\"b\"".into()),
                ("bob".into(), "plain".into())
            ]
        );
        // Without a header, a .csv name selects CSV.
        let r = parse(b"carol,pw\n", InputFormat::Auto, Some("x.CSV")).unwrap();
        assert_eq!(users(&r), [("carol".into(), "pw".into())]);
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(
            parse(b"alice:x\nbob\n", InputFormat::Colon, None).unwrap_err(),
            ImportError::Line {
                line: 2,
                reason: "expected user:password".into()
            }
        );
        assert!(matches!(
            parse(b"a:x\na:y\n", InputFormat::Colon, None).unwrap_err(),
            ImportError::Duplicate {
                line: 2,
                first: 1,
                ..
            }
        ));
        assert!(matches!(
            parse(b"a,b,c\n", InputFormat::Csv, None).unwrap_err(),
            ImportError::Line { line: 1, .. }
        ));
        assert!(matches!(
            parse(b"a:\n", InputFormat::Colon, None).unwrap_err(),
            ImportError::Line { line: 1, .. }
        ));
        assert_eq!(
            parse(b"\n# only\n", InputFormat::Auto, None).unwrap_err(),
            ImportError::Empty
        );
    }

    #[test]
    fn any_bytes_never_panic() {
        for input in [
            &b"\xff\xfe:\x00"[..],
            b"\"",
            b",,,",
            b"\r\r\n:",
            b"\xEF\xBB\xBF",
        ] {
            let _ = parse(input, InputFormat::Auto, None);
            let _ = parse(input, InputFormat::Csv, None);
        }
    }
}
