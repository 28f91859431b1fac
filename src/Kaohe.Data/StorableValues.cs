using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Kaohe.Data;

/// <summary>Why a value cannot be stored: too long for its column, text no database stores alike, or a number that is not finite.</summary>
public enum Unstorable { TooLong, Text, NotFinite }

/// <summary>A value the client sent that the databases cannot store or compare: answered 400 naming the field, never the database's refusal as a 500.</summary>
public sealed class UnstorableValueException(string field, Unstorable reason, int maxLength = 0, int length = 0)
    : Exception(reason switch
    {
        Unstorable.TooLong => $"{field} is {length} characters long; at most {maxLength} are stored",
        Unstorable.Text => $"{field} contains a NUL character or half of a surrogate pair",
        _ => $"{field} is not a finite number",
    })
{
    public string Field { get; } = field;
    public Unstorable Reason { get; } = reason;
    public int MaxLength { get; } = maxLength;
    public int Length { get; } = length;
}

/// <summary>
/// One rule for what either database can hold, checked in one place on both, before anything is written
/// or compared: text without U+0000 (PostgreSQL refuses it in text, and in a query parameter too;
/// SQLite would keep it) and without half a surrogate pair (not UTF-8: Npgsql refuses to encode it,
/// SQLite turns it into U+FFFD), text no longer than its column, and finite numbers (SQLite stores
/// NaN as NULL; no JSON writer takes it). Every text input reaches the databases through here — JSON
/// bodies, forms, query strings, route values, workbook cells — so none can become a 500.
/// </summary>
public static class StorableValues
{
    /// <summary>U+0000 or an unpaired surrogate.</summary>
    public static bool IsStorable(string text)
    {
        var s = text.AsSpan();
        if (s.IndexOf('\0') >= 0) return false;
        var i = s.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (i < 0) return true;
        for (; i < s.Length; i++)
        {
            if (!char.IsSurrogate(s[i])) continue;
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
            return false;
        }
        return true;
    }

    /// <summary>The JSON name of an entity property (camelCase), as the API spells the field.</summary>
    public static string JsonName(string property) => property.Length == 0 ? property : char.ToLowerInvariant(property[0]) + property[1..];
}

/// <summary>Added or changed values of every SaveChanges: text length, storable text, finite numbers; refused naming the property.</summary>
public sealed class StorableValuesGuard : SaveChangesInterceptor
{
    public static readonly StorableValuesGuard Instance = new();

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
                if (entry.State == EntityState.Modified && !p.IsModified) continue;
                switch (p.CurrentValue)
                {
                    case string text:
                        if (!StorableValues.IsStorable(text)) throw new UnstorableValueException(StorableValues.JsonName(p.Metadata.Name), Unstorable.Text);
                        if (p.Metadata.GetMaxLength() is { } max && text.Length > max)
                            throw new UnstorableValueException(StorableValues.JsonName(p.Metadata.Name), Unstorable.TooLong, max, text.Length);
                        break;
                    case double d when !double.IsFinite(d):
                    case float f when !float.IsFinite(f):
                        throw new UnstorableValueException(StorableValues.JsonName(p.Metadata.Name), Unstorable.NotFinite);
                }
            }
        }
    }
}

/// <summary>
/// The same rule for what a query compares: a NUL in a query parameter makes PostgreSQL refuse the whole
/// statement (found by the JSON fuzz: a period of "\u0000" sent to the what-if API). The field is named
/// after the parameter, which EF Core names after the variable the query captured (<c>@__period_0</c> → period).
/// </summary>
public sealed partial class StorableParametersGuard : DbCommandInterceptor
{
    public static readonly StorableParametersGuard Instance = new();

    private static void Check(DbCommand command)
    {
        foreach (DbParameter p in command.Parameters)
        {
            switch (p.Value)
            {
                case string s when !StorableValues.IsStorable(s):
                    throw new UnstorableValueException(FieldOf(p.ParameterName), Unstorable.Text);
                case double d when !double.IsFinite(d):
                    throw new UnstorableValueException(FieldOf(p.ParameterName), Unstorable.NotFinite);
            }
        }
    }

    /// <summary><c>@__body_Period_0</c> → period; <c>@p3</c> → p3.</summary>
    internal static string FieldOf(string parameter)
    {
        var name = ParameterSuffix().Replace(parameter.TrimStart('@', ':', '$').TrimStart('_'), "");
        var last = name.LastIndexOf('_');
        return StorableValues.JsonName(last >= 0 && last < name.Length - 1 ? name[(last + 1)..] : name);
    }

    [GeneratedRegex("_[0-9]+$")]
    private static partial Regex ParameterSuffix();

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Check(command);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken ct = default)
    {
        Check(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Check(command);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken ct = default)
    {
        Check(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Check(command);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken ct = default)
    {
        Check(command);
        return ValueTask.FromResult(result);
    }
}
