"""The baseline of bench/dp-accountant.ts: the scipy transcription of Opacus's RDP accountant in
test/models/dp/fixtures/make_rdp_fixtures.py (its function definitions, executed without the part that
writes the fixtures), timed on the same mechanisms. Prints JSON: [{q, sigma, steps, delta, epsilon,
order, seconds: [...]}].

Run: /usr/bin/python3 bench/py/dp_accountant_baseline.py REPEATS q,sigma,steps,delta [...]
"""
import json
import os
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
src = open(os.path.join(here, "..", "..", "test", "models", "dp", "fixtures", "make_rdp_fixtures.py")).read()
ns = {"__file__": os.path.join(here, "transcription.py")}
exec(compile(src[: src.index("\nCASES = [")], "make_rdp_fixtures.py", "exec"), ns)

repeats = int(sys.argv[1])
out = []
for spec in sys.argv[2:]:
    q, sigma, steps, delta = (float(x) for x in spec.split(","))
    seconds = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        eps, order = ns["eps_opacus"](ns["rdp_opacus"](q, sigma, int(steps)), delta)
        seconds.append(time.perf_counter() - t0)
    out.append({"q": q, "sigma": sigma, "steps": int(steps), "delta": delta, "epsilon": eps, "order": order,
                "seconds": seconds})
print(json.dumps(out))
