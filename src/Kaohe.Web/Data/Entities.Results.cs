using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kaohe.Web.Data;

/// <summary>
/// The revision of the inputs of a period's results (issue 9): one row per period id (a quarter such
/// as <c>2023-Q1</c>, a year such as <c>2023</c>) and one row <see cref="AllPeriods"/> for what every
/// period reads (the units and their ranking groups). Any saved change to a period's facts, schemes,
/// snapshots, status or annual setting writes a new <see cref="Stamp"/> in the same transaction
/// (<see cref="ResultsRevisionInterceptor"/>), so a cache keyed by the stamps is never stale, on one
/// instance or several sharing a database.
/// </summary>
/// <remarks>
/// A random stamp rather than a counter: two instances that change the same period at the same time
/// would both read n and both write n + 1 (a lost update, and a cache computed between the two
/// commits would look current). Each commit writes a value never seen before, so the last commit's
/// stamp always differs from every stamp read before it.
/// </remarks>
public sealed class ResultsRevision
{
    public const string AllPeriods = "*";

    private ResultsRevision() { }

    public ResultsRevision(string scope)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scope);
        Scope = scope;
        Bump();
    }

    public string Scope { get; private set; } = "";
    public string Stamp { get; private set; } = "";

    public void Bump() => Stamp = Guid.NewGuid().ToString("N");
}

internal sealed class ResultsRevisionConfiguration : IEntityTypeConfiguration<ResultsRevision>
{
    public void Configure(EntityTypeBuilder<ResultsRevision> b)
    {
        b.ToTable("ResultsRevisions");
        b.HasKey(x => x.Scope);
        b.Property(x => x.Scope).HasMaxLength(16);
        b.Property(x => x.Stamp).HasMaxLength(32);
    }
}
