using System.Security.Cryptography;
using System.Text;
using Kaohe.Data;
using Kaohe.Web.Features.Attachments;
using Kaohe.Web.Infrastructure;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Operations;

/// <summary><c>kaohe backup</c> of a running SQLite instance and <c>kaohe restore</c> into an empty directory give the same data.</summary>
public sealed class BackupTests(SqliteApp app) : IClassFixture<SqliteApp>, IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "kaohe-backup-" + Guid.NewGuid().ToString("N"));

    private static int Cli(params string[] args)
    {
        var err = new StringWriter();
        var code = Kaohe.Cli.Program.Run(args, new StringReader(""), new StringWriter(), err);
        if (code != 0) Console.Error.WriteLine(err);
        return code;
    }

    /// <summary>Every table's rows, in primary-key order, hashed: equal digests mean equal data.</summary>
    private static Dictionary<string, (long Rows, string Digest)> Contents(string dbFile)
    {
        using var c = new SqliteConnection($"Data Source={dbFile};Mode=ReadOnly;Pooling=False");
        c.Open();
        var tables = new List<string>();
        using (var t = c.CreateCommand())
        {
            t.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
            using var r = t.ExecuteReader();
            while (r.Read()) tables.Add(r.GetString(0));
        }
        var result = new Dictionary<string, (long, string)>();
        foreach (var table in tables)
        {
            using var q = c.CreateCommand();
            q.CommandText = $"SELECT * FROM \"{table}\" ORDER BY 1";
            using var r = q.ExecuteReader();
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long rows = 0;
            while (r.Read())
            {
                rows++;
                for (var i = 0; i < r.FieldCount; i++) hash.AppendData(Encoding.UTF8.GetBytes((r.IsDBNull(i) ? "∅" : Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)) + "\u001f"));
            }
            result[table] = (rows, Convert.ToHexString(hash.GetHashAndReset()));
        }
        return result;
    }

    private string DataDir => app.Settings["Kaohe:DataDir"];

    [Fact]
    public async Task A_backup_of_the_running_application_restores_to_the_same_data_and_files()
    {
        // An attachment, so that files travel too.
        using (var scope = app.Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
            var store = scope.ServiceProvider.GetRequiredService<IAttachmentStore>();
            var a = await store.SaveAsync(new MemoryStream("%PDF-1.4 backup test"u8.ToArray()), "证明.pdf", "office", FactAttachmentPolicy.Kind, "0");
            db.Attachments.Add(a);
            await db.SaveChangesAsync();
        }
        var backup = Path.Combine(_work, "backup");
        Assert.Equal(0, Cli("backup", "--data-dir", DataDir, "--out", backup));
        var restored = Path.Combine(_work, "restored");
        Assert.Equal(0, Cli("restore", "--from", backup, "--data-dir", restored));

        var before = Contents(Path.Combine(DataDir, "kaohe.db"));
        var after = Contents(Path.Combine(restored, "kaohe.db"));
        Assert.True(before["Units"].Rows > 0 && before["AuditLog"].Rows > 0 && before["Attachments"].Rows > 0);
        Assert.Equal(before, after);
        var files = Directory.GetFiles(Path.Combine(restored, "attachments"), "*", SearchOption.AllDirectories);
        Assert.Contains(files, f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f))) == Path.GetFileName(f));
        Assert.Equal(0, Cli("verify-audit", "--data-dir", restored));
    }

    [Fact]
    public void A_damaged_backup_is_refused_and_the_target_is_left_alone()
    {
        var backup = Path.Combine(_work, "backup2");
        Assert.Equal(0, Cli("backup", "--data-dir", DataDir, "--out", backup));
        using (var f = new FileStream(Path.Combine(backup, "kaohe.db"), FileMode.Open, FileAccess.ReadWrite))
        {
            f.Seek(5000, SeekOrigin.Begin);
            f.WriteByte(0x42);
        }
        var target = Path.Combine(_work, "target");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "kaohe.db"), "the current database");
        Assert.Equal(1, Cli("restore", "--from", backup, "--data-dir", target, "--force"));
        Assert.Equal("the current database", File.ReadAllText(Path.Combine(target, "kaohe.db")));
        // Without --force an existing database is never replaced, even by a good backup.
        var good = Path.Combine(_work, "backup3");
        Assert.Equal(0, Cli("backup", "--data-dir", DataDir, "--out", good));
        Assert.Equal(1, Cli("restore", "--from", good, "--data-dir", target));
        Assert.Equal("the current database", File.ReadAllText(Path.Combine(target, "kaohe.db")));
        // A backup never overwrites a non-empty directory.
        Assert.Equal(1, Cli("backup", "--data-dir", DataDir, "--out", good));
    }

    public void Dispose()
    {
        try { Directory.Delete(_work, true); } catch (IOException) { }
    }
}
