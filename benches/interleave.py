#!/usr/bin/env python3
"""Time commands round by round, for a fair comparison on a noisy machine.

    benches/interleave.py [--rounds N] [--warmup N] [--ok CODES] NAME=COMMAND...

hyperfine times all runs of one command, then all runs of the next, so a few seconds
of load from other tenants can favour whichever command ran in the quiet part. Here
every round runs each command once, back to back, and the rows compare commands within
the same rounds: the per-round ratio to the first command, and how many rounds each
command was the faster in. The CPU column is user + system time of the command and its
children (less sensitive to other tenants than wall time, but not immune to them). Commands run without a shell (split like a shell would),
with output discarded; an exit code not in --ok (default 0; `htguard check` exits 1 when it
has findings) stops the run.

Example (the Apache tree of benches/apache.sh):

    benches/interleave.py --rounds 150 \\
        'apache2 -t=apache2 -t -f /tmp/tree/conf/httpd.conf' \\
        'htguard=target/release/htguard check /tmp/tree/conf/httpd.conf'
"""

import argparse
import resource
import shlex
import statistics
import subprocess
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--ok", default="0", help="exit codes that count as success, e.g. 0,1")
    parser.add_argument("commands", nargs="+", metavar="NAME=COMMAND")
    args = parser.parse_args()
    try:
        ok = {int(code) for code in args.ok.split(",")}
    except ValueError:
        parser.error(f"--ok takes exit codes separated by commas, got {args.ok!r}")
    commands = []
    for spec in args.commands:
        name, sep, command = spec.partition("=")
        if not sep or not command:
            parser.error(f"expected NAME=COMMAND, got {spec!r}")
        commands.append((name, shlex.split(command)))
    times = {name: [] for name, _ in commands}
    cpu = {name: [] for name, _ in commands}
    for round_ in range(args.warmup + args.rounds):
        for name, argv in commands:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            elapsed = (time.perf_counter() - start) * 1e3
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            used = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1e3
            if done.returncode not in ok:
                print(f"{name}: exit code {done.returncode}", file=sys.stderr)
                return 1
            if round_ >= args.warmup:
                times[name].append(elapsed)
                cpu[name].append(used)
    first = commands[0][0]
    print(f"{args.rounds} rounds, each command once per round.\n")
    print(f"| Command | Median [ms] | Mean [ms] | Min [ms] | Ratio to `{first}` (median of rounds) | Rounds faster | CPU median [ms] |")
    print("|:---|---:|---:|---:|---:|---:|---:|")
    for name, _ in commands:
        mine = times[name]
        ratios = [m / f for m, f in zip(mine, times[first])]
        faster = "" if name == first else f"{sum(r < 1 for r in ratios)} of {len(ratios)}"
        print(
            f"| `{name}` | {statistics.median(mine):.1f} | {statistics.mean(mine):.1f} "
            f"| {min(mine):.1f} | {statistics.median(ratios):.3f} | {faster} "
            f"| {statistics.median(cpu[name]):.1f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
