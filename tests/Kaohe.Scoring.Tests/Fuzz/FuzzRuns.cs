using CsCheck;

namespace Kaohe.Scoring.Tests.Fuzz;

/// <summary>
/// Seeded fuzz runs (the same rule as the web fuzz): <c>./test.sh</c> runs fixed run seeds, so the same
/// cases every time and never red by chance; <c>KAOHE_FUZZ_SEED=N</c> replays the run a failure named;
/// <c>KAOHE_FUZZ_RUNS=N</c> draws N new runs (<c>bench/fuzz.sh</c>). CsCheck generates the cases from a
/// PCG seeded by the run, so one number replays every case of it.
/// </summary>
internal static class FuzzRuns
{
    private static readonly ulong[] Fixed = [20231];

    public static IReadOnlyList<ulong> Seeds()
    {
        if (ulong.TryParse(Environment.GetEnvironmentVariable("KAOHE_FUZZ_SEED"), out var replay)) return [replay];
        if (int.TryParse(Environment.GetEnvironmentVariable("KAOHE_FUZZ_RUNS"), out var runs) && runs > 0)
            return [.. Enumerable.Range(0, runs).Select(_ => (ulong)Random.Shared.NextInt64(0, long.MaxValue))];
        return Fixed;
    }

    /// <summary>
    /// <see cref="Sample{T}(Gen{T}, long, Action{T})"/> in CsCheck's argument order, for the property tests
    /// written as <c>gen.Sample(check, iter: n)</c>: the same seeded runs instead of CsCheck's own random seed.
    /// </summary>
    public static void Seeded<T>(this Gen<T> gen, Action<T> check, long iter, int threads = 1)
    {
        _ = threads; // one thread: a run's cases come in the order its seed gives
        Sample(gen, iter, check);
    }

    /// <summary>Runs <paramref name="check"/> on <paramref name="cases"/> generated values per run; a failure names its run seed and case.</summary>
    public static void Sample<T>(Gen<T> gen, long cases, Action<T> check)
    {
        foreach (var seed in Seeds())
        {
            var pcg = new PCG(7, seed);
            for (var i = 0; i < cases; i++)
            {
                var value = gen.Generate(pcg, null, out _);
                try
                {
                    check(value);
                }
                catch (Exception e)
                {
                    var shown = value is byte[] b ? Convert.ToHexString(b) : value?.ToString() ?? "null";
                    // The whole input, for a case too long to print.
                    var file = Path.Combine(Path.GetTempPath(), $"kaohe-fuzz-{seed}-{i}.txt");
                    if (value is byte[] raw) File.WriteAllBytes(file, raw);
                    else File.WriteAllText(file, shown);
                    throw new Xunit.Sdk.XunitException(
                        $"case {i} of run {seed} failed; replay with KAOHE_FUZZ_SEED={seed}; the whole input is in {file}\ninput: {(shown.Length > 2000 ? shown[..2000] + "…" : shown)}\n{e}");
                }
            }
        }
    }
}
