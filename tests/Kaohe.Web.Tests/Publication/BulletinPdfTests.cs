using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Tests.Publication;

/// <summary>
/// The 考核通报 as the office prints it (issue 18, item 11): the demo's published 2023-Q1 bulletin is converted
/// with LibreOffice to PDF and its text read back with pdftotext, so what is checked is what LibreOffice lays
/// out, not what the .docx merely says. ./test.sh installs LibreOffice (writer) and poppler-utils.
/// </summary>
public abstract partial class BulletinPdfTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    [Fact]
    public async Task The_bulletin_in_LibreOffice_has_page_numbers_unwrapped_unit_names_indented_paragraphs_and_the_publication_date()
    {
        using var office = await app.As("office");
        var response = await office.GetAsync("/api/v1/periods/2023-Q1/bulletin.docx");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var lines = await PdfLines(bytes, app.Provider);

        // Page numbers in the official style (— 1 —), on every page.
        var pages = lines.Count(l => l.Contains('\f'));   // pdftotext ends every page with a form feed
        Assert.True(pages >= 3, $"{pages} pages");
        for (var n = 1; n <= pages; n++) Assert.Contains(lines, l => Regex.IsMatch(l, $@"^\s*—\s*{n}\s*—\s*$"));

        // Every unit name of the tables sits whole on one line: a name wrapped inside its cell is cut over two or three lines.
        var names = TableUnits(bytes);
        Assert.True(names.Count >= 30, $"{names.Count} units in the tables");
        var wrapped = names.Where(n => !lines.Any(l => l.Contains(n))).ToList();
        Assert.True(wrapped.Count == 0, $"wrapped in their cells: {string.Join("、", wrapped)}");

        // The first line of a body paragraph is indented by two characters: it starts further right than the line after it.
        var first = lines.FindIndex(l => l.TrimStart().StartsWith("根据《", StringComparison.Ordinal));
        Assert.True(first >= 0);
        Assert.True(Indent(lines[first]) > Indent(lines[first + 1]) + 1, $"not indented:\n{lines[first]}\n{lines[first + 1]}");

        // Section 四 (短板弱项) summarises; it does not quote the deductions' texts with their document numbers
        // (its 35th item repeated the demo's example wording "…被自治区通报批评（示例）〔藏政办示例〔2023〕4号〕").
        var weaknesses = string.Concat(lines.SkipWhile(l => !l.Contains("存在的短板弱项")).TakeWhile(l => !l.Contains("整改要求")).Select(l => l.Trim()));
        Assert.Contains("扣分事项：共", weaknesses);
        Assert.DoesNotContain("〔", weaknesses);
        var numbered = lines.Select(l => NumberedItem().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(numbered.Distinct().Count(), numbered.Count);

        // Dated the day the results were published, in the office's time zone (Asia/Shanghai by default).
        var publishedAt = await app.WithDb(db => db.Snapshots.AsNoTracking().Where(s => s.PeriodId == "2023-Q1").Select(s => s.PublishedAt).ToListAsync());
        var day = publishedAt.Max().ToOffset(TimeSpan.FromHours(8));
        Assert.Contains(lines, l => Regex.Replace(l, @"\s", "") == $"{day.Year}年{day.Month}月{day.Day}日");   // pdftotext spaces digits from Chinese
    }

    /// <summary>The second cell (单位) of every table row after the header.</summary>
    private static List<string> TableUnits(byte[] docx)
    {
        using var ms = new MemoryStream(docx);
        using var doc = DocumentFormat.OpenXml.Packaging.WordprocessingDocument.Open(ms, false);
        return [.. doc.MainDocumentPart!.Document.Body!.Descendants<DocumentFormat.OpenXml.Wordprocessing.TableRow>()
            .Select(r => r.Elements<DocumentFormat.OpenXml.Wordprocessing.TableCell>().ElementAtOrDefault(1)?.InnerText ?? "")
            .Where(n => n.Length > 0 && n != "单位").Distinct()];
    }

    private static int Indent(string line) => line.Length - line.TrimStart().Length;

    [GeneratedRegex(@"^\s*\d+\.\s*(.+\S)\s*$")]
    private static partial Regex NumberedItem();

    /// <summary>LibreOffice's PDF of a .docx, as pdftotext -layout reads it, line by line (a form feed ends each page).</summary>
    public static async Task<List<string>> PdfLines(byte[] docx, string tag, string name = "bulletin-2023-Q1")
    {
        var dir = Directory.CreateTempSubdirectory("kaohe-bulletin-");
        try
        {
            var input = Path.Combine(dir.FullName, "bulletin.docx");
            await File.WriteAllBytesAsync(input, docx);
            // A profile of its own, so that conversions running side by side do not wait for each other's lock.
            await Run("soffice", "--headless", "--norestore", $"-env:UserInstallation=file://{dir.FullName}/profile", "--convert-to", "pdf", "--outdir", dir.FullName, input);
            var pdf = Path.Combine(dir.FullName, "bulletin.pdf");
            Assert.True(File.Exists(pdf), "LibreOffice wrote no PDF");
            var results = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", ".test-results");
            Directory.CreateDirectory(results);
            File.Copy(pdf, Path.Combine(results, $"{name}-{tag}.pdf"), true);
            var text = Path.Combine(dir.FullName, "bulletin.txt");
            await Run("pdftotext", "-layout", "-enc", "UTF-8", pdf, text);
            return [.. (await File.ReadAllTextAsync(text)).Split('\n')];
        }
        finally { dir.Delete(true); }
    }

    private static async Task Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var stderr = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(timeout.Token);
        Assert.True(p.ExitCode == 0, $"{file} failed: {await stderr}");
    }
}

public sealed class BulletinPdfTestsOnSqlite(SqliteApp app) : BulletinPdfTests<SqliteApp>(app);

public sealed class BulletinPdfTestsOnPostgres(PostgresApp app) : BulletinPdfTests<PostgresApp>(app);
