using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Kaohe.Web.Data;

/// <summary>A text longer than its column: the client's mistake, answered 400 naming the field (never PostgreSQL's refusal as a 500).</summary>
public sealed class FieldTooLongException(string field, int maxLength, int length, bool nul = false)
    : Exception(nul ? $"{field} contains a NUL character" : $"{field} is {length} characters long; at most {maxLength} are stored")
{
    /// <summary>The text holds U+0000, which no text column stores.</summary>
    public bool Nul { get; } = nul;
    public string Field { get; } = field;
    public int MaxLength { get; } = maxLength;
    public int Length { get; } = length;
}

/// <summary>
/// The safety net under every feature's own checks: before anything is written, each added or changed
/// text is compared with its column's length. PostgreSQL refuses a longer text (SQLite would store it);
/// both now refuse it the same way, before the transaction writes anything. Found by the JSON fuzz,
/// which kept drawing 200,000-character texts for fields that had no check of their own.
/// </summary>
public sealed class TextLengthGuard : SaveChangesInterceptor
{
    public static readonly TextLengthGuard Instance = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is { } db) Check(db.ChangeTracker);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken ct = default)
    {
        if (eventData.Context is { } db) Check(db.ChangeTracker);
        return ValueTask.FromResult(result);
    }

    public static void Check(ChangeTracker tracker)
    {
        foreach (var entry in tracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified)) continue;
            foreach (var p in entry.Properties)
            {
                if (p.CurrentValue is not string text) continue;
                if (entry.State == EntityState.Modified && !p.IsModified) continue;
                // PostgreSQL cannot store U+0000 in text at all (SQLite would): refused the same way on both.
                if (text.Contains('\0')) throw new FieldTooLongException(JsonName(p.Metadata.Name), 0, text.Length, nul: true);
                if (p.Metadata.GetMaxLength() is not { } max || text.Length <= max) continue;
                throw new FieldTooLongException(JsonName(p.Metadata.Name), max, text.Length);
            }
        }
    }

    private static string JsonName(string property) => property.Length == 0 ? property : char.ToLowerInvariant(property[0]) + property[1..];
}
