"""zerograd's benchmark suite (issue 7): zerograd vs PyTorch vs hand-written NumPy.

Six workloads - tiny-op chain, MLP step, 1024² matmul, deep chain (10³…10⁶), GPT training
step, peak RSS / RSS growth over 50 MLP steps - each run for every library in its own process
with one BLAS/OpenMP thread (or `threads`), warm-up then medians of interleaved rounds:

    from zerograd.bench import run_bench
    run_bench(quick=True)                  # prints and returns a markdown table

    zerograd bench [--quick] [--threads 2]
    python benchmarks/run_all.py [--quick] [--threads 2] [--only NAME[,NAME]] [--json FILE]

Modules: runner.py (processes, rounds, the table), worker.py (one library + one workload),
workloads.py (the six workloads, lib-parametrised, and their NumPy versions), numpy_gpt.py (the
GPT by hand: forward, backward, AdamW).
"""
from .runner import LIBS, WORKLOADS, format_table, make_plan, run_bench, run_suite

__all__ = ["run_bench", "run_suite", "format_table", "make_plan", "WORKLOADS", "LIBS"]
