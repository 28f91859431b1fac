using System.Diagnostics;
using Kaohe.Scoring;

namespace Kaohe.Bench;

/// <summary><c>--spin</c>: repeats one engine operation for a while so that an outside profiler (perf) can sample it.</summary>
public static class Spin
{
    public static int Run(string what, double seconds)
    {
        var w = new NationalWorkload(formulas: true); // the national workload with its 10 formula leaves (issue 16)
        var compiled = CompiledAssessment.CompileValidated(w.Assessment);
        var result = compiled.Compute();
        var perGroup = result.Units.GroupBy(u => u.Group).Select(g => g.First().Id).ToArray();
        var unit = NationalWorkload.UnitId(NationalWorkload.UnitCount / 2);
        Action op = what switch
        {
            "compute" => () => compiled.Compute(),
            "groups" => () => Array.ForEach(perGroup, compiled.RecomputeGroupInPlace),
            "incremental" => () => compiled.RecomputeGroupOf(unit),
            "validate" => () => Validator.Validate(w.Assessment),
            "compile" => () => CompiledAssessment.CompileValidated(w.Assessment),
            _ => throw new ArgumentException($"unknown operation {what}"),
        };
        var sw = Stopwatch.StartNew();
        var n = 0;
        while (sw.Elapsed.TotalSeconds < seconds) { op(); n++; }
        Console.WriteLine($"{what}: {n} runs, {sw.Elapsed.TotalMilliseconds / n:0.000} ms each (Stopwatch, not a benchmark)");
        return 0;
    }
}
