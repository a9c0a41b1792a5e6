"""The benchmark runner: one process per library and workload, interleaved rounds, medians.

For every selected workload and every library (zerograd, PyTorch when installed, hand-written
NumPy) a worker process is started (`worker.py`): it imports only its library, with the BLAS and
OpenMP thread counts fixed in its environment before the import, builds the workload and warms it
up, then waits.  The runner then drives the rounds: in each round, each case is run by each
library in turn (the order rotates from round to round), so all three share the same stretch of
machine noise; a worker reports the median of its repetitions in a round, and the table shows the
median over rounds.  Workers are started together (imports overlap) and measured one at a time.
A library that fails a case (an exception, a crash, a timeout) is reported as failed there.
"""
from __future__ import annotations

import datetime
import importlib.util
import json
import os
import platform
import selectors
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "worker.py")

WORKLOADS = ("tiny", "mlp", "matmul", "deep", "gpt", "memory")
LIBS = ("zerograd", "torch", "numpy")
# run only when asked for (benchmarks/floor.py), on the workloads it implements: the barest
# autograd on NumPy (bench/floor.py), a lower bound for zerograd's per-op cost
EXTRA_LIBS = {"floor": ("tiny", "deep")}
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS", "BLIS_NUM_THREADS")


# ---------------------------------------------------------------------------------------------
# the plan: sizes, rounds and repetitions per mode
# ---------------------------------------------------------------------------------------------

def make_plan(quick=False, smoke=False, overrides=None):
    """{workload: {"cfg": sizes, "cases": [(case, rounds, reps), ...]}}"""
    if smoke:          # tiny sizes, one round: for the test suite (checks plumbing, not speed)
        cfg = {"tiny_ops": 31, "mlp_sizes": [32, 16, 16, 10], "mlp_batch": 8, "mlp_lr": 0.01,
               "matmul_n": 32, "deep_depths": [100, 1000], "memory_steps": 12,
               "gpt": {"vocab_size": 28, "block_size": 8, "batch_size": 2, "n_layer": 1,
                       "n_head": 2, "n_embd": 16}}
        r = {"tiny": 1, "mlp": 1, "matmul": 1, "gpt": 1}
        reps = {"tiny": 1, "mlp": 1, "matmul": 1, "gpt": 1}
        deep = [(100, 1, 1), (1000, 1, 1)]
    else:
        cfg = {"tiny_ops": 1000, "mlp_sizes": [784, 512, 512, 10], "mlp_batch": 128,
               "mlp_lr": 0.01, "matmul_n": 1024, "memory_steps": 50,
               "gpt": {"vocab_size": 28, "block_size": 64, "batch_size": 16, "n_layer": 2,
                       "n_head": 4, "n_embd": 128}}
        # one repetition per library per round: the libraries alternate rep by rep, so a
        # burst of load on this shared machine hits neighbouring measurements alike
        reps = {"tiny": 1, "mlp": 1, "matmul": 1, "gpt": 1}
        if quick:
            r = {"tiny": 10, "mlp": 10, "matmul": 5, "gpt": 6}
            deep = [(1000, 8, 1), (10_000, 4, 1), (100_000, 1, 1)]
        else:
            r = {"tiny": 31, "mlp": 31, "matmul": 15, "gpt": 31}
            deep = [(1000, 21, 1), (10_000, 11, 1), (100_000, 3, 1), (1_000_000, 2, 1)]
        cfg["deep_depths"] = [d for d, _, _ in deep]
    overrides = dict(overrides or {})
    rounds_override = overrides.pop("rounds", None)
    cfg.update(overrides)
    if "deep_depths" in overrides:
        deep = [(d, 1 if d >= 100_000 else 3, 1) for d in cfg["deep_depths"]]
    plan = {w: {"cfg": cfg, "cases": [(w, r[w], reps[w])]}
            for w in ("tiny", "mlp", "matmul", "gpt")}
    plan["deep"] = {"cfg": cfg, "cases": [(f"deep{d}", rr, rp) for d, rr, rp in deep]}
    plan["memory"] = {"cfg": cfg, "cases": [("memory", 1, 1)]}
    if rounds_override:
        for w, p in plan.items():
            if w != "memory":
                p["cases"] = [(c, int(rounds_override), rp) for c, _, rp in p["cases"]]
    return {w: plan[w] for w in WORKLOADS}


# ---------------------------------------------------------------------------------------------
# workers
# ---------------------------------------------------------------------------------------------

def byte_compile(log=None) -> bool:
    """Byte-compile the zerograd package in place (its __pycache__/, skipping what is up to date)
    before the workers import it.

    NumPy and PyTorch are imported from the bytecode `pip install` compiled; zerograd, installed
    editable, is compiled by its first import - unless PYTHONDONTWRITEBYTECODE is set (the
    workers set it), when every import compiles its ~40k lines from source again.  That costs a
    worker ~4 MiB of RSS (the parser's and compiler's memory; 11.5 MiB after `import zerograd`
    instead of 7.4) and would be measured as zerograd's.  These are the files a default Python
    writes on the first import."""
    import compileall
    pkg = os.path.dirname(HERE)
    try:
        ok = bool(compileall.compile_dir(pkg, quiet=2, workers=1))
    except OSError:
        ok = False
    if not ok and log:                              # e.g. a read-only checkout: measured as is
        log(f"[bench] could not byte-compile {pkg}: zerograd's imports compile from source in "
            f"the workers, which adds ~4 MiB to its RSS")
    return ok


class Worker:
    """A running worker process (one library, one workload)."""

    def __init__(self, workloads, lib, cfg, threads):
        self.workloads, self.lib = list(workloads), lib
        self.workload = "+".join(self.workloads)
        self.info, self.dead, self.ready = {}, None, False
        env = dict(os.environ)
        for var in THREAD_VARS:
            env[var] = str(threads)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        self.err = tempfile.TemporaryFile(mode="w+b")
        job = {"workloads": self.workloads, "lib": lib, "threads": threads, "cfg": cfg}
        self.proc = subprocess.Popen([sys.executable, WORKER, json.dumps(job)], env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.err, text=True, bufsize=1)

    def _stderr_tail(self):
        try:
            self.err.seek(0)
            lines = [ln for ln in self.err.read().decode("utf-8", "replace").splitlines()
                     if ln.strip()]
        except (OSError, ValueError):
            return ""
        return lines[-1][:200] if lines else ""

    def _fail(self, why):
        if self.dead is None:
            rc = self.proc.poll()
            if rc is None and why == "crashed":          # EOF: give it a moment to exit
                try:
                    rc = self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    rc = None
            if rc is None:
                self.proc.kill()
                rc = self.proc.wait()
            tail = self._stderr_tail()
            if why == "crashed":
                why = f"crashed (signal {-rc})" if rc < 0 else f"exited ({rc})"
                if tail:
                    why += f": {tail}"
            self.dead = why
        return {"error": self.dead}

    def read(self, timeout):
        """the next protocol line, or {"error": ...} when the worker died or timed out"""
        if self.dead is not None:
            return {"error": self.dead}
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        try:
            if not sel.select(timeout):
                return self._fail(f"timed out after {timeout:.0f} s")
        finally:
            sel.close()
        line = self.proc.stdout.readline()
        if not line:
            return self._fail("crashed")
        try:
            return json.loads(line)
        except ValueError:
            return self._fail(f"bad reply {line[:80]!r}")

    def request(self, case, reps, timeout):
        if self.dead is not None:
            return {"error": self.dead}
        try:
            self.proc.stdin.write(json.dumps({"case": case, "reps": reps}) + "\n")
            self.proc.stdin.flush()
        except OSError:
            return self._fail("crashed")
        return self.read(timeout)

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.close()
                self.proc.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self.err.close()


def _start_all(jobs, threads, max_starting, timeout, log):
    """start the workers, at most `max_starting` importing/warming up at once; wait for all"""
    pending, starting, started = list(jobs), [], []
    deadline = {}
    while pending or starting:
        while pending and len(starting) < max_starting:
            w = Worker(*pending.pop(0), threads)
            starting.append(w)
            started.append(w)
            deadline[id(w)] = time.monotonic() + timeout
        sel = selectors.DefaultSelector()
        for w in starting:
            sel.register(w.proc.stdout, selectors.EVENT_READ, w)
        events = sel.select(1.0)
        sel.close()
        for key, _ in events:
            w = key.data
            msg = w.read(0.1)
            starting.remove(w)
            if msg.get("ready"):
                w.ready, w.info = True, msg.get("info", {})
            else:
                log(f"  {w.lib} {w.workload}: {msg.get('error')}")
        for w in list(starting):
            if time.monotonic() > deadline[id(w)]:
                w._fail(f"did not start within {timeout:.0f} s")
                starting.remove(w)
    return started


# ---------------------------------------------------------------------------------------------
# the suite
# ---------------------------------------------------------------------------------------------

def available_libs(libs=None, extra=False):
    """The named libraries that can run here (PyTorch dropped when it is not installed).
    `extra`: also accept EXTRA_LIBS (run_suite does; the table of `zerograd bench` does not)."""
    known = LIBS + (tuple(EXTRA_LIBS) if extra else ())
    libs = [n.strip() for n in (libs or LIBS) if n.strip()]
    bad = [n for n in libs if n not in known]
    if bad:
        raise ValueError(f"unknown librar{'ies' if len(bad) > 1 else 'y'} {', '.join(bad)}; "
                         f"choose from {', '.join(known)}")
    if "torch" in libs and importlib.util.find_spec("torch") is None:
        libs.remove("torch")
    return libs


def _select(only):
    if not only:
        return list(WORKLOADS)
    names = [n.strip() for n in (only.split(",") if isinstance(only, str) else only) if n.strip()]
    bad = [n for n in names if n not in WORKLOADS]
    if bad:
        raise ValueError(f"unknown workload(s) {', '.join(bad)}; "
                         f"choose from {', '.join(WORKLOADS)}")
    return [w for w in WORKLOADS if w in names]


def run_suite(quick=False, threads=1, only=None, *, libs=None, smoke=False, overrides=None,
              isolate=None, log=None):
    """Run the benchmarks; returns a results dict (machine, plan, per-case values per library).

    isolate: one process per library *and* workload (the default of a full run).  Quick and
    smoke runs default to one process per library for the timed workloads (importing PyTorch
    costs seconds per process), and always a fresh process for the memory workload.
    """
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    workloads = _select(only)
    libs = available_libs(libs, extra=True)
    for lib in libs:
        if lib in EXTRA_LIBS and not set(workloads) <= set(EXTRA_LIBS[lib]):
            raise ValueError(f"{lib} implements only the {' and '.join(EXTRA_LIBS[lib])} "
                             f"workloads; choose them with only=")
    plan = make_plan(quick, smoke, overrides)
    timeout = 120 if (quick or smoke) else 600
    t_start = time.monotonic()
    load_before = _loadavg()
    if isolate is None:
        isolate = not (quick or smoke)
    if isolate:
        groups = [[w] for w in workloads]
    else:
        timed = [w for w in workloads if w != "memory"]
        groups = ([timed] if timed else []) + ([["memory"]] if "memory" in workloads else [])
    cfg = plan[workloads[0]]["cfg"]
    jobs = [(g, lib, cfg) for g in groups for lib in libs]
    if "zerograd" in libs:
        byte_compile(log)
    log(f"[bench] starting {len(jobs)} worker processes ({', '.join(libs)} x "
        f"{' | '.join('+'.join(g) for g in groups)}), {threads} thread(s) each")
    workers = _start_all(jobs, threads, max_starting=max(2, (os.cpu_count() or 2) + 1),
                         timeout=timeout, log=log)
    by_key = {(wl, w.lib): w for w in workers for wl in w.workloads}
    results = {}
    try:
        for wl in workloads:
            cases = plan[wl]["cases"]
            results[wl] = {c: {lib: [] for lib in libs} for c, _, _ in cases}
            n_rounds = max(r for _, r, _ in cases)
            t0 = time.monotonic()
            for rnd in range(n_rounds):
                order = libs[rnd % len(libs):] + libs[:rnd % len(libs)]
                for case, rounds, reps in cases:
                    if rnd >= rounds:
                        continue
                    for lib in order:
                        cell = results[wl][case][lib]
                        if cell and isinstance(cell[-1], str):
                            continue                        # already failed: don't retry
                        reply = by_key[(wl, lib)].request(case, reps, timeout)
                        if "error" in reply:
                            cell.append(f"failed: {reply['error']}")
                        else:
                            cell.append(_round_value(reply["values"]))
            log(f"[bench] {wl}: {n_rounds} round(s) in {time.monotonic() - t0:.1f} s")
    finally:
        for w in workers:
            w.close()
    info = {}
    for w in workers:
        for k, v in w.info.items():
            if k in ("numpy", "torch", "scipy", "zerograd"):
                info.setdefault(k, v)
        if w.info:
            info.setdefault("blas_threads", {})[w.lib] = w.info.get("blas_threads")
            info.setdefault("rss_after_import_mb", {})[w.lib] = w.info.get("rss_after_import_mb")
    return {"machine": _machine(info, threads, load_before), "libs": libs, "plan": plan,
            "workloads": workloads, "results": results, "quick": quick, "smoke": smoke,
            "isolate": isolate,
            "threads": threads, "seconds": time.monotonic() - t_start}


def _round_value(values):
    if values and isinstance(values[0], dict):
        return values[0]
    return statistics.median(values)


def _loadavg():
    try:
        return tuple(round(x, 2) for x in os.getloadavg())
    except OSError:
        return None


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _machine(info, threads, load_before):
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {"cpu": _cpu_model(), "cores": os.cpu_count(), "usable_cores": usable,
            "os": f"{platform.system()} {platform.release()}",
            "python": platform.python_version(), "numpy": info.get("numpy"),
            "torch": info.get("torch"), "scipy": info.get("scipy"),
            "zerograd": info.get("zerograd"), "threads": threads,
            "blas_threads": info.get("blas_threads"),
            "rss_after_import_mb": info.get("rss_after_import_mb"),
            "load_before": load_before, "load_after": _loadavg(),
            "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M")}


# ---------------------------------------------------------------------------------------------
# the table
# ---------------------------------------------------------------------------------------------

def _fmt(v):
    if isinstance(v, str):
        return v
    if v is None:
        return "—"
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def _median(cell):
    """median of a cell's round values, or its failure text"""
    if not cell:
        return None
    fails = [c for c in cell if isinstance(c, str)]
    if fails:
        return fails[0]
    return statistics.median(cell)


def _sup(n):
    return "10" + str(n).translate(str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻"))


def _rows(res):
    """(label, unit, {lib: round values or failure}, higher_is_better, target) per table row"""
    plan, results, rows = res["plan"], res["results"], []
    cfg = next(iter(plan.values()))["cfg"]
    g = cfg["gpt"]
    sizes = "-".join(str(s) for s in cfg["mlp_sizes"])
    for wl in res["workloads"]:
        r = results[wl]
        if wl == "tiny":
            ops = 3 * max(1, (cfg["tiny_ops"] - 1) // 3) + 1
            rows.append((f"tiny-op chain: {ops:,} ops on 4×4 f32, fwd+bwd", "µs/op",
                         _series(r["tiny"]), False,
                         ("torch", 0.5, "≤ 0.5× torch")))
        elif wl == "mlp":
            rows.append((f"MLP step {sizes}, batch {cfg['mlp_batch']}, SGD", "ms/step",
                         _series(r["mlp"]), False,
                         ("numpy", 1.05, "≤ 1.05× NumPy")))
        elif wl == "matmul":
            n = cfg["matmul_n"]
            rows.append((f"matmul {n}×{n} @ {n}×{n}, fwd+bwd", "ms",
                         _series(r["matmul"]), False,
                         ("numpy", 1.05, "≤ 1.05× NumPy")))
        elif wl == "deep":
            for case in r:
                d = int(case[4:])
                label = _sup(len(str(d)) - 1) if str(d).strip("0") == "1" else f"{d:,}"
                rows.append((f"deep tanh chain, depth {label}, fwd+bwd", "µs/node",
                             _series(r[case]), False,
                             ("torch", 0.5, "≤ 0.5× torch")))
        elif wl == "gpt":
            rows.append((f"GPT step: {g['n_layer']} layers, d {g['n_embd']}, {g['n_head']} heads, "
                         f"T {g['block_size']}, B {g['batch_size']}, AdamW", "tokens/s",
                         _series(r["gpt"]), True,
                         ("torch", 1.0, "≥ 1.0× torch tokens/s")))
        elif wl == "memory":
            cells = {k: (v[0] if v else None) for k, v in r["memory"].items()}
            steps = cfg["memory_steps"]

            def pick(key):
                return {k: (c if isinstance(c, str) or c is None else [c[key]])
                        for k, c in cells.items()}
            rows.append((f"peak RSS (VmHWM) over {steps} MLP steps", "MiB", pick("peak"), False,
                         ("numpy", 1.2, "≤ 1.2× NumPy")))
            rows.append(("RSS after import + setup", "MiB", pick("base"), False, None))
            above = {k: ([c["peak"] - c["base"]] if isinstance(c, dict) else c)
                     for k, c in cells.items()}
            rows.append(("peak RSS above that (the steps' own memory)", "MiB", above, False,
                         None))
            rows.append((f"RSS growth, step {min(10, steps)} → {steps}", "MiB", pick("growth"),
                         False, ("abs", 1.0, "≈ 0 (< 1 MiB)")))
    return rows


def _series(cells):
    """{lib: [round values]} -> {lib: list of numbers, a failure text, or None}"""
    out = {}
    for lib, values in cells.items():
        fails = [v for v in values if isinstance(v, str)]
        out[lib] = fails[0] if fails else (list(values) or None)
    return out


def _value(series):
    """what a cell shows: the median over rounds, or the failure"""
    if isinstance(series, list):
        return statistics.median(series)
    return series


def _ratio(zg, other, higher_is_better):
    """zerograd's cost relative to `other`: time ÷ time (for tokens/s: other ÷ zerograd).

    Paired by round: the median over rounds of that round's ratio (both libraries ran in the
    same round, moments apart, so a slow stretch of the machine cancels out)."""
    if not isinstance(zg, list) or not isinstance(other, list):
        return None
    pairs = list(zip(zg, other))
    if higher_is_better:
        ratios = [o / z for z, o in pairs if z]
    else:
        ratios = [z / o for z, o in pairs if o]
    return statistics.median(ratios) if ratios else None


def _ratio_spread(zg, other, higher_is_better):
    """the middle half (quartiles) of the per-round ratios, when there are 4 rounds or more"""
    if not isinstance(zg, list) or not isinstance(other, list) or min(len(zg), len(other)) < 4:
        return None
    pairs = list(zip(zg, other))
    ratios = sorted(o / z if higher_is_better else z / o for z, o in pairs if (z and o))
    if len(ratios) < 4:
        return None
    q = statistics.quantiles(ratios, n=4)
    return q[0], q[2]


def format_table(res, command=None):
    libs = res["libs"]
    names = {"zerograd": "zerograd", "torch": "PyTorch", "numpy": "NumPy (by hand)"}
    head = ["workload", "unit"] + [names[lib] for lib in libs]
    if "torch" in libs:
        head.append("zerograd ÷ PyTorch")
    head += ["zerograd ÷ NumPy", "target (issue 7)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, unit, cells, hib, target in _rows(res):
        row = [label, unit] + [_fmt(_value(cells.get(lib))) for lib in libs]
        ratios = {}
        for other in ("torch", "numpy"):
            if other not in libs:
                continue
            if unit == "MiB" and target and target[0] == "abs":
                ratios[other] = None
            else:
                ratios[other] = _ratio(cells.get("zerograd"), cells.get(other), hib)
            text = f"{ratios[other]:.2f}×" if ratios[other] is not None else "—"
            spread = (None if ratios[other] is None else
                      _ratio_spread(cells.get("zerograd"), cells.get(other), hib))
            if spread:
                text += f" ({spread[0]:.2f}–{spread[1]:.2f})"
            row.append(text)
        row.append(_target_cell(target, ratios, cells))
        lines.append("| " + " | ".join(row) + " |")
    m = res["machine"]
    mode = "smoke" if res.get("smoke") else ("quick" if res["quick"] else "full")
    rounds = sorted({r for w in res["workloads"] for _, r, _ in res["plan"][w]["cases"]})
    notes = [
        "",
        "Ratios are zerograd's cost over the other's (time ÷ time; for tokens/s the inverse "
        "throughput ratio; memory ÷ memory): below 1× means zerograd is ahead.  Each is the "
        "median of the per-round ratios (the libraries alternate within a round), so it can "
        "differ a little from the ratio of the medians shown; in brackets, the middle half "
        "(quartiles) of the per-round ratios.",
        f"Medians over interleaved rounds ({mode} mode, {'/'.join(map(str, rounds))} "
        f"round{'s' if rounds != [1] else ''} depending on the workload; in a round each "
        "library runs the case once, in turn, after a warm-up); "
        + ("one process per library and workload."
           if res.get("isolate") else
           "one process per library for the timed workloads, a fresh one for memory."),
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable), {m['os']}; "
        f"Python {m['python']}, NumPy {m['numpy']}"
        + (f", PyTorch {m['torch']}" if m.get("torch") else "")
        + (f", SciPy {m['scipy']} (erf)" if m.get("scipy") else "")
        + f"; {m['threads']} BLAS/OpenMP thread(s) per process"
        + f"; load average {_load(m['load_before'])} before, {_load(m['load_after'])} after; "
        f"{m['date']}; the suite took {res['seconds']:.0f} s.",
    ]
    if command:
        notes += ["", f"Command: `{command}`"]
    return "\n".join(lines + notes)


def _load(t):
    return "/".join(f"{x:.2f}" for x in t) if t else "?"


def _target_cell(target, ratios, cells):
    if target is None:
        return "—"
    other, limit, text = target
    if other == "abs":
        v = _value(cells.get("zerograd"))
        if not isinstance(v, (int, float)):
            return text
        return f"{text} {'✓' if abs(v) < limit else '✗'}"
    r = ratios.get(other)
    if r is None:
        z = cells.get("zerograd")
        return f"{text} ✗ (failed)" if isinstance(z, str) else text
    return f"{text} {'✓' if r <= limit + 1e-12 else '✗'}"


def command_line(quick=False, threads=1, only=None):
    argv0 = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    args = " ".join(sys.argv[1:])
    if argv0 == "zerograd" or sys.argv[0].endswith(os.path.join("zerograd", "__main__.py")):
        return ("zerograd " + args).strip()
    if argv0.endswith(".py") and argv0 != "__main__.py":
        path = os.path.relpath(sys.argv[0]) if not sys.argv[0].startswith("..") else sys.argv[0]
        return f"python {path} {args}".strip()
    call = [f"quick={quick}"] + ([f"threads={threads}"] if threads != 1 else []) + \
        ([f"only={only!r}"] if only else [])
    return f"python -c 'from zerograd.bench import run_bench; run_bench({', '.join(call)})'"


def run_bench(quick=False, threads=1, only=None, *, libs=None, smoke=False, overrides=None,
              isolate=None, command=None, json_path=None, file=None):
    """Run the suite, print the markdown table (to `file`, default stdout) and return it.

    quick: fewer rounds, the deep chain up to 10⁵, one process per library for the timed
    workloads (~1 minute).  threads: BLAS/OpenMP threads per process.  only: workload name(s)
    (a comma-separated string or a list) of `WORKLOADS`.  The full results (every round, the
    machine, the medians) are kept in `run_bench.last_results` and written to `json_path`.
    """
    available_libs(libs)                # (its table has columns for LIBS only)
    res = run_suite(quick=quick, threads=threads, only=only, libs=libs, smoke=smoke,
                    overrides=overrides, isolate=isolate)
    if command is None:
        command = command_line(quick, threads, only)
    table = format_table(res, command)
    res["command"], res["table"] = command, table
    res["medians"] = {wl: {case: {lib: _median(v) for lib, v in cells.items()}
                           for case, cells in r.items()} for wl, r in res["results"].items()}
    if json_path:
        with open(json_path, "w") as f:
            json.dump(res, f, indent=1, default=str)
    print(table, file=file or sys.stdout, flush=True)
    run_bench.last_results = res
    return table
