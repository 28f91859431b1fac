#!/usr/bin/env python3
"""median-seconds.py N CMD...: the median wall time, in seconds, of N runs of a whole process (after one
untimed run that warms the file cache), stdout discarded. Used by bench/run.sh and bench/growth.sh."""
import statistics
import subprocess
import sys
import time

n, cmd = int(sys.argv[1]), sys.argv[2:]
subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
times = []
for _ in range(n):
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    times.append(time.perf_counter() - start)
print(f"{statistics.median(times):.3f}")
