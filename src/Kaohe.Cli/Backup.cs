using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Kaohe.Cli;

/// <summary>
/// <c>kaohe backup --data-dir DIR --out BACKUP</c> and <c>kaohe restore --from BACKUP --data-dir DIR [--force]</c>
/// for the embedded SQLite database and its attachments. The backup uses SQLite's online backup, so
/// it is consistent while the application runs; attachments are content-addressed files and are
/// copied as they are. A restore checks the backup (manifest hashes, <c>PRAGMA integrity_check</c>)
/// before it touches the target, and writes the database under a temporary name first.
/// PostgreSQL is backed up with pg_dump (docs/operations.md).
/// </summary>
public static class Backup
{
    public const string Manifest = "kaohe-backup.json";
    private const string DbFile = "kaohe.db";
    private const string AttachmentsDir = "attachments";

    private sealed record ManifestDoc(int Format, DateTimeOffset CreatedAt, string Database, string DatabaseSha256, long DatabaseBytes, int Attachments);

    internal static int RunBackup(string dataDir, string output, TextWriter stdout, TextWriter stderr)
    {
        var source = Path.Combine(dataDir, DbFile);
        var target = Path.GetFullPath(output);
        if (!File.Exists(source)) return Fail(stderr, $"找不到数据库 {source} / no database at {source}");
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
            return Fail(stderr, $"备份目录 {target} 已存在且不为空 / the backup directory {target} exists and is not empty");
        try
        {
            Directory.CreateDirectory(target);
            var dbCopy = Path.Combine(target, DbFile);
            using (var from = new SqliteConnection($"Data Source={source};Mode=ReadOnly;Pooling=False"))
            using (var to = new SqliteConnection($"Data Source={dbCopy};Pooling=False"))
            {
                from.Open();
                to.Open();
                from.BackupDatabase(to);
                using var journal = to.CreateCommand();
                journal.CommandText = "PRAGMA journal_mode=DELETE;"; // a single self-contained file
                journal.ExecuteNonQuery();
            }
            var files = CopyTree(Path.Combine(dataDir, AttachmentsDir), Path.Combine(target, AttachmentsDir));
            var manifest = new ManifestDoc(1, DateTimeOffset.UtcNow, DbFile, Sha256Of(dbCopy), new FileInfo(dbCopy).Length, files);
            File.WriteAllText(Path.Combine(target, Manifest), JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true }));
            stdout.WriteLine($"已备份到 {target}：数据库 {manifest.DatabaseBytes / 1024} KB，附件 {files} 个 / backed up to {target}: database {manifest.DatabaseBytes / 1024} KB, {files} attachments");
            return Program.Ok;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SqliteException)
        {
            return Fail(stderr, $"备份失败：{e.Message} / backup failed: {e.Message}");
        }
    }

    internal static int RunRestore(string backup, string dataDirectory, bool force, TextWriter stdout, TextWriter stderr)
    {
        var from = Path.GetFullPath(backup);
        var dataDir = Path.GetFullPath(dataDirectory);
        var manifestFile = Path.Combine(from, Manifest);
        if (!File.Exists(manifestFile)) return Fail(stderr, $"{from} 不是 Kaohe 备份（缺少 {Manifest}）/ {from} is not a Kaohe backup (no {Manifest})");
        ManifestDoc? manifest;
        try { manifest = JsonSerializer.Deserialize<ManifestDoc>(File.ReadAllText(manifestFile)); }
        catch (JsonException e) { return Fail(stderr, $"{Manifest} 无法读取：{e.Message} / {Manifest} is unreadable: {e.Message}"); }
        if (manifest is null || manifest.Format != 1) return Fail(stderr, $"{Manifest}: 不支持的格式 / unsupported format");
        var backupDb = Path.Combine(from, DbFile);
        if (!File.Exists(backupDb) || Sha256Of(backupDb) != manifest.DatabaseSha256)
            return Fail(stderr, $"备份中的数据库与清单的 SHA-256 不符，未恢复任何内容 / the backup's database does not match its manifest's SHA-256; nothing was restored");
        using (var check = new SqliteConnection($"Data Source={backupDb};Mode=ReadOnly;Pooling=False"))
        {
            check.Open();
            using var cmd = check.CreateCommand();
            cmd.CommandText = "PRAGMA integrity_check;";
            var result = cmd.ExecuteScalar() as string;
            if (result != "ok") return Fail(stderr, $"备份数据库完整性检查未通过（{result}），未恢复任何内容 / the backup database fails its integrity check ({result}); nothing was restored");
        }
        var target = Path.Combine(dataDir, DbFile);
        if (File.Exists(target) && !force)
            return Fail(stderr, $"{target} 已存在；请先停止应用，确认后加 --force 覆盖 / {target} exists; stop the application and add --force to replace it");
        try
        {
            Directory.CreateDirectory(dataDir);
            var temp = target + ".restoring";
            File.Copy(backupDb, temp, overwrite: true);
            foreach (var side in new[] { "-wal", "-shm" }) if (File.Exists(target + side)) File.Delete(target + side);
            File.Move(temp, target, overwrite: true);
            var files = CopyTree(Path.Combine(from, AttachmentsDir), Path.Combine(dataDir, AttachmentsDir));
            stdout.WriteLine($"已从 {from} 恢复到 {dataDir}（备份时间 {manifest.CreatedAt:yyyy-MM-dd HH:mm:ss} UTC，附件 {files} 个）/ restored {from} into {dataDir} (taken {manifest.CreatedAt:u}, {files} attachments)");
            return Program.Ok;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(stderr, $"恢复失败：{e.Message} / restore failed: {e.Message}");
        }
    }

    /// <summary>Copies every file under <paramref name="from"/> that the target lacks (attachments never change under their name).</summary>
    private static int CopyTree(string from, string to)
    {
        if (!Directory.Exists(from)) return 0;
        var n = 0;
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(file);
            if (name.StartsWith(".upload-", StringComparison.Ordinal)) continue; // an upload in progress
            var dest = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            if (!File.Exists(dest)) File.Copy(file, dest);
            n++;
        }
        return n;
    }

    private static string Sha256Of(string file)
    {
        using var s = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }

    private static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine(message);
        return Program.UsageError;
    }
}
