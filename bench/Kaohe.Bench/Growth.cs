using System.Globalization;
using System.Text.Json;
using Kaohe.Scoring;
using Kaohe.Scoring.FileFormat;

namespace Kaohe.Bench;

/// <summary>
/// <c>--growth</c>: the engine at a tenth, at and at ten times the national scale (300, 3,000 and 30,000
/// units; groups of the same sizes; the same tree with its formula leaves), in process, one thread:
/// compiling, the full computation and the incremental one, each the median of several runs (issue 20;
/// the growth factors are worked out in bench/README.md). <c>--file SCALE PATH
/// [--formulas]</c> writes such a file (compact JSON) for timing the CLI (bench/growth.sh, bench/run.sh).
/// </summary>
public static class Growth
{
    /// <summary>The workload of <paramref name="scale"/> as a compact assessment file (UTF-8).</summary>
    public static byte[] File(WorkloadScale scale, bool formulas)
    {
        var a = new NationalWorkload(scale: scale, formulas: formulas).Assessment;
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            AssessmentWriter.WriteAssessment(w, a, schemeOnly: false);
        return ms.ToArray();
    }

    public static int WriteFile(string scaleName, string path, bool formulas)
    {
        var scale = WorkloadScale.Growth.FirstOrDefault(s => s.Name == scaleName)
            ?? throw new ArgumentException($"unknown scale {scaleName} ({string.Join(", ", WorkloadScale.Growth.Select(s => s.Name))})");
        System.IO.File.WriteAllBytes(path, File(scale, formulas));
        return 0;
    }

    public static int Run()
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine("| scale | units | groups | file MB | compile ms | full computation ms | incremental ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var scale in WorkloadScale.Growth)
        {
            // Only the file's bytes and what is read from them are kept: a generated workload is hundreds
            // of megabytes of objects, which every full collection during the timings would walk.
            var (bytes, groups, leaf) = (File(scale, formulas: true), 0, "");
            {
                var w = new NationalWorkload(scale: scale, formulas: true);
                (groups, leaf) = (w.GroupCount, w.EfficacyLeafId);
            }
            GC.Collect();
            var runs = scale.Units > 10_000 ? 5 : 15;
            // The file's reading is timed as the CLI does it, once per process (bench/growth.sh): read again and
            // again in one process, its 25 MB of arrays a read make the collector the cost.
            var assessment = KaoheFile.Read(bytes);
            var (compile, _) = Figures.MedianAndMin(() => assessment.Compile(), runs);
            var compiled = assessment.Compile();
            var (full, _) = Figures.MedianAndMin(() => compiled.Compute(), runs * 4);
            var unit = assessment.Assessment!.Units[assessment.Assessment.Units.Count / 2].Id;
            var value = assessment.Assessment.Values.First(v => v.Unit == unit && v.Indicator == leaf).Value!.Value;
            var flip = false;
            var (incremental, _) = Figures.MedianAndMin(() =>
            {
                flip = !flip;
                compiled.SetValue(unit, leaf, flip ? value + 7.5 : value);
                compiled.RecomputeGroupOf(unit);
            }, runs * 20);
            Console.WriteLine(string.Create(inv,
                $"| {scale.Name} | {scale.Units:N0} | {groups:N0} | {bytes.Length / 1e6:F1} | {compile:F1} | {full:F2} | {incremental:F3} |"));
        }
        return 0;
    }
}
