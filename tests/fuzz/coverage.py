#!/usr/bin/env python3
"""Edge coverage per source file from libFuzzer's -print_coverage=1 output (scripts/fuzz coverage).

  coverage.py SOURCE_DIR PATTERN... < LOG

libFuzzer lists every instrumented function as COVERED_FUNC or UNCOVERED_FUNC with
"edges: covered/total" and its file; this adds them up per file for the files whose path
(relative to SOURCE_DIR) starts with one of PATTERN. An inline function of a header that the
optimiser inlined everywhere still counts its out-of-line copy as uncovered, so header figures
are lower bounds; the .cpp files' are what the fuzzer reached.
"""

import os
import re
import sys

LINE = re.compile(r"^(?:UN)?COVERED_FUNC: hits: \d+ edges: (\d+)/(\d+) .* (/\S+?):\d+$")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    source = os.path.realpath(sys.argv[1])
    patterns = sys.argv[2:]
    files = {}
    for line in sys.stdin:
        m = LINE.match(line.strip())
        if not m:
            continue
        path = os.path.relpath(os.path.realpath(m.group(3)), source)
        if not any(path.startswith(p) for p in patterns):
            continue
        covered, total = files.get(path, (0, 0))
        files[path] = (covered + int(m.group(1)), total + int(m.group(2)))
    all_covered = sum(c for c, _ in files.values())
    all_total = sum(t for _, t in files.values())
    for path in sorted(files):
        c, t = files[path]
        print(f"  {path:40} {c:6} / {t:6} edges  {100 * c / max(t, 1):5.1f}%")
    print(f"  {'all':40} {all_covered:6} / {all_total:6} edges  {100 * all_covered / max(all_total, 1):5.1f}%")


if __name__ == "__main__":
    main()
