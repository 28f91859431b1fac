using System.Globalization;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Data;

/// <summary>What one sweep of the attachment directory found and did.</summary>
public sealed record SweepResult(int Files, int Orphans, long OrphanBytes, int Removed, int TemporaryRemoved, bool DryRun)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Files} files, {Orphans} without a row ({OrphanBytes / 1024.0:0.#} KB), {(DryRun ? "0 removed (dry run)" : $"{Removed} removed")}, {TemporaryRemoved} abandoned temporary files removed");
}

/// <summary>
/// Removes files of the attachment store that no <see cref="Attachment"/> row names (issue 17). A file is
/// written before the row that points at it is committed, so a request refused or rolled back after the
/// write leaves its file behind (each could leave 20 MB). Only files older than <paramref name="grace"/>
/// are considered, so an upload in flight is never touched. A candidate is first renamed aside, then
/// checked again (its age, a row that appeared meanwhile), and only then deleted: an upload of the same
/// bytes at that moment writes a fresh copy (see <c>FileSystemAttachmentStore</c> of the web application), never finds
/// its file gone. Run daily by the web application's <c>AttachmentSweeper</c> and on demand by <c>kaohe sweep-attachments</c>.
/// </summary>
public static class AttachmentSweep
{
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromHours(24);
    private const int Batch = 500;
    private const string Aside = ".sweep-";

    public static async Task<SweepResult> RunAsync(string root, KaoheDbContext db, DateTimeOffset now, TimeSpan grace, bool dryRun, CancellationToken ct = default)
    {
        int files = 0, orphans = 0, removed = 0, temporary = 0;
        long orphanBytes = 0;
        if (!Directory.Exists(root)) return new(0, 0, 0, 0, 0, dryRun);
        // Pointed at the wrong database (an empty one, a test copy), every file would look orphaned: refuse
        // outright rather than empty the store.
        if (!await db.Attachments.AnyAsync(ct) && Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Take(2).Count() > 1)
            throw new InvalidOperationException("the database names no attachment at all while the store holds files: is it the right database? Nothing was removed.");
        var cutoff = (now - grace).UtcDateTime;
        // Uploads cut off half-way (a killed process) leave their temporary file.
        foreach (var temp in Directory.EnumerateFiles(root, ".upload-*"))
            if (File.GetLastWriteTimeUtc(temp) < cutoff && !dryRun && TryDelete(temp)) temporary++;
        foreach (var dir in Directory.EnumerateDirectories(root).Where(d => IsHex(Path.GetFileName(d), 2)))
        {
            var candidates = new List<(string Path, string Sha)>();
            foreach (var path in Directory.EnumerateFiles(dir))
            {
                var name = Path.GetFileName(path);
                // A file a crashed sweep left aside is a candidate again, under its own name.
                var sha = name.Contains(Aside, StringComparison.Ordinal) ? name[..name.IndexOf(Aside, StringComparison.Ordinal)] : name;
                if (!IsHex(sha, 64)) continue;
                files++;
                if (File.GetLastWriteTimeUtc(path) < cutoff) candidates.Add((path, sha));
            }
            foreach (var chunk in candidates.Chunk(Batch))
            {
                var shas = chunk.Select(c => c.Sha).Distinct().ToList();
                var known = (await db.Attachments.AsNoTracking().Where(a => shas.Contains(a.Sha256)).Select(a => a.Sha256).Distinct().ToListAsync(ct)).ToHashSet();
                foreach (var (path, sha) in chunk.Where(c => !known.Contains(c.Sha)))
                {
                    orphans++;
                    orphanBytes += new FileInfo(path).Length;
                    if (!dryRun && await RemoveAsync(path, sha, db, cutoff, ct)) removed++;
                }
            }
        }
        return new(files, orphans, orphanBytes, removed, temporary, dryRun);
    }

    private static async Task<bool> RemoveAsync(string path, string sha, KaoheDbContext db, DateTime cutoff, CancellationToken ct)
    {
        var home = Path.Combine(Path.GetDirectoryName(path)!, sha);
        var aside = path == home ? $"{home}{Aside}{Guid.NewGuid():N}" : path;
        if (path == home)
        {
            try { File.Move(path, aside); }
            catch (IOException) { return false; }   // gone already (another instance's sweep)
        }
        // Renamed aside, the file is this sweep's alone. Fresh (an upload of the same bytes replaced it just
        // before the rename) or named by a row committed meanwhile: it goes back.
        if (File.GetLastWriteTimeUtc(aside) >= cutoff || await db.Attachments.AnyAsync(a => a.Sha256 == sha, ct))
        {
            try { File.Move(aside, home); }
            catch (IOException) { TryDelete(aside); }   // an upload has written the same bytes there again
            return false;
        }
        return TryDelete(aside);
    }

    private static bool TryDelete(string path)
    {
        try { File.Delete(path); return true; }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    private static bool IsHex(string s, int length) => s.Length == length && s.All(char.IsAsciiHexDigitLower);
}

