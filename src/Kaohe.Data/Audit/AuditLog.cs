using Microsoft.AspNetCore.Http;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Data;

public sealed record ChainCheck(bool Ok, long Entries, long? BrokenAtSequence, string? Reason);

/// <summary>The hash chain of the audit trail: each entry's hash covers the previous hash and its own content.</summary>
public static class AuditChain
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    public static string HashOf(AuditEntry e)
    {
        // Canonical content: fields in a fixed order, times as UTC ticks, separated by a unit separator.
        var content = string.Join('\u001f',
            e.Sequence.ToString(CultureInfo.InvariantCulture), e.At.UtcTicks.ToString(CultureInfo.InvariantCulture),
            e.Actor, e.Action, e.EntityType, e.EntityId, e.OldValue ?? "\u0000", e.NewValue ?? "\u0000", e.Reason ?? "\u0000", e.PreviousHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));
    }

    public static ChainCheck Verify(IEnumerable<AuditEntry> entriesInSequence)
    {
        var previous = Genesis;
        long expected = 1, count = 0;
        foreach (var e in entriesInSequence)
        {
            count++;
            if (e.Sequence != expected)
                return new(false, count, e.Sequence, $"第 {expected} 条记录缺失 / entry {expected} is missing");
            if (e.PreviousHash != previous)
                return new(false, count, e.Sequence, $"第 {e.Sequence} 条记录的前序哈希不符 / entry {e.Sequence} does not point at its predecessor");
            if (HashOf(e) != e.Hash)
                return new(false, count, e.Sequence, $"第 {e.Sequence} 条记录的内容被改动 / entry {e.Sequence} was modified");
            previous = e.Hash;
            expected++;
        }
        return new(true, count, null, null);
    }

    public static async Task<ChainCheck> VerifyAsync(KaoheDbContext db, CancellationToken ct = default) =>
        Verify(await db.AuditEntries.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync(ct));

    public static readonly JsonSerializerOptions Json = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    public static string? Serialize(object? value) => value switch
    {
        null => null,
        string s => s,
        _ => JsonSerializer.Serialize(value, Json),
    };
}

/// <summary>
/// Records changes in the audit trail, in the same transaction as the change itself. Handlers call
/// <see cref="Record"/> for each change, then <see cref="SaveAsync"/> instead of SaveChanges.
/// Appends are serialised (an advisory lock on PostgreSQL, a process lock on SQLite, whose writes
/// are single-file anyway) so that two writers never fork the chain.
/// </summary>
public sealed class AuditLog(KaoheDbContext db, TimeProvider clock, IHttpContextAccessor http)
{
    /// <summary>The chain lock on SQLite, shared with the survey writer, which appends to the chain itself.</summary>
    public static readonly SemaphoreSlim SqliteChainLock = new(1, 1);

    /// <summary>The chain lock on PostgreSQL (a transaction-scoped advisory lock), shared by every instance and the survey writer.</summary>
    public const long AdvisoryLockKey = 0x4B616F6865; // "Kaohe"

    private readonly List<(string Action, string Type, Func<string> Id, string? Old, string? New, string? Reason)> _pending = [];

    public string Actor => http.HttpContext?.User.Identity?.Name ?? "system";

    public void Record(string action, string entityType, string entityId, object? oldValue, object? newValue, string? reason = null) =>
        Record(action, entityType, () => entityId, oldValue, newValue, reason);

    /// <summary>For a new entity whose id the database assigns: the id is read after the entity is saved.</summary>
    public void Record(string action, string entityType, Func<string> entityId, object? oldValue, object? newValue, string? reason = null) =>
        _pending.Add((action, entityType, entityId, AuditChain.Serialize(oldValue), AuditChain.Serialize(newValue), reason));

    public async Task SaveAsync(CancellationToken ct = default)
    {
        if (!db.IsPostgres) await SqliteChainLock.WaitAsync(ct);
        try
        {
            // On PostgreSQL the execution strategy retries the whole transaction after a transient
            // failure (a connection cut, a server restart). The first SaveChanges of a failed attempt
            // may already have marked the changes as saved, although its transaction was rolled back:
            // a retry would then commit only the audit entries and acknowledge a change that was never
            // stored. So the changes are remembered here and put back before every retry.
            var changed = db.ChangeTracker.Entries()
                .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
                .Select(e => (Entry: e, e.State, Original: e.State == EntityState.Modified ? e.OriginalValues.Clone() : null)).ToList();
            var written = new List<AuditEntry>();
            var attempt = 0;
            var strategy = db.Database.CreateExecutionStrategy();
            await strategy.ExecuteAsync(async () =>
            {
                if (attempt++ > 0)
                {
                    foreach (var stale in written) db.Entry(stale).State = EntityState.Detached;
                    written.Clear();
                    foreach (var (entry, state, original) in changed)
                    {
                        // An added row goes in again with the id its rolled-back insert drew (never used);
                        // a modified one again with its original values, so that concurrency checks hold.
                        if (original is not null) entry.OriginalValues.SetValues(original);
                        entry.State = state;
                    }
                }
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                if (db.IsPostgres)
                    await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", ct);
                // Entities may need their generated ids in the audit entry (e.g. a new scheme): save them first.
                await db.SaveChangesAsync(ct);
                var last = await db.AuditEntries.AsNoTracking().OrderByDescending(e => e.Sequence)
                    .Select(e => new { e.Sequence, e.Hash }).FirstOrDefaultAsync(ct);
                var sequence = last?.Sequence ?? 0;
                var previous = last?.Hash ?? AuditChain.Genesis;
                var now = clock.GetUtcNow();
                foreach (var p in _pending)
                {
                    var entry = new AuditEntry(++sequence, now, Actor, p.Action, p.Type, p.Id(), p.Old, p.New, p.Reason, previous);
                    db.AuditEntries.Add(entry);
                    written.Add(entry);
                    previous = entry.Hash;
                }
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
            });
            _pending.Clear();
        }
        finally
        {
            if (!db.IsPostgres) SqliteChainLock.Release();
        }
    }
}
