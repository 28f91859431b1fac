#!/usr/bin/env python3
"""Summarises a dotnet-trace speedscope file (and optionally a dotnet-counters csv) of the survey bench.

    survey-profile.py TRACE.speedscope.json [COUNTERS.csv] [--top N]

dotnet-trace's `dotnet-sampled-thread-time` profile samples every managed thread's stack about every
10 ms, running or not. Time a thread spends waiting (an idle thread-pool worker, the socket event
loop in epoll, a caller awaiting its response, the writer waiting for the next batch) is not CPU, so
it is left out: a sample whose innermost frames are a known wait is counted as idle. What remains is
an estimate of CPU time per frame:

  exclusive  the frame was the innermost (leaf) frame of a non-idle sample
  inclusive  the frame was anywhere on the stack of a non-idle sample (counted once per sample)

Both are printed as a share of all non-idle samples. With the counters file, the means over the
collection of the runtime counters that tell about contention (GC, locks, thread pool) follow.
"""
import csv
import json
import re
import sys
from collections import Counter, defaultdict

# Innermost frames that mean "this thread is waiting, not computing".
IDLE = re.compile(
    r"LowLevelLifoSemaphore\.Wait|LowLevelMonitor\.Wait|WaitHandle\.Wait|WaitOneNoCheck|Monitor\.Wait|"
    r"Thread\.Sleep|SocketAsyncEngine\.EventLoop|Interop\+Sys\.WaitForSocketEvents|ManualResetEventSlim\.Wait|"
    r"SemaphoreSlim\.Wait\(|Task\.SpinThenBlockingWait|Task\.InternalWaitCore|PortableThreadPool\+GateThread|"
    r"TimerQueue\.TimerThread|LowLevelLifoSemaphore|WaitSubsystem|Thread\.SleepInternal|"
    r"EventPipe|DiagnosticServer|ConsoleLoggerProcessor\.ProcessLogQueue|BlockingCollection|"
    r"Interop\+Sys\.Read\(|Interop\+Sys\.Poll|FinalizerThread|PollGC"
)
TOOLING = re.compile(r"Metrics\.AggregationManager|EventPipeEventProvider|EventSource\.SendCommand|RuntimeEventSource|CounterGroup\.PollForValues")
# Pseudo-frames TraceEvent puts at the leaf (time in native code or the CLR).
PSEUDO = {"UNMANAGED_CODE_TIME", "CPU_TIME", "BLOCKED_TIME", "?!?", "Process64 Process"}


def samples(doc):
    """Yields (stack as a list of frame names, outermost first, weight) for every sample of every thread."""
    frames = [f["name"] for f in doc["shared"]["frames"]]
    for prof in doc["profiles"]:
        if prof["type"] == "sampled":
            for stack, w in zip(prof["samples"], prof["weights"]):
                yield [frames[i] for i in stack], w
        else:  # evented: open/close events over time
            stack, last = [], prof["startValue"]
            for ev in prof["events"]:
                at = ev["at"]
                if stack and at > last:
                    yield [frames[i] for i in stack], at - last
                last = at
                if ev["type"] == "O":
                    stack.append(ev["frame"])
                else:
                    # close the frame (and anything opened inside it that was not closed)
                    while stack:
                        if stack.pop() == ev["frame"]:
                            break


def short(name, width=150):
    name = re.sub(r"\(.*\)", "(…)", name)
    return name if len(name) <= width else name[: width - 1] + "…"


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    top = 25
    if "--top" in sys.argv:
        top = int(sys.argv[sys.argv.index("--top") + 1])
        args = [a for a in args if a != str(top)]
    doc = json.load(open(args[0]))
    incl, excl = Counter(), Counter()
    idle = busy = 0.0
    pool = tooling = 0.0
    for stack, w in samples(doc):
        if not stack:
            continue
        # The measurement's own cost in the app (dotnet-counters' aggregation, EventPipe commands).
        if any(TOOLING.search(f) for f in stack):
            tooling += w
            continue
        tail = " ".join(stack[-4:])
        if IDLE.search(tail):
            idle += w
            continue
        # A thread-pool worker outside managed code with no work item on its stack: waiting for work
        # (or spinning before it blocks); native code the sampler could not name ("?!?") likewise.
        if stack[-1] in PSEUDO and (stack[-2].endswith("WorkerThreadStart(...)") or "WorkerThreadStart" in stack[-2] or stack[-2] == "?!?"):
            pool += w
            continue
        busy += w
        leaf = stack[-1]
        if leaf in PSEUDO and len(stack) > 1:
            leaf = stack[-2] + " [native]"
        excl[leaf] += w
        for f in set(stack):
            incl[f] += w
    total = busy + idle + pool + tooling
    print(f"samples: {total:.0f} ms of thread time, {busy:.0f} ms busy ({busy / max(total, 1) * 100:.0f} %); left out: {idle:.0f} ms idle, "
          f"{pool:.0f} ms thread-pool workers waiting for work in native code, {tooling:.0f} ms the counters' own collection")
    print(f"top {top} exclusive (innermost frame), % of busy:")
    for f, w in excl.most_common(top):
        print(f"  {w / busy * 100:5.1f} %  {short(f)}")
    print(f"top {top} inclusive (on the stack), % of busy:")
    shown = 0
    for f, w in incl.most_common():
        if f in PSEUDO or f.startswith("Thread (") or f.startswith("Threads"):
            continue
        print(f"  {w / busy * 100:5.1f} %  {short(f)}")
        shown += 1
        if shown >= top:
            break
    if len(args) > 1:
        counters(args[1])


def counters(path):
    try:
        rows = list(csv.DictReader(open(path)))
    except OSError:
        print(f"no counters file {path}")
        return
    values = defaultdict(list)
    for r in rows:
        name = r.get("Counter Name") or r.get("Counter")
        try:
            values[name].append(float(r.get("Mean/Increment") or r.get("Value") or "nan"))
        except ValueError:
            pass
    wanted = re.compile(r"gc|lock|thread|queue|work.?item|exception|cpu|heap|alloc", re.I)
    print("runtime counters (mean of the per-second values over the collection):")
    for name in sorted(values):
        if name and wanted.search(name):
            v = values[name]
            print(f"  {name}: {sum(v) / len(v):,.2f}")


if __name__ == "__main__":
    main()
