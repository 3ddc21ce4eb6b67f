#!/usr/bin/env python3
"""Regenerate the cascade2021 counterfactuals from the base model and scenario.

Each `models/cascade2021-<pattern>.ron` is `models/cascade2021.ron` with one pattern of the
write-up added (and `all` with the five), and each `scenarios/cascade2021-<pattern>.ron` is
`scenarios/cascade2021.ron` pointed at it, keeping the counterfactual's own `expect` list
(the results are the simulation's to say: re-run `sim test` and update them by hand).

    python3 scripts/cascade2021-counterfactuals.py          # rewrite the files
    python3 scripts/cascade2021-counterfactuals.py --check  # exit 1 if any is stale

Edit the base model, never the copies: this script is what keeps them from drifting.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = "scripts/cascade2021-counterfactuals.py"

BREAKER = (
    'breaker: Breaker(window: CountBased(100), minimum_calls: 20, failure_rate_threshold: 50.0, '
    'slow_call_rate_threshold: 50.0, slow_call_duration: "2s", '
    'wait: OpenWait(initial: "5s", multiplier: 2.0, max: "2m"), half_open_calls: 10)'
)
BULKHEADS = (
    'pools: {"critical": Pool(size: 10, acquire_timeout: "1s"), '
    '"bulk": Pool(size: 50, acquire_timeout: "1s")}'
)
FALLBACK = 'fallback: Fallback(latency: Constant("1ms"))'
# The parts of a page it can render without: everything but session, catalog, inventory,
# pricing, cart and search (the page's reason to exist).
OPTIONAL = [
    "ads", "history", "loyalty", "notifications", "promotions", "recommendation",
    "reviews", "shipping", "wishlist",
]
SHED_QUEUE = 'queue: Queue(capacity: 100, discipline: CoDel(target: "5ms", interval: "100ms"))'
CLASSES = {"home": "bulk", "product": "critical", "search": "bulk", "cart": "critical"}

DESCRIPTIONS = {
    "breaker": "resilience4j breakers with exponential open-wait backoff (5 s, x2, max 2 min) "
    "on every client of user-profile; calls over 2 s count as slow",
    "bulkheads": "per-class connection pools on every client of user-profile: critical "
    "(product, cart) 10, bulk (home, search) 50, 1 s acquire timeout",
    "fallbacks": "graceful degradation: the gateway serves a default for every optional part "
    "of a page (" + ", ".join(OPTIONAL) + ") when it fails",
    "timeouts": "no operator timeout change, and short consistent timeouts at every boundary "
    "(gateway 5 s, services 2 s, user-db 1 s, pool acquire 250 ms)",
    "shedding": "load shedding with bounded queues: Tomcat-sized queues (100) with CoDel "
    "(5 ms / 100 ms) everywhere",
    "all": "all five patterns together",
}
PATTERNS = ["breaker", "bulkheads", "fallbacks", "timeouts", "shedding"]
# Patterns whose scenario drops the operators' 20 s -> 60 s change.
NO_OPERATOR_CHANGE = {"timeouts", "all"}


def add_to_client(line, field):
    """Add `field` to the `Client(...)` of one `calls` line."""
    return re.sub(r"Client\((.*)\),$", lambda m: f"Client({m.group(1)}, {field}),", line)


def breaker(line):
    return add_to_client(line, BREAKER) if re.search(r'-> user-profile": Client', line) else line


def bulkheads(line):
    return add_to_client(line, BULKHEADS) if re.search(r'-> user-profile": Client', line) else line


def fallbacks(line):
    m = re.search(r'"api-gateway -> ([a-z-]+)": Client', line)
    return add_to_client(line, FALLBACK) if m and m.group(1) in OPTIONAL else line


def timeouts(line):
    def per_try(value, new):
        # `timeout:` alone, not the end of `acquire_timeout:`.
        return lambda text: re.sub(rf'(?<![a-z_])timeout: "{value}"', f'timeout: "{new}"', text)

    if '"user-profile -> user-db"' in line:
        line = per_try("30s", "1s")(line)
        return line.replace('acquire_timeout: "30s"', 'acquire_timeout: "250ms"')
    if '"api-gateway -> ' in line:
        return per_try("30s", "5s")(line)
    return per_try("20s", "2s")(line)


def shedding(line):
    return re.sub(r"queue: Queue\(capacity: \d+\)", SHED_QUEUE, line)


TRANSFORMS = {
    "breaker": [breaker],
    "bulkheads": [bulkheads],
    "fallbacks": [fallbacks],
    "timeouts": [timeouts],
    "shedding": [shedding],
    "all": [breaker, bulkheads, fallbacks, timeouts, shedding],
}


def without_header(text):
    """The file without its leading comment block."""
    lines = text.splitlines(keepends=True)
    i = 0
    while i < len(lines) and (lines[i].startswith("//") or not lines[i].strip()):
        i += 1
    return "".join(lines[i:])


def model_for(pattern, base):
    lines = without_header(base).splitlines(keepends=True)
    out = []
    for line in lines:
        end = "\n" if line.endswith("\n") else ""
        body = line[: len(line) - len(end)]
        for transform in TRANSFORMS[pattern]:
            body = transform(body)
        out.append(body + end)
    header = (
        f"// cascade2021.ron with one pattern of the write-up added: {DESCRIPTIONS[pattern]}.\n"
        "// Everything else is identical to models/cascade2021.ron (read its comments).\n"
        f"// Generated by {SCRIPT} from the base model: edit that, not this.\n"
    )
    return header + "".join(out)


def scenario_for(pattern, base, current):
    body = without_header(base)
    body = body[: body.index("    expect: [")]
    body = body.replace('"../models/cascade2021.ron"', f'"../models/cascade2021-{pattern}.ron"')
    if pattern in ("bulkheads", "all"):
        for source, cls in CLASSES.items():
            body = re.sub(
                rf'(Source\(name: "{source}", .*?)\),\n',
                rf'\1, class: "{cls}"),\n',
                body,
            )
    if pattern in NO_OPERATOR_CHANGE:
        body = re.sub(r"\n *Step\([^\n]*SetTimeout\([^\n]*\n", "\n", body)
        what = "the same trigger as\n// scenarios/cascade2021.ron, without the operator raising the timeout to 60 s,"
    else:
        what = "the same trigger and operator action as\n// scenarios/cascade2021.ron,"
    header = (
        f"// Counterfactual for cascade2021 ({DESCRIPTIONS[pattern]}): {what} on\n"
        f"// models/cascade2021-{pattern}.ron. Generated by {SCRIPT} except the\n"
        "// `expect` list, which records this counterfactual's own results.\n"
    )
    expect = current[current.index("    expect: [") :] if "    expect: [" in current else "    expect: [],\n)\n"
    return header + body + expect


def main():
    check = "--check" in sys.argv[1:]
    base_model = (ROOT / "models/cascade2021.ron").read_text()
    base_scenario = (ROOT / "scenarios/cascade2021.ron").read_text()
    stale = []
    for pattern in PATTERNS + ["all"]:
        model_path = ROOT / f"models/cascade2021-{pattern}.ron"
        scenario_path = ROOT / f"scenarios/cascade2021-{pattern}.ron"
        current = scenario_path.read_text() if scenario_path.exists() else ""
        wanted = {
            model_path: model_for(pattern, base_model),
            scenario_path: scenario_for(pattern, base_scenario, current),
        }
        for path, text in wanted.items():
            old = path.read_text() if path.exists() else None
            if old == text:
                continue
            stale.append(path.relative_to(ROOT))
            if not check:
                path.write_text(text)
    verb = "stale" if check else "rewrote"
    for path in stale:
        print(f"{verb}: {path}")
    if check and stale:
        sys.exit(1)


if __name__ == "__main__":
    main()
