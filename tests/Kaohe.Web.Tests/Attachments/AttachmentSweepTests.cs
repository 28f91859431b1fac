using System.Security.Cryptography;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Tests.Attachments;

/// <summary>
/// The sweep of orphan files (issue 17): files of the attachment store that no row names, older than the
/// grace period, are removed by <c>kaohe sweep-attachments</c> (the application runs the same daily);
/// every file a row names stays, however old, and so does a fresh orphan (an upload in flight).
/// </summary>
public abstract class AttachmentSweepTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    private string Plant(string content, DateTime writtenAt, string? suffix = null)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(content);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var path = Path.Combine(app.AttachmentDir, sha[..2], sha + suffix);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, writtenAt);
        return path;
    }

    [Fact]
    public async Task Orphans_older_than_the_grace_period_are_removed_and_every_file_a_row_names_stays()
    {
        var named = await app.WithDb(db => db.Attachments.Select(a => a.StoredName).Distinct().ToListAsync());
        Assert.NotEmpty(named);   // the demo's photos and evidence
        var longAgo = DateTime.UtcNow.AddDays(-3);
        // Only the row protects these: they are as old as the orphans.
        foreach (var n in named) File.SetLastWriteTimeUtc(Path.Combine(app.AttachmentDir, n), longAgo);
        var orphans = Enumerable.Range(0, 3).Select(i => Plant($"refused upload {i}", longAgo)).ToList();
        var asideByCrashedSweep = Plant("left aside by a sweep that was killed", longAgo, ".sweep-0123456789abcdef0123456789abcdef");
        var inFlight = Plant("an upload whose row is not committed yet", DateTime.UtcNow);
        var temp = Path.Combine(app.AttachmentDir, ".upload-0123456789abcdef0123456789abcdef");
        File.WriteAllText(temp, "half an upload of a killed process");
        File.SetLastWriteTimeUtc(temp, longAgo);

        // A dry run counts and removes nothing.
        Assert.Equal(0, app.SweepWithCli(out var dry, "--dry-run"));
        Assert.Contains("4 without a row", dry);
        Assert.All(orphans, o => Assert.True(File.Exists(o)));

        Assert.Equal(0, app.SweepWithCli(out var output));
        Assert.Contains("4 removed", output);
        Assert.All(orphans, o => Assert.False(File.Exists(o), o));
        Assert.False(File.Exists(asideByCrashedSweep));
        Assert.False(File.Exists(temp));
        Assert.True(File.Exists(inFlight));
        Assert.All(named, n => Assert.True(File.Exists(Path.Combine(app.AttachmentDir, n)), n));
        // And the store still serves what it holds: every row's file is there.
        Assert.All(await app.WithDb(db => db.Attachments.Select(a => a.StoredName).ToListAsync()),
            n => Assert.True(File.Exists(Path.Combine(app.AttachmentDir, n)), n));
    }
}

public sealed class AttachmentSweepTestsOnSqlite(SqliteApp app) : AttachmentSweepTests<SqliteApp>(app);

public sealed class AttachmentSweepTestsOnPostgres(PostgresApp app) : AttachmentSweepTests<PostgresApp>(app);
