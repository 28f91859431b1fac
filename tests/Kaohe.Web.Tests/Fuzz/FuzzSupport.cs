using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Kaohe.Data;
using Kaohe.Web.Features.Surveys;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;

namespace Kaohe.Web.Tests.Fuzz;

/// <summary>
/// Which runs a fuzz test makes. A run is a seed; every case of the run is drawn from <c>new Random(seed)</c>,
/// so a run is replayed exactly by its seed. <c>./test.sh</c> runs the fixed seeds below (the same cases every
/// time: CI is never red by chance); <c>KAOHE_FUZZ_SEED=N</c> replays the run a failure printed;
/// <c>KAOHE_FUZZ_RUNS=N</c> draws N new run seeds (<c>bench/fuzz.sh</c>, the long random search) and every
/// failure names the seed that replays it.
/// </summary>
internal static class FuzzRuns
{
    public const string SeedVariable = "KAOHE_FUZZ_SEED", RunsVariable = "KAOHE_FUZZ_RUNS";

    /// <summary>The fixed runs of ./test.sh: enough cases to cover every damage kind, the same every time.</summary>
    private static readonly int[] Fixed = [20231, 7];

    public static IReadOnlyList<int> Seeds(int fixedRuns = 2)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), out var replay)) return [replay];
        if (int.TryParse(Environment.GetEnvironmentVariable(RunsVariable), out var runs) && runs > 0)
            return [.. Enumerable.Range(0, runs).Select(_ => Random.Shared.Next())];
        return Fixed[..Math.Min(fixedRuns, Fixed.Length)];
    }

    public static string Replay(int seed) => $"{SeedVariable}={seed}";
}

/// <summary>What a hostile request may get back: a 2xx, or a 4xx (a problem for the API). Anything else is collected by kind.</summary>
internal sealed class Outcomes
{
    private readonly Dictionary<string, string> _problems = [];
    public int Cases { get; private set; }
    public Dictionary<int, int> ByStatus { get; } = [];

    /// <summary>Checks one answer; <paramref name="replay"/> says how to replay the case (its run seed), kept for the first failure of each kind.</summary>
    public async Task CheckAsync(string what, HttpResponseMessage r, bool api, string? replay = null)
    {
        Cases++;
        var status = (int)r.StatusCode;
        ByStatus[status] = ByStatus.GetValueOrDefault(status) + 1;
        var body = await r.Content.ReadAsStringAsync();
        var how = replay is null ? "" : $"replay: {replay}\n";
        if (status >= 500) _problems.TryAdd($"{what} → {status}", how + Head(body));
        else if (api && status >= 400 && r.Content.Headers.ContentType?.MediaType != "application/problem+json")
            _problems.TryAdd($"{what} → {status} without a problem body", $"{how}{r.Content.Headers.ContentType}: {Head(body)}");
    }

    public void Problem(string kind, string detail) => _problems.TryAdd(kind, detail);

    public int Failures => _problems.Count;

    public void AssertNone() =>
        Assert.True(_problems.Count == 0, $"{_problems.Count} kind(s) of failure in {Cases} cases:\n\n" + string.Join("\n\n", _problems.Select(kv => $"[{kv.Key}]\n{kv.Value}")));

    public string Summary => $"{Cases} cases: " + string.Join(", ", ByStatus.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}×{kv.Value}"));

    public static string Head(string s) => s.Length <= 700 ? s : s[..700] + "…";
}

/// <summary>Counts of the rows an import or a call may add: a refusal must leave every one unchanged.</summary>
internal sealed record RowCounts(int Facts, int Schemes, int PaperResponses, int Audit)
{
    public static Task<RowCounts> OfAsync(AppFixture app) => app.WithDb(async db => new RowCounts(
        await db.Facts.CountAsync(), await db.Schemes.CountAsync(), await db.Set<SurveyResponse>().CountAsync(), await db.AuditEntries.CountAsync()));
}

/// <summary>Hostile .xlsx files: mutated templates, generated workbooks, broken packages and zip bombs.</summary>
internal static partial class Workbooks
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static readonly object?[] HostileCells =
    [
        null, "", " ", "=1+1", "+SUM(A1:A9)", "-2+3", "@cmd", "\t=1", "\r=1", "=HYPERLINK(\"http://x\",\"y\")", "1e309", "-1e309", "NaN", "Infinity",
        double.MaxValue, double.MinValue, double.Epsilon, -0.0, 0, -1, int.MaxValue, long.MinValue, 1e15, 12345678901234567890.0,
        true, false, new DateTime(1900, 1, 1), new DateTime(9999, 12, 31), "2023-Q1", "A1", "zj-lasa", "zj-nyingchi", "拉萨", "满意", "不了解",
        new string('长', 40_000), "a\u0000b", "\uD83D\uDE00", "\u202E", "<script>alert(1)</script>", "'; DROP TABLE \"Facts\";--", "../../etc/passwd",
    ];

    /// <summary>A workbook generated from scratch: random sheet names (sometimes the expected one), random headers and typed cells.</summary>
    public static byte[] Generate(Random rnd, IReadOnlyList<string> sheetNames, IReadOnlyList<string> headers)
    {
        var sheets = new Dictionary<string, object>();
        var count = 1 + rnd.Next(3);
        for (var s = 0; s < count; s++)
        {
            var name = rnd.Next(3) == 0 || sheetNames.Count == 0 ? RandomName(rnd) : sheetNames[rnd.Next(sheetNames.Count)];
            if (sheets.ContainsKey(name)) continue;
            var cols = rnd.Next(2) == 0 && headers.Count > 0 ? headers.ToList() : [.. Enumerable.Range(0, 1 + rnd.Next(8)).Select(_ => RandomName(rnd))];
            cols = [.. cols.Distinct()];
            var rows = new List<Dictionary<string, object?>>();
            var n = rnd.Next(12);
            for (var i = 0; i < n; i++)
                rows.Add(cols.ToDictionary(c => c, _ => HostileCells[rnd.Next(HostileCells.Length)]));
            if (rows.Count == 0) rows.Add(cols.ToDictionary(c => c, _ => (object?)null));
            sheets[name] = rows;
        }
        using var ms = new MemoryStream();
        ms.SaveAs(sheets);
        return ms.ToArray();
    }

    private static string RandomName(Random rnd)
    {
        string[] names = ["Sheet1", "填报", "评分", "纸质问卷", "指标", "规则", "等次", "说明", "x", "'quoted'", "名称很长的工作表名称名称很长的", "A B", "1"];
        return names[rnd.Next(names.Length)];
    }

    /// <summary>One random change to a valid workbook: bytes, truncation, a cell's XML, a sheet name, a formula.</summary>
    public static (byte[] Bytes, string What) Mutate(byte[] valid, Random rnd)
    {
        switch (rnd.Next(7))
        {
            case 0:
            {
                var b = (byte[])valid.Clone();
                var k = 1 + rnd.Next(8);
                for (var i = 0; i < k; i++) b[rnd.Next(b.Length)] = (byte)rnd.Next(256);
                return (b, $"{k} bytes flipped");
            }
            case 1:
                return (valid[..rnd.Next(valid.Length)], "truncated");
            case 2:
                return (RewriteSheetXml(valid, xml =>
                {
                    var values = ValueElement().Matches(xml);
                    if (values.Count == 0) return xml;
                    var m = values[rnd.Next(values.Count)];
                    var hostile = HostileCells[rnd.Next(HostileCells.Length)]?.ToString() ?? "";
                    return xml[..m.Index] + "<v>" + System.Security.SecurityElement.Escape(hostile) + "</v>" + xml[(m.Index + m.Length)..];
                }), "a cell value replaced");
            case 3:
                return (RewriteSheetXml(valid, xml =>
                {
                    var types = TypeAttribute().Matches(xml);
                    if (types.Count == 0) return xml;
                    var m = types[rnd.Next(types.Count)];
                    string[] kinds = ["b", "e", "n", "d", "s", "str", "inlineStr", "zz"];
                    return xml[..m.Index] + $"t=\"{kinds[rnd.Next(kinds.Length)]}\"" + xml[(m.Index + m.Length)..];
                }), "a cell type changed");
            case 4:
                return (RewriteSheetXml(valid, xml =>
                {
                    var at = xml.IndexOf("<v>", StringComparison.Ordinal);
                    return at < 0 ? xml : xml.Insert(at, "<f>SUM(A1:A2)</f>");
                }), "a formula inserted");
            case 5:
                return (RewriteEntry(valid, "xl/workbook.xml", xml => SheetName().Replace(xml, _ => $"name=\"{RandomName(rnd)}\"", 1)), "a sheet renamed");
            default:
                return (RewriteSheetXml(valid, xml => rnd.Next(3) switch
                {
                    0 => xml.Replace("<sheetData>", "<sheetData><row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row>"),
                    1 => xml[..(xml.Length / 2)],
                    _ => xml.Replace("</sheetData>", "<row r=\"-5\"><c r=\"A-5\" t=\"s\"><v>99999</v></c></row></sheetData>"),
                }), "sheet XML damaged");
        }
    }

    public static byte[] RewriteSheetXml(byte[] xlsx, Func<string, string> change) => RewriteEntry(xlsx, null, change);

    /// <summary>Rewrites one entry (or the first worksheet) of the package.</summary>
    public static byte[] RewriteEntry(byte[] xlsx, string? entryName, Func<string, string> change)
    {
        using var ms = new MemoryStream();
        ms.Write(xlsx);
        try
        {
            using (var zip = new ZipArchive(ms, ZipArchiveMode.Update, leaveOpen: true))
            {
                var entry = entryName is null
                    ? zip.Entries.FirstOrDefault(e => e.FullName.StartsWith("xl/worksheets/sheet", StringComparison.Ordinal))
                    : zip.GetEntry(entryName);
                if (entry is null) return xlsx;
                string text;
                using (var r = new StreamReader(entry.Open())) text = r.ReadToEnd();
                var name = entry.FullName;
                entry.Delete();
                var fresh = zip.CreateEntry(name);
                using var w = new StreamWriter(fresh.Open(), new UTF8Encoding(false));
                w.Write(change(text));
            }
            return ms.ToArray();
        }
        catch (InvalidDataException)
        {
            return xlsx;
        }
    }

    /// <summary>
    /// A zip bomb dressed as a workbook: a valid package whose first worksheet inflates to <paramref name="unpacked"/>
    /// bytes of whitespace (about a thousandth of that compressed). With <paramref name="lie"/> the local and central
    /// headers claim the sheet is 4 KB, so only counting the real inflated bytes can catch it.
    /// </summary>
    public static byte[] Bomb(byte[] template, long unpacked, bool lie)
    {
        using var ms = new MemoryStream();
        using (var src = new ZipArchive(new MemoryStream(template), ZipArchiveMode.Read))
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            var sheet = src.Entries.First(e => e.FullName.StartsWith("xl/worksheets/sheet", StringComparison.Ordinal)).FullName;
            foreach (var e in src.Entries)
            {
                var entry = zip.CreateEntry(e.FullName, CompressionLevel.SmallestSize);
                using var to = entry.Open();
                if (e.FullName != sheet)
                {
                    using var from = e.Open();
                    from.CopyTo(to);
                    continue;
                }
                var head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"u8.ToArray();
                to.Write(head);
                var chunk = new byte[1 << 20];
                Array.Fill(chunk, (byte)' ');
                for (long written = head.Length; written < unpacked; written += chunk.Length) to.Write(chunk);
                to.Write("</sheetData></worksheet>"u8);
            }
        }
        var bytes = ms.ToArray();
        if (lie) LieAboutSizes(bytes, 4096);
        return bytes;
    }

    /// <summary>Overwrites the uncompressed size of every entry in the local and central headers.</summary>
    private static void LieAboutSizes(byte[] b, uint size)
    {
        for (var i = 0; i + 46 < b.Length; i++)
        {
            if (b[i] == 0x50 && b[i + 1] == 0x4B && b[i + 2] == 0x03 && b[i + 3] == 0x04 && BitConverter.ToUInt32(b, i + 22) > size * 16)
                BitConverter.TryWriteBytes(b.AsSpan(i + 22), size);
            else if (b[i] == 0x50 && b[i + 1] == 0x4B && b[i + 2] == 0x01 && b[i + 3] == 0x02 && BitConverter.ToUInt32(b, i + 24) > size * 16)
                BitConverter.TryWriteBytes(b.AsSpan(i + 24), size);
        }
    }

    public static (IReadOnlyList<string> Sheets, IReadOnlyList<string> Headers) Shape(byte[] xlsx)
    {
        using var ms = new MemoryStream(xlsx);
        var sheets = ms.GetSheetNames();
        ms.Position = 0;
        var first = ms.Query(useHeaderRow: false, sheetName: sheets[0]).Cast<IDictionary<string, object?>>().FirstOrDefault();
        return (sheets, first?.Values.Select(v => v?.ToString() ?? "").Where(v => v.Length > 0).ToList() ?? []);
    }

    [GeneratedRegex("<v>[^<]*</v>")]
    private static partial Regex ValueElement();

    [GeneratedRegex("t=\"[a-zA-Z]+\"")]
    private static partial Regex TypeAttribute();

    [GeneratedRegex("name=\"[^\"]*\"")]
    private static partial Regex SheetName();
}

internal static class Status
{
    public static bool IsSuccess(HttpStatusCode s) => (int)s is >= 200 and < 300;
}
