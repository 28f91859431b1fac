using BenchmarkDotNet.Attributes;
using Kaohe.Scoring;

namespace Kaohe.Bench;

/// <summary>The engine on the national workload. Each benchmark runs in its own process on one core (see Program).</summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private static NationalWorkload? _shared;
    private NationalWorkload _w = null!;
    private CompiledAssessment _compiled = null!;
    private AssessmentResult _result = null!;
    private Floor _floor = null!;
    private string _unit = null!;
    private string _leaf = null!;
    private string _explainLeaf = null!;
    private double _low, _high;
    private int _flip;
    private string[] _oneUnitPerGroup = null!;
    private double[] _totals = null!;

    [GlobalSetup]
    public void Setup()
    {
        _w = _shared ??= new NationalWorkload(formulas: true); // the national workload with its 10 formula leaves (issue 16)
        _compiled = CompiledAssessment.CompileValidated(_w.Assessment);
        _result = _compiled.Compute();
        _floor = new Floor(_w.Assessment);
        _oneUnitPerGroup = [.. _result.Units.GroupBy(u => u.Group).Select(g => g.First().Id)];
        _totals = [.. _result.Units.Select(u => u.Total)];
        // A unit in the middle of the list, its value on an efficacy leaf with best/worst bounds.
        _unit = NationalWorkload.UnitId(NationalWorkload.UnitCount / 2);
        _leaf = _w.EfficacyLeafId;
        _explainLeaf = _w.EfficacyLeafId;
        var current = _w.Assessment.Values.First(v => v.Unit == _unit && v.Indicator == _leaf).Value!.Value;
        (_low, _high) = (current, current + 7.5);
    }

    [Benchmark(Description = "Validate (Validator.Validate)")]
    public int Validate() => Validator.Validate(_w.Assessment).Count;

    [Benchmark(Description = "Compile without validation (CompileValidated)")]
    public CompiledAssessment CompileOnly() => CompiledAssessment.CompileValidated(_w.Assessment);

    [Benchmark(Description = "Engine.Compile (validates, then compiles)")]
    public CompiledAssessment EngineCompile() => Engine.Compile(_w.Assessment);

    [Benchmark(Description = "Compute (full national computation)", Baseline = true)]
    public AssessmentResult Compute() => _compiled.Compute();

    [Benchmark(Description = "CompileValidated + Compute")]
    public AssessmentResult CompileAndCompute() => CompiledAssessment.CompileValidated(_w.Assessment).Compute();

    [Benchmark(Description = "Engine.Score (validate + compile + compute)")]
    public AssessmentResult? Score() => Engine.Score(_w.Assessment).Result;

    /// <summary>Every group recomputed in place: Compute without building the result objects.</summary>
    [Benchmark(Description = "All groups in place (Compute minus BuildResult)")]
    public double AllGroupsInPlace()
    {
        foreach (var u in _oneUnitPerGroup) _compiled.RecomputeGroupInPlace(u);
        return _compiled.TotalOf(_unit);
    }

    /// <summary>The engine's 四舍五入 of the 3,000 totals for ranking (it goes through decimal).</summary>
    [Benchmark(Description = "Round 3,000 totals (Rounding.HalfAwayFromZero)")]
    public double RoundTotals()
    {
        var s = 0.0;
        foreach (var t in _totals) s += Rounding.HalfAwayFromZero(t, 2);
        return s;
    }

    [Benchmark(Description = "SetValue + RecomputeGroupInPlace (one group)")]
    public double IncrementalInPlace()
    {
        _compiled.SetValue(_unit, _leaf, (_flip ^= 1) == 0 ? _low : _high);
        _compiled.RecomputeGroupInPlace(_unit);
        return _compiled.TotalOf(_unit);
    }

    [Benchmark(Description = "SetValue + RecomputeGroupOf (one group, full result)")]
    public AssessmentResult IncrementalWithResult()
    {
        _compiled.SetValue(_unit, _leaf, (_flip ^= 1) == 0 ? _low : _high);
        return _compiled.RecomputeGroupOf(_unit);
    }

    [Benchmark(Description = "Floor: read every input once")]
    public double FloorPass() => _floor.Pass();

    [Benchmark(Description = "Tally 1M survey answers into 3,000 tallies")]
    public int[] Tally() => NationalWorkload.Tally(_w.Responses, NationalWorkload.UnitCount);

    [Benchmark(Description = "Tally 1M answers + build 3,000 counts objects")]
    public Dictionary<string, double>[] TallyToCounts() =>
        NationalWorkload.TallyToCounts(NationalWorkload.Tally(_w.Responses, NationalWorkload.UnitCount));

    [Benchmark(Description = "Explain one leaf (efficacy best/worst)")]
    public Explanation ExplainLeaf() => _result.Explain(_unit, _explainLeaf);

    [Benchmark(Description = "Explain a total")]
    public Explanation ExplainTotal() => _result.Explain(_unit);
}
