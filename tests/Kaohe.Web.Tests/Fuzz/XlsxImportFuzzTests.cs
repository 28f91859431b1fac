using System.Net;
using System.Net.Http.Headers;
using Kaohe.Web.Infrastructure;
using Kaohe.Web.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Kaohe.Web.Tests.Fuzz;

/// <summary>
/// Every .xlsx importer (collection report / scoring / leader sheets, the scheme workbook, the paper
/// questionnaires) takes mutated templates, generated workbooks and zip bombs through its HTTP endpoint
/// as the role that may use it. The only allowed answers are 2xx and 4xx (ProblemDetails for the API),
/// and a refusal leaves every table as it was. The cases come from run seeds (<see cref="FuzzRuns"/>): a failure names the seed that replays it.
/// </summary>
public abstract class XlsxImportFuzzTests<TApp>(TApp app, ITestOutputHelper output) : IClassFixture<TApp> where TApp : AppFixture
{
    /// <summary>Cases per importer per run (<see cref="FuzzRuns"/>); five importers.</summary>
    protected virtual int CasesPerImporter => 60;

    /// <summary>How many of the fixed runs ./test.sh makes.</summary>
    protected virtual int FixedRuns => 2;

    [Fact]
    public async Task Mutated_and_generated_workbooks_get_a_result_or_a_4xx_and_refusals_write_nothing()
    {
        var outcomes = new Outcomes();
        var runs = FuzzRuns.Seeds(FixedRuns);
        foreach (var run in runs)
        {
            // Each importer draws from its own generator seeded by the run, so one run seed replays all five.
            var importerNo = 0;
            foreach (var importer in XlsxImporters.All())
            {
                var draw = new Random(run + 7919 * importerNo++);
                using var client = await XlsxImporters.ClientFor(app, importer);
                var template = await importer.Template(client);
                var (sheets, headers) = Workbooks.Shape(template);
                var before = await RowCounts.OfAsync(app);
                for (var i = 0; i < CasesPerImporter; i++)
                {
                    var seed = draw.Next();
                    var kind = draw.Next(0, 10);
                    var (bytes, what) = Case(template, sheets, headers, seed, kind);
                    using var response = await importer.Post(client, bytes);
                    var replay = $"{FuzzRuns.Replay(run)} (case seed {seed}, kind {kind})";
                    await outcomes.CheckAsync($"{importer.Name}: {what}", response, importer.Api, replay);
                    var after = await RowCounts.OfAsync(app);
                    if (!Status.IsSuccess(response.StatusCode) && response.StatusCode != HttpStatusCode.Redirect && after != before)
                        outcomes.Problem($"{importer.Name}: refused but wrote", $"{what}, {replay}: {before} → {after}");
                    before = after;
                }
            }
        }
        output.WriteLine($"runs {string.Join(", ", runs)}: {outcomes.Summary}");
        outcomes.AssertNone();
        Assert.True(outcomes.Cases >= 5 * CasesPerImporter * runs.Count);
    }

    /// <summary>One case from its seed and kind: a mutated template, a generated workbook, random bytes or an old .xls header.</summary>
    internal static (byte[] Bytes, string What) Case(byte[] template, IReadOnlyList<string> sheets, IReadOnlyList<string> headers, int seed, int kind)
    {
        var rnd = new Random(seed);
        return kind switch
        {
            <= 4 => Workbooks.Mutate(template, rnd),
            <= 7 => (Workbooks.Generate(rnd, sheets, headers), "generated"),
            8 => (RandomBytes(rnd), "random bytes"),
            _ => ([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0], "an old .xls header"),
        };
    }

    private static byte[] RandomBytes(Random rnd)
    {
        var b = new byte[rnd.Next(0, 4000)];
        rnd.NextBytes(b);
        if (b.Length > 4 && rnd.Next(2) == 0) { b[0] = 0x50; b[1] = 0x4B; b[2] = 0x03; b[3] = 0x04; }
        return b;
    }
}

public sealed class XlsxImportFuzzTestsOnSqlite(SqliteApp app, ITestOutputHelper output) : XlsxImportFuzzTests<SqliteApp>(app, output);

/// <summary>A smaller run on PostgreSQL: the fuzz is mostly about parsing, but what reaches the database must be storable there too.</summary>
public sealed class XlsxImportFuzzTestsOnPostgres(PostgresApp app, ITestOutputHelper output) : XlsxImportFuzzTests<PostgresApp>(app, output)
{
    protected override int CasesPerImporter => 10;
    protected override int FixedRuns => 1;
}

/// <summary>The .xlsx importers, each with the account that may use it, its template download and its upload.</summary>
internal static class XlsxImporters
{
    public sealed record Importer(string Name, string User, bool Api, Func<HttpClient, Task<byte[]>> Template, Func<HttpClient, byte[], Task<HttpResponseMessage>> Post);

    public static MultipartFormDataContent File(byte[] bytes, string field, string name = "sheet.xlsx", params (string, string)[] fields)
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue(Workbooks.ContentType) } }, field, name } };
        foreach (var (k, v) in fields) form.Add(new StringContent(v), k);
        return form;
    }

    public static IEnumerable<Importer> All() =>
    [
        new("collection report", "unit-zj-lasa", true, c => c.GetByteArrayAsync("/api/v1/collection/2023-Q3/report/xlsx"),
            (c, b) => c.PostAsync("/api/v1/collection/2023-Q3/report/xlsx", File(b, "file"))),
        new("collection scoring", "division-zac", true, c => c.GetByteArrayAsync("/api/v1/collection/2023-Q3/scoring/xlsx"),
            (c, b) => c.PostAsync("/api/v1/collection/2023-Q3/scoring/xlsx", File(b, "file"))),
        new("collection leader", "leader-principal", true, c => c.GetByteArrayAsync("/api/v1/collection/2023-Q3/leader/xlsx"),
            (c, b) => c.PostAsync("/api/v1/collection/2023-Q3/leader/xlsx", File(b, "file"))),
        new("scheme import", "office", true, c => c.GetByteArrayAsync("/api/v1/schemes/1/xlsx"),
            (c, b) => c.PostAsync("/api/v1/schemes/import", File(b, "file", "scheme.xlsx", ("category", "housing"), ("period", "2023-Q2")))),
        new("paper questionnaires", "office", false, c => c.GetByteArrayAsync("/Surveys/Paper?handler=Template&period=2023-Q1"),
            async (c, b) =>
            {
                var html = await c.GetStringAsync("/Surveys/Paper?period=2023-Q1");
                return await c.PostAsync("/Surveys/Paper?handler=Import&period=2023-Q1",
                    File(b, "upload", "paper.xlsx", ("__RequestVerificationToken", AppFixture.AntiForgeryToken(html))));
            }),
    ];

    public static async Task<HttpClient> ClientFor(AppFixture app, Importer i) => i.Api ? await app.As(i.User) : await app.SignedIn(i.User);
}

/// <summary>Zip bombs and the guard's other refusals (SQLite: this is about parsing, not storage).</summary>
public sealed class XlsxBombTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_zip_bomb_is_refused_by_every_importer_with_a_clear_4xx_without_inflating_it(bool lyingHeaders)
    {
        const long unpacked = 2L * 1024 * 1024 * 1024;  // 2 GB of sheet XML in about 2 MB
        byte[]? bomb = null;
        foreach (var importer in XlsxImporters.All())
        {
            using var client = await XlsxImporters.ClientFor(app, importer);
            // One bomb for all: every importer must run the guard before it looks at sheets or rows.
            bomb ??= Workbooks.Bomb(await importer.Template(client), unpacked, lyingHeaders);
            Assert.True(bomb.Length < 5 * 1024 * 1024, $"the bomb is {bomb.Length} bytes");
            var before = await RowCounts.OfAsync(app);
            var allocated = GC.GetTotalAllocatedBytes();
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));   // a hang guard, not a time assertion
            using var response = await importer.Post(client, bomb).WaitAsync(cts.Token);
            var grown = GC.GetTotalAllocatedBytes() - allocated;
            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{importer.Name}: {(int)response.StatusCode}");
            var body = await response.Content.ReadAsStringAsync();
            // Honest headers: the guard names the reason. Lying headers: .NET inflates no more than the declared
            // size, so the importer sees a truncated sheet and refuses it in its own words; either way nothing is inflated.
            if (!lyingHeaders) Assert.True(body.Contains("解压后超过"), $"{importer.Name}: {Outcomes.Head(body)}");
            // Inflating the sheet into memory would allocate gigabytes; the guard streams through a fixed buffer.
            Assert.True(grown < 600L * 1024 * 1024, $"{importer.Name}: {grown / 1024 / 1024} MB allocated while refusing the bomb");
            Assert.Equal(before, await RowCounts.OfAsync(app));
        }
    }

    [Fact]
    public void The_guard_refuses_too_many_parts_and_climbing_paths()
    {
        using var ms = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(ms, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
            for (var i = 0; i <= XlsxGuard.MaxEntries; i++) zip.CreateEntry($"x/{i}.xml");
        Assert.Contains("部件过多", XlsxGuard.Check(ms.ToArray())!.Zh);

        using var ms2 = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(ms2, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
            zip.CreateEntry("xl/../../../etc/passwd");
        Assert.Contains("illegal path", XlsxGuard.Check(ms2.ToArray())!.En);
        Assert.Contains("not an .xlsx", XlsxGuard.Check("PK"u8.ToArray())!.En);
    }
}
