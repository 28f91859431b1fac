using System.Net;
using System.Security.Cryptography;
using Kaohe.Data;
using Kaohe.Web.Features.Attachments;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Infrastructure;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Attachments;

/// <summary>The file store on a real directory: what it accepts, what it refuses, and that a refusal leaves nothing behind.</summary>
public sealed class AttachmentStoreTests : IDisposable
{
    private static readonly byte[] PdfBytes = [.. "%PDF-1.7\n%µ¶\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"u8];
    private static readonly byte[] PngBytes = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kaohe-att-" + Guid.NewGuid().ToString("N"));

    private FileSystemAttachmentStore Store(long? max = null)
    {
        var settings = new Dictionary<string, string?> { ["Kaohe:DataDir"] = _dir };
        if (max is not null) settings["Kaohe:MaxUploadBytes"] = max.ToString();
        return new FileSystemAttachmentStore(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), TimeProvider.System);
    }

    private string Root => Path.Combine(_dir, "attachments");

    private string[] StoredFiles() => Directory.Exists(Root) ? Directory.GetFiles(Root, "*", SearchOption.AllDirectories) : [];

    [Fact]
    public async Task A_pdf_is_stored_under_its_sha256_and_reads_back_byte_for_byte()
    {
        var a = await Store().SaveAsync(new MemoryStream(PdfBytes), "季度报表.pdf", "unit-zj-lasa", "fact", "7");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(PdfBytes)), a.Sha256);
        Assert.Equal("application/pdf", a.ContentType);
        Assert.Equal(PdfBytes.Length, a.Size);
        Assert.Equal(("fact", "7"), (a.OwnerKind, a.OwnerId));
        using var read = Store().OpenRead(a);
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        Assert.Equal(PdfBytes, copy.ToArray());
        Assert.Single(StoredFiles());
    }

    [Fact]
    public async Task The_same_bytes_uploaded_twice_are_kept_once()
    {
        var first = await Store().SaveAsync(new MemoryStream(PdfBytes), "a.pdf", "u", "fact", "1");
        var second = await Store().SaveAsync(new MemoryStream(PdfBytes), "b.pdf", "u", "fact", "2");
        Assert.Equal(first.StoredName, second.StoredName);
        Assert.Single(StoredFiles());
    }

    [Theory]
    [InlineData("../../etc/passwd.pdf", "passwd.pdf")]
    [InlineData("..\\..\\windows\\evil.pdf", "evil.pdf")]
    [InlineData("/abs/path/x.pdf", "x.pdf")]
    [InlineData("...pdf", "pdf")]
    public async Task Directory_parts_of_a_file_name_are_dropped(string name, string expected)
    {
        if (expected == "pdf")
        {
            // Nothing but dots and an extension: no extension is left, so the type is refused.
            await Assert.ThrowsAsync<UploadRejectedException>(() => Store().SaveAsync(new MemoryStream(PdfBytes), name, "u", "fact", "1"));
            return;
        }
        var a = await Store().SaveAsync(new MemoryStream(PdfBytes), name, "u", "fact", "1");
        Assert.Equal(expected, a.FileName);
        Assert.All(StoredFiles(), f => Assert.StartsWith(Root, Path.GetFullPath(f)));
    }

    [Fact]
    public async Task A_type_not_accepted_is_refused_with_415_and_nothing_is_stored()
    {
        var e = await Assert.ThrowsAsync<UploadRejectedException>(() => Store().SaveAsync(new MemoryStream("MZ\x90\0"u8.ToArray()), "setup.exe", "u", "fact", "1"));
        Assert.Equal(415, e.Status);
        Assert.Contains("setup.exe", e.Zh);
        Assert.Empty(StoredFiles());
    }

    [Fact]
    public async Task A_file_whose_content_is_not_what_its_name_says_is_refused()
    {
        var e = await Assert.ThrowsAsync<UploadRejectedException>(() => Store().SaveAsync(new MemoryStream(PngBytes), "report.pdf", "u", "fact", "1"));
        Assert.Equal(400, e.Status);
        Assert.Contains(".pdf", e.En);
        Assert.Empty(StoredFiles());
    }

    [Fact]
    public async Task Too_large_and_empty_files_are_refused_and_leave_no_temporary_file()
    {
        var big = new byte[5000];
        PdfBytes.CopyTo(big, 0);
        var e = await Assert.ThrowsAsync<UploadRejectedException>(() => Store(max: 4096).SaveAsync(new MemoryStream(big), "big.pdf", "u", "fact", "1"));
        Assert.Equal(413, e.Status);
        var empty = await Assert.ThrowsAsync<UploadRejectedException>(() => Store().SaveAsync(new MemoryStream(), "empty.pdf", "u", "fact", "1"));
        Assert.Equal(400, empty.Status);
        Assert.Empty(StoredFiles());
    }

    [Fact]
    public async Task Storage_that_cannot_be_written_gives_a_clear_507()
    {
        // A plain file where the attachment directory should be: no directory can be created there
        // (a permission-based read-only directory would not stop root, which runs CI).
        Directory.CreateDirectory(_dir);
        await File.WriteAllTextAsync(Root, "not a directory");
        var e = await Assert.ThrowsAsync<UploadRejectedException>(() => Store().SaveAsync(new MemoryStream(PdfBytes), "a.pdf", "u", "fact", "1"));
        Assert.Equal(507, e.Status);
        Assert.Contains("附件存储", e.Zh);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}

/// <summary>Downloads over HTTP: only those who may see the owning fact get the file, always as an attachment.</summary>
public abstract class AttachmentDownloadTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    private async Task<long> EvidenceOfLasaAsync()
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        var store = scope.ServiceProvider.GetRequiredService<IAttachmentStore>();
        var fact = new Fact("2023-Q3", "zj-lasa", "evidence-test", FactKind.Value, new FactPayload(Value: 1).ToJson(), FactSources.Report, "unit-zj-lasa",
            DateTimeOffset.UtcNow, FactStatus.Draft);
        db.Facts.Add(fact);
        await db.SaveChangesAsync();
        var a = await store.SaveAsync(new MemoryStream("%PDF-1.4 evidence"u8.ToArray()), "<script>证明.pdf", "unit-zj-lasa", FactAttachmentPolicy.Kind, fact.Id.ToString());
        db.Attachments.Add(a);
        await db.SaveChangesAsync();
        return a.Id;
    }

    [Fact]
    public async Task The_owner_unit_and_the_office_download_it_as_an_attachment_other_units_get_404()
    {
        var id = await EvidenceOfLasaAsync();
        foreach (var user in new[] { "office", "unit-zj-lasa" })
        {
            using var c = await app.As(user);
            var r = await c.GetAsync($"/api/v1/attachments/{id}");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("attachment", r.Content.Headers.ContentDisposition?.DispositionType);
            Assert.Equal("nosniff", r.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Contains("sandbox", r.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal("application/pdf", r.Content.Headers.ContentType?.MediaType);
            Assert.Equal("%PDF-1.4 evidence", await r.Content.ReadAsStringAsync());
        }
        foreach (var user in new[] { "unit-zj-nyingchi", "leader-principal" })
        {
            using var c = await app.As(user);
            var r = await c.GetAsync($"/api/v1/attachments/{id}");
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        }
        using var anon = app.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anon.GetAsync($"/api/v1/attachments/{id}")).StatusCode);
    }
}

public sealed class AttachmentDownloadTestsOnSqlite(SqliteApp app) : AttachmentDownloadTests<SqliteApp>(app);

public sealed class AttachmentDownloadTestsOnPostgres(PostgresApp app) : AttachmentDownloadTests<PostgresApp>(app);
