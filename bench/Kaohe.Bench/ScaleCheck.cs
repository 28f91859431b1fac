using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Kaohe.Scoring;
using Kaohe.Scoring.FileFormat;

namespace Kaohe.Bench;

/// <summary>
/// <c>--check</c>: builds the national workload and checks the engine's results at scale. Prints each
/// check with ✓ or ✗ and returns 1 if any failed. Timings printed here are single Stopwatch
/// readings for orientation only; the figures of record come from BenchmarkDotNet.
/// </summary>
public static class ScaleCheck
{
    private static int _failures;

    private static void Check(bool ok, string what)
    {
        Console.WriteLine($"{(ok ? "✓" : "✗")} {what}");
        if (!ok) _failures++;
    }

    public static int Run()
    {
        var sw = Stopwatch.StartNew();
        var w = new NationalWorkload();
        Console.WriteLine($"workload generated in {sw.ElapsedMilliseconds} ms");
        var a = w.Assessment;

        // Shape of the workload
        var nodes = new List<Indicator>();
        var depth = 0;
        void Walk(Indicator x, int d) { nodes.Add(x); depth = Math.Max(depth, d); foreach (var c in x.ChildList) Walk(c, d + 1); }
        foreach (var r in a.Indicators) Walk(r, 1);
        var leaves = nodes.Where(n => n.IsLeaf).ToList();
        var kinds = leaves.GroupBy(l => l.Method!.Kind).ToDictionary(g => g.Key, g => g.Count());
        Console.WriteLine($"units {a.Units.Count}, groups {w.GroupCount}, nodes {nodes.Count}, leaves {leaves.Count}, depth {depth}, values {a.Values.Count}, " +
                          $"adjustments {a.Adjustments.Count}, vetoes {a.Vetoes.Count}, survey answers {w.Responses.Length}");
        Console.WriteLine("leaves by method: " + string.Join(", ", kinds.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}")));
        Check(a.Units.Count == 3000, "3,000 units");
        Check(w.GroupCount is >= 90 and <= 110, $"~100 ranking groups ({w.GroupCount})");
        Check(leaves.Count == 60 && depth == 4, "a 4-level tree of 60 leaves");
        string[] allKinds = ["efficacy", "banded", "ratio", "threshold", "relative", "rank", "deduction", "raters", "survey", "direct"];
        Check(allKinds.All(kinds.ContainsKey), "every method kind is used");
        var eff = leaves.Select(l => l.Method).OfType<EfficacyMethod>().ToList();
        Check(eff.Any(e => e.Satisfactory.Kind == BoundKind.Best) && eff.Any(e => e.Satisfactory.Kind == BoundKind.Fixed), "efficacy with best/worst and with fixed bounds");
        var ded = leaves.Where(l => l.Method is DeductionMethod).Select(l => l.Id).ToHashSet();
        Check(a.Values.Any(v => ded.Contains(v.Indicator) && v.Findings!.Count is not null) && a.Values.Any(v => ded.Contains(v.Indicator) && v.Findings!.Items is not null),
            "deduction with a count and with finding lists");
        Check(leaves.Select(l => l.Method).OfType<RatersMethod>().All(m => m.Raters.Count == 5), "5 raters on every rater leaf");
        Check(nodes.Any(n => !n.IsLeaf && n.Combine == Combine.Geometric) && nodes.Any(n => !n.IsLeaf && n.Combine == Combine.Sum), "both sum and geometric nodes");

        // Survey tallies
        sw.Restart();
        var tally = NationalWorkload.Tally(w.Responses, NationalWorkload.UnitCount);
        var tallyMs = sw.Elapsed.TotalMilliseconds;
        Check(tally.Sum() == NationalWorkload.ResponseCount, $"1,000,000 answers counted into 3,000 tallies ({tallyMs:0.0} ms, one Stopwatch reading)");
        var surveyValues = a.Values.Where(v => v.Indicator == NationalWorkload.SurveyLeafId).ToList();
        Check(surveyValues.Count == 3000 && surveyValues.Sum(v => v.Counts!.Values.Sum()) == NationalWorkload.ResponseCount,
            "the survey leaf's 3,000 counts add up to the 1,000,000 answers");

        // Determinism: the same seed gives the same file, byte for byte.
        var json = V1File.Write(a);
        var again = V1File.Write(new NationalWorkload().Assessment);
        Check(json == again, $"generation is deterministic (v1 file {json.Length / 1024.0 / 1024.0:0.0} MB, SHA-256 {Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..16]}…)");

        // Validation
        sw.Restart();
        var errors = Validator.Validate(a);
        Console.WriteLine($"validated in {sw.ElapsedMilliseconds} ms");
        foreach (var e in errors.Take(5)) Console.WriteLine($"   {e.Path}: {e.Zh} / {e.En}");
        Check(errors.Count == 0, $"Validator.Validate finds no errors ({errors.Count})");
        if (errors.Count > 0) return 1;
        var reread = V1File.Read(json);
        Check(reread.Errors.Count == 0, "the v1 file of the workload reads back without errors");

        var floor = new Floor(a);
        Console.WriteLine($"floor: {floor.RowCount} input rows, {floor.Doubles:N0} doubles ({floor.Doubles * 8 / 1024.0 / 1024.0:0.0} MB) read once per pass");

        // Full computation
        sw.Restart();
        var compiled = Engine.Compile(a);
        var compileMs = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        var result = compiled.Compute();
        Console.WriteLine($"compiled in {compileMs:0} ms, computed in {sw.Elapsed.TotalMilliseconds:0.0} ms (first call, not warmed up)");
        CheckResult(a, result, "full computation");

        // Engine.Score and a re-read file agree with Compile + Compute.
        var scored = Engine.Score(a).Result!;
        Check(SameResults(result, scored), "Engine.Score equals Compile + Compute");
        var fromFile = Engine.Score(reread.Assessment!).Result!;
        Check(SameResults(result, fromFile), "scoring the written-and-read v1 file gives the same results");

        // Invariance under reordering of units and values
        var rng = new Random(7);
        var units = a.Units.ToArray(); rng.Shuffle(units);
        var values = a.Values.ToArray(); rng.Shuffle(values);
        var shuffled = Engine.Score(a with { Units = units, Values = values }).Result!;
        var totalDiff = a.Units.Max(u => Math.Abs(shuffled[u.Id].Total - result[u.Id].Total));
        var rankDiffs = a.Units.Where(u => shuffled[u.Id].Rank != result[u.Id].Rank).ToList();
        var bitDiffs = a.Units.Count(u => shuffled[u.Id].Total != result[u.Id].Total);
        var leafDiffs = leaves.Where(l => a.Units.Any(u => shuffled[u.Id].Scores[l.Id] != result[u.Id].Scores[l.Id]))
            .Select(l => $"{l.Id} {l.Method!.Kind}").ToList();
        Console.WriteLine($"   reordered: {bitDiffs} totals differ in the last bits (max {totalDiff:g3}); leaves affected: {string.Join(", ", leafDiffs)}");
        foreach (var u in rankDiffs.Take(4).Select(u => u.Id))
            Console.WriteLine($"   {u}: total {result[u].Total:R} rank {result[u].Rank} vs reordered {shuffled[u].Total:R} rank {shuffled[u].Rank}");
        Check(totalDiff < 1e-9, "totals do not depend on the order of units and values (to 1e-9)");
        Check(rankDiffs.Count == 0, $"ranks do not depend on the order of units and values ({rankDiffs.Count} units differ)");

        // Survey leaf recomputed from the tallies
        var surveyLeaf = leaves.Single(l => l.Id == NationalWorkload.SurveyLeafId);
        var maxDiff = 0.0;
        for (var u = 0; u < NationalWorkload.UnitCount; u++)
        {
            var c = tally.AsSpan(u * 4, 4);
            var expected = surveyLeaf.Points * (100.0 * c[0] + 75.0 * c[1] + 55.0 * c[2]) / (c[0] + c[1] + c[2]) / 100;
            maxDiff = Math.Max(maxDiff, Math.Abs(expected - result.Units[u].Scores[surveyLeaf.Id]));
        }
        Check(maxDiff < 1e-12, $"survey scores equal points × Σ(count × value) / Σ counted / 100 from the tallies (max diff {maxDiff:g3})");

        // Twins tie
        Check(w.Twins.All(t => result[t.Unit].Total == result[t.Twin].Total && result[t.Unit].Rank == result[t.Twin].Rank),
            $"{w.Twins.Count} twin units share their twin's total and rank");

        // Incremental recomputation equals a fresh full computation on the changed data.
        var unit = NationalWorkload.UnitId(1500);
        var leaf = w.EfficacyLeafId;
        var old = a.Values.First(v => v.Unit == unit && v.Indicator == leaf).Value!.Value;
        foreach (var newValue in new[] { old + 30, old - 30, old + 0.01 })
        {
            compiled.SetValue(unit, leaf, newValue);
            var incremental = compiled.RecomputeGroupOf(unit);
            var changed = a with { Values = [.. a.Values.Select(v => v.Unit == unit && v.Indicator == leaf ? v with { Value = newValue } : v)] };
            var fresh = Engine.Score(changed).Result!;
            Check(SameResults(incremental, fresh), $"SetValue({unit}, {leaf}, {newValue:0.##}) + RecomputeGroupOf equals a fresh computation");
            CheckResult(changed, incremental, $"after SetValue to {newValue:0.##}", quiet: true);
            compiled.SetValue(unit, leaf, old);
            compiled.RecomputeGroupInPlace(unit);
            Check(compiled.TotalOf(unit) == result[unit].Total, "RecomputeGroupInPlace after restoring the value gives the original total back");
        }

        // Explanations
        var explainedLeaf = result.Explain(unit, leaf);
        Check(explainedLeaf.Score == result[unit].Scores[leaf] && explainedLeaf.Inputs.Any(i => i.HeldBy is { Length: > 0 }),
            "Explain of an efficacy leaf gives its score and names the units holding best/worst");
        var explainedTotal = result.Explain(unit);
        Console.WriteLine($"   {explainedTotal.FormulaZh}");
        Check(Math.Abs(explainedTotal.Score - result[unit].Total) < 1e-9, "Explain of a total gives the total");

        CheckFormulaVariant(w);

        Console.WriteLine(_failures == 0 ? "all checks passed" : $"{_failures} check(s) FAILED");
        return _failures == 0 ? 0 : 1;
    }

    /// <summary>
    /// The engine benchmarks' variant (version 2): 20 measures, 10 formula leaves, everything else as
    /// the plain workload; its results equal the plain engine's on the values the formulas computed.
    /// </summary>
    private static void CheckFormulaVariant(NationalWorkload plain)
    {
        var sw = Stopwatch.StartNew();
        var w = new NationalWorkload(formulas: true);
        var a = w.Assessment;
        Console.WriteLine($"formula variant generated in {sw.ElapsedMilliseconds} ms: {string.Join(", ", w.FormulaLeafIds)}");
        Check(a.Version == 2 && a.Measures.Count == 20 && a.Data.Count == 20 * NationalWorkload.UnitCount && w.FormulaLeafIds.Count == 10,
            "formula variant: version 2, 20 measures with a figure per unit, 10 formula leaves");
        var text = KaoheFile.Write(a);
        Check(text == KaoheFile.Write(new NationalWorkload(formulas: true).Assessment), $"formula variant: generation is deterministic ({text.Length / 1024.0 / 1024.0:0.0} MB)");
        var others = plain.Assessment with { Values = [.. plain.Assessment.Values.Where(v => !w.FormulaLeafIds.Contains(v.Indicator))] };
        Check(V1File.Write(others) == V1File.Write(a with { Version = 1, Measures = [], Data = [], Indicators = plain.Assessment.Indicators }),
            "formula variant: units, every other value, adjustments, vetoes and rules are the plain workload's, value for value");
        sw.Restart();
        var outcome = Engine.Score(a);
        Console.WriteLine($"formula variant scored in {sw.ElapsedMilliseconds} ms (validate, evaluate, compile, compute; first call)");
        foreach (var e in outcome.Errors.Take(5)) Console.WriteLine($"   {e.Path}: {e.Zh} / {e.En}");
        Check(outcome.IsValid, $"formula variant: validates ({outcome.Errors.Count} errors)");
        if (!outcome.IsValid) return;
        var result = outcome.Result!;
        CheckResult(a, result, "formula variant", quiet: true);
        var asValues = a with
        {
            Version = 1,
            Measures = [],
            Data = [],
            Indicators = [.. a.Indicators.Select(WithoutFormulas)],
            Values = [.. a.Values, .. a.Units.SelectMany(u => w.FormulaLeafIds.Select(l => new DataValue(u.Id, l, result[u.Id].Values[l])))],
        };
        Check(SameResults(result, Engine.Score(asValues).Result!), "formula variant: equals the version 1 engine given the values the formulas computed");
        var reread = KaoheFile.Read(text);
        Check(reread.IsValid && SameResults(result, Engine.Score(reread.Assessment!).Result!), "formula variant: the written-and-read version 2 file gives the same results");
    }

    private static Indicator WithoutFormulas(Indicator n) =>
        n.IsLeaf ? n with { Formula = null, ValueDecimals = null } : n with { Children = [.. n.ChildList.Select(WithoutFormulas)] };

    private static bool SameResults(AssessmentResult x, AssessmentResult y) =>
        x.Units.Count == y.Units.Count && x.Units.All(u =>
        {
            var v = y[u.Id];
            return u.Total == v.Total && u.Rank == v.Rank && u.Grade == v.Grade && u.Commended == v.Commended
                   && u.Criticized == v.Criticized && u.Vetoed == v.Vetoed && u.Scores.All(s => v.Scores[s.Key] == s.Value);
        });

    /// <summary>The invariants of scoring-format.md, checked on every unit and every group.</summary>
    private static void CheckResult(Assessment a, AssessmentResult r, string label, bool quiet = false)
    {
        var failuresBefore = _failures;
        void C(bool ok, string what) { if (!quiet || !ok) Check(ok, $"{label}: {what}"); }
        C(r.Units.All(u => double.IsFinite(u.Total) && u.Scores.Values.All(double.IsFinite)), "every total and every node score is finite");
        var roots = a.Indicators.Select(i => i.Id).ToArray();
        var bonus = a.Adjustments.Where(x => x.Points > 0).GroupBy(x => x.Unit).ToDictionary(g => g.Key, g => Math.Min(g.Sum(x => x.Points), a.Rules.BonusCap ?? double.MaxValue));
        var deduction = a.Adjustments.Where(x => x.Points < 0).GroupBy(x => x.Unit).ToDictionary(g => g.Key, g => Math.Min(-g.Sum(x => x.Points), a.Rules.DeductionCap ?? double.MaxValue));
        C(r.Units.All(u =>
        {
            var adj = bonus.GetValueOrDefault(u.Id) - deduction.GetValueOrDefault(u.Id);
            return Math.Abs(u.Adjustment - adj) < 1e-12 && Math.Abs(u.Total - (roots.Sum(id => u.Scores[id]) + adj)) < 1e-9;
        }), "total = Σ root scores + capped adjustments");

        var vetoed = a.Vetoes.Select(v => v.Unit).ToHashSet();
        C(r.Units.All(u => u.Vetoed == vetoed.Contains(u.Id)), "vetoed units are flagged");
        C(r.Units.All(u => !(u.Vetoed && u.Commended)), "no vetoed unit is commended");
        C(r.Units.All(u => !(u.Commended && u.Criticized)), "no unit is both commended and criticized");
        C(r.Units.All(u => u.Vetoed ? u.Grade == "不合格" : u.Grade == (u.RoundedTotal >= 90 ? "优秀" : u.RoundedTotal >= 80 ? "良好" : u.RoundedTotal >= 60 ? "合格" : "不合格")),
            "grades follow the rounded total (vetoed: lowest grade)");

        var groups = r.Units.GroupBy(u => u.Group).ToList();
        var permutation = true; var commendOk = true; var criticizeOk = true; var tiedGroups = 0;
        foreach (var g in groups)
        {
            var members = g.ToList();
            // Competition ranking on rounded totals: rank = 1 + number strictly better; ranks cover 1..n with ties shared.
            foreach (var u in members)
                permutation &= u.Rank == 1 + members.Count(o => o.RoundedTotal > u.RoundedTotal) && u.GroupSize == members.Count;
            var ranks = members.Select(u => u.Rank).OrderBy(x => x).ToList();
            permutation &= ranks[0] == 1 && ranks.Max() <= members.Count;
            if (ranks.Distinct().Count() < ranks.Count) tiedGroups++;

            var eligible = members.Where(u => !u.Vetoed).OrderByDescending(u => u.RoundedTotal).ToList();
            var commended = members.Where(u => u.Commended).ToList();
            if (eligible.Count > 0)
            {
                var cut = eligible[Math.Min(2, eligible.Count) - 1].RoundedTotal;
                commendOk &= commended.Count >= Math.Min(2, eligible.Count) && eligible.Where(u => u.RoundedTotal >= cut).All(u => u.Commended)
                             && commended.All(u => u.RoundedTotal >= cut);
            }
            var worst = members.Where(u => !u.Commended).OrderBy(u => u.RoundedTotal).ToList();
            var criticized = members.Where(u => u.Criticized).ToList();
            if (worst.Count > 0)
            {
                var cut = worst[Math.Min(2, worst.Count) - 1].RoundedTotal;
                criticizeOk &= criticized.Count >= Math.Min(2, worst.Count) && worst.Where(u => u.RoundedTotal <= cut).All(u => u.Criticized)
                               && criticized.All(u => u.RoundedTotal <= cut);
            }
        }
        C(permutation, $"ranks in each of {groups.Count} groups are 1 + the number of better rounded totals ({tiedGroups} groups have shared ranks)");
        C(tiedGroups > 0, "ties occur and share a rank");
        C(commendOk, "the 2 best non-vetoed units of each group are commended, ties at the edge included");
        C(criticizeOk, "the 2 worst units of each group are criticized, ties at the edge included");
        if (!quiet)
        {
            var totals = r.Units.Select(u => u.Total).ToArray();
            Console.WriteLine($"   totals from {totals.Min():0.00} to {totals.Max():0.00}, mean {totals.Average():0.00}; grades " +
                string.Join(", ", r.Units.GroupBy(u => u.Grade).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")) +
                $"; commended {r.Units.Count(u => u.Commended)}, criticized {r.Units.Count(u => u.Criticized)}");
        }
        if (quiet && _failures == failuresBefore) Console.WriteLine($"✓ {label}: all result invariants hold");
    }
}
