#!/usr/bin/env python3
"""Regenerate src/model/apache/directives.tsv from an httpd 2.4 source tree.

Usage: scripts/gen-apache-directives.py HTTPD_SRC > src/model/apache/directives.tsv

Reads every module's command table (the AP_INIT_* entries of its command_rec, and
mod_ssl's SSL_CMD_* wrappers around them) and writes one line per directive:
name, module id (as LoadModule names it), the AllowOverride classes that let it into a
`.htaccess` (comma-separated, `-` for none: the directive is "not allowed here" in any
`.htaccess`), and the argument form (TAKE1, RAW_ARGS, ...). Modules that define no
directive get one line with the name `-`.
"""
import os
import re
import sys

# Files whose command table belongs to a module declared in another file.
MODULE_OF_FILE = {
    "h2_config.c": "http2_module",
    "mod_dav.c": "dav_module",
    "mod_md_config.c": "md_module",
}
# Override bits (include/http_config.h) and the AllowOverride keyword of each class.
CLASSES = [
    ("OR_LIMIT", "Limit"),
    ("OR_OPTIONS", "Options"),
    ("OR_FILEINFO", "FileInfo"),
    ("OR_AUTHCFG", "AuthConfig"),
    ("OR_INDEXES", "Indexes"),
]
KNOWN_FLAGS = {f for f, _ in CLASSES} | {
    "OR_ALL", "OR_NONE", "OR_UNSET", "ACCESS_CONF", "RSRC_CONF", "EXEC_ON_READ",
    "PROXY_CONF", "NONFATAL_OVERRIDE", "NONFATAL_UNKNOWN", "NONFATAL_ALL",
}


def strip_comments(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", " ", text, flags=re.S)


def split_args(text, start):
    """The top-level comma-separated arguments of the call whose '(' is at start."""
    depth, i, cur, args = 0, start, [], []
    while i < len(text):
        c = text[i]
        if c == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            cur.append(text[i:j + 1])
            i = j + 1
            continue
        if c == "(":
            depth += 1
            if depth == 1:
                i += 1
                continue
        elif c == ")":
            depth -= 1
            if depth == 0:
                args.append("".join(cur).strip())
                return args
        elif c == "," and depth == 1:
            args.append("".join(cur).strip())
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    return args


def module_of(path, text):
    base = os.path.basename(path)
    if base in MODULE_OF_FILE:
        return MODULE_OF_FILE[base]
    m = re.search(r"AP_DECLARE_MODULE\((\w+)\)", text)
    if m:
        return m.group(1) + "_module"
    m = re.search(r"module\s+AP_MODULE_DECLARE_DATA\s+(\w+)\s*=", text)
    if m:
        return m.group(1)
    if base == "core.c":
        return "core_module"
    raise SystemExit(f"no module declared in {path}")


def classes(expr, where, macros):
    flags = set()
    for f in re.findall(r"[A-Z_]+", expr):
        flags |= set(re.findall(r"[A-Z_]+", macros.get(f, f)))
    unknown = flags - KNOWN_FLAGS
    if unknown:
        raise SystemExit(f"{where}: unknown override flags {unknown} in {expr!r}")
    if "OR_ALL" in flags:
        flags |= {f for f, _ in CLASSES}
    got = [kw for f, kw in CLASSES if f in flags]
    return ",".join(got) if got else "-"


def entries(path, text):
    text = strip_comments(text)
    module = module_of(path, text)
    # A file's own shorthand for override flags (`#define DIR_CMD_PERMS OR_INDEXES`).
    macros = dict(re.findall(r"#define\s+(\w+)\s+((?:[A-Z_]+\s*\|?\s*)+)\n", text))
    # ... and for directive names (`#define BEGIN_MACRO "<Macro"`).
    names = dict(re.findall(r'#define\s+(\w+)\s+("[^"\n]*")', text))
    for m in re.finditer(r"\bAP_INIT_(\w+)\s*\(", text):
        kind = m.group(1)
        args = split_args(text, m.end() - 1)
        if args:
            args[0] = names.get(args[0], args[0])
        if len(args) < 4 or not args[0].startswith('"'):
            continue  # the table's NULL terminator, or a macro's parameters
        yield args[0].strip('"'), module, classes(args[3], path, macros), kind
    for m in re.finditer(r"\bSSL_CMD_(ALL|SRV|PXY|DIR)\s*\(", text):
        args = split_args(text, m.end() - 1)
        if args[0] == "name":
            continue  # the macro definitions themselves
        if m.group(1) == "DIR":
            name, override, kind = args[0], "OR_" + args[1], args[2]
        else:
            name, kind = args[0], args[1]
            override = {"ALL": "RSRC_CONF|OR_AUTHCFG", "SRV": "RSRC_CONF", "PXY": "RSRC_CONF"}[m.group(1)]
        yield "SSL" + name, module, classes(override, path, macros), kind


def main():
    root = sys.argv[1]
    rows = {}
    modules = set()
    for d in ("server", "modules", "os/unix"):
        for dirpath, _, files in os.walk(os.path.join(root, d)):
            for f in sorted(files):
                if not f.endswith(".c"):
                    continue
                path = os.path.join(dirpath, f)
                text = open(path, encoding="latin-1").read()
                for declared in re.findall(r"AP_DECLARE_MODULE\((\w+)\)", text):
                    modules.add(declared + "_module")
                modules.update(re.findall(r"module\s+AP_MODULE_DECLARE_DATA\s+(\w+)\s*=", text))
                if "AP_INIT_" not in text and "SSL_CMD_" not in text:
                    continue
                for name, module, cls, kind in entries(path, text):
                    rows.setdefault((name.lower(), module), (name, module, cls, kind))
    print("# Generated by scripts/gen-apache-directives.py from httpd 2.4 sources: "
          "directive, module, AllowOverride classes (- none), arguments")
    for key in sorted(rows):
        print("\t".join(rows[key]))
    # Modules without directives: known, so that they define nothing unknown.
    for module in sorted(modules - {m for _, m in rows}):
        print("\t".join(("-", module, "-", "-")))


main()
