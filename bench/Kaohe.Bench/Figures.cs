using System.Diagnostics;
using System.Globalization;
using Kaohe.Scoring;

namespace Kaohe.Bench;

/// <summary>
/// <c>--figures</c>: the engine's lines for bench/run.sh, measured with a Stopwatch on the national
/// workload in a few seconds (the BenchmarkDotNet job gives the full statistics). Each figure is the
/// median of many runs after a warm-up, on the current thread (run.sh pins the process to one core).
/// </summary>
public static class Figures
{
    public static int Run()
    {
        var w = new NationalWorkload(formulas: true); // the national workload with its 10 formula leaves (issue 16)
        var compiled = CompiledAssessment.CompileValidated(w.Assessment);
        var floor = new Floor(w.Assessment);
        var unit = NationalWorkload.UnitId(NationalWorkload.UnitCount / 2);
        var leaf = w.EfficacyLeafId;
        var value = w.Assessment.Values.First(v => v.Unit == unit && v.Indicator == leaf).Value!.Value;
        var flip = false;

        var (full, fullMin) = MedianAndMin(() => compiled.Compute(), runs: 60);
        var incremental = Median(() =>
        {
            flip = !flip;
            compiled.SetValue(unit, leaf, flip ? value + 7.5 : value);
            compiled.RecomputeGroupOf(unit);
        }, runs: 400);
        var oneUnitPerGroup = compiled.Compute().Units.GroupBy(u => u.Group).Select(g => g.First().Id).ToArray();
        var inPlace = Median(() => { foreach (var u in oneUnitPerGroup) compiled.RecomputeGroupInPlace(u); }, runs: 60);
        var (floorMs, floorMin) = MedianAndMin(() => floor.Pass(), runs: 400);
        var validateAndCompile = Median(() => Engine.Compile(w.Assessment), runs: 8);

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"engine_full_ms: {full:F2}"));
        Console.WriteLine(string.Create(inv, $"engine_incremental_ms: {incremental:F3}"));
        Console.WriteLine(string.Create(inv, $"engine_all_groups_in_place_ms: {inPlace:F2}"));
        Console.WriteLine(string.Create(inv, $"engine_floor_ms: {floorMs:F3}"));
        Console.WriteLine(string.Create(inv, $"engine_floor_ratio: {full / floorMs:F1}"));
        Console.WriteLine(string.Create(inv, $"engine_validate_compile_ms: {validateAndCompile:F1}"));
        // On a shared, loaded machine the fastest run is the best estimate of the uncontended cost,
        // and the thread's CPU time (which leaves out waiting for the core) a steadier one.
        if (ThreadCpu.Available)
        {
            var fullCpu = MedianCpu(() => compiled.Compute(), runs: 60);
            var floorCpu = MedianCpu(() => floor.Pass(), runs: 400);
            Console.WriteLine(string.Create(inv, $"engine_full_cpu_ms: {fullCpu:F2}"));
            Console.WriteLine(string.Create(inv, $"engine_floor_cpu_ms: {floorCpu:F3}"));
            Console.WriteLine(string.Create(inv, $"engine_floor_ratio_cpu: {fullCpu / floorCpu:F1}"));
        }
        Console.WriteLine(string.Create(inv, $"engine_full_min_ms: {fullMin:F2}"));
        Console.WriteLine(string.Create(inv, $"engine_floor_min_ms: {floorMin:F3}"));
        Console.WriteLine(string.Create(inv, $"engine_floor_ratio_min: {fullMin / floorMin:F1}"));

        // Ten times the units (30,000 in about 1,000 groups of the same sizes), the same tree: a full
        // computation should take at most ten times as long (issue 20).
        w = null!;
        compiled = null!;
        GC.Collect();
        var (full10, _) = FullAtScale(WorkloadScale.TenTimes, runs: 20);
        Console.WriteLine(string.Create(inv, $"engine_full_ms_x10: {full10:F2}"));
        Console.WriteLine(string.Create(inv, $"engine_x10_over_full: {full10 / full:F1}"));
        return 0;
    }

    /// <summary>Median and fastest full computation of the formula workload at <paramref name="scale"/>.</summary>
    internal static (double Median, double Min) FullAtScale(WorkloadScale scale, int runs)
    {
        var compiled = CompiledAssessment.CompileValidated(new NationalWorkload(scale: scale, formulas: true).Assessment);
        return MedianAndMin(() => compiled.Compute(), runs);
    }

    private static double Median(Action op, int runs) => MedianAndMin(op, runs).Median;

    /// <summary>Median thread CPU time of <paramref name="op"/> (after the same warm-up as <see cref="MedianAndMin"/>).</summary>
    private static double MedianCpu(Action op, int runs)
    {
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < 1.5) op();
        var times = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var start = ThreadCpu.NowMs();
            op();
            times[i] = ThreadCpu.NowMs() - start;
        }
        Array.Sort(times);
        return times[runs / 2];
    }

    internal static (double Median, double Min) MedianAndMin(Action op, int runs)
    {
        // Enough warm-up for tiered compilation to reach its optimised code (tier 1 after 30 calls and a delay).
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < 1.5) op();
        var times = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var start = Stopwatch.GetTimestamp();
            op();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        return (times[runs / 2], times[0]);
    }
}
