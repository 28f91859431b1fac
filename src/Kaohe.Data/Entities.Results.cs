using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kaohe.Data;

/// <summary>
/// The revision of the inputs of a period's results: one row per period id (a quarter such as
/// <c>2023-Q1</c>, a year such as <c>2023</c>) and one row <see cref="AllPeriods"/> for what every
/// period reads (the units and their ranking groups). Every saved change to a period's inputs writes
/// it in the same transaction (<see cref="ResultsRevisionInterceptor"/>):
/// <list type="bullet">
/// <item><see cref="Stamp"/> changes with every change;</item>
/// <item><see cref="Structure"/> changes with everything but facts (schemes, status, snapshots, annual
/// settings, units, a deleted fact): the results store then rebuilds the period's view;</item>
/// <item><see cref="Counter"/> counts the writes of facts. Each fact written takes the new counter as its
/// <see cref="Fact.ChangeNo"/>, so the store applies only the facts numbered above the counter it saw.</item>
/// </list>
/// </summary>
/// <remarks>
/// Stamps are random rather than counters: two instances changing a period at once must not both write
/// the same "next" value. The counter is incremented by the database itself (<c>SET "Counter" =
/// "Counter" + 1 … RETURNING</c>) inside the writing transaction, which holds the row's lock until it
/// commits; so counter values are committed in the order they are drawn, and a reader that has seen
/// counter c has seen every fact numbered c or less.
/// </remarks>
public sealed class ResultsRevision
{
    public const string AllPeriods = "*";

    private ResultsRevision() { }

    public ResultsRevision(string scope)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scope);
        Scope = scope;
        Stamp = NewStamp();
        Structure = NewStamp();
    }

    public string Scope { get; private set; } = "";
    public string Stamp { get; private set; } = "";
    public string Structure { get; private set; } = "";
    public long Counter { get; private set; }

    public static string NewStamp() => Guid.NewGuid().ToString("N");

    /// <summary>
    /// A change written through the tracked row, for a save outside a transaction: the counter is read and
    /// written back (not incremented by the database), so the structure stamp always changes with it, and
    /// every reader rebuilds rather than trusting the counter.
    /// </summary>
    public long Touch(bool numbered)
    {
        Stamp = NewStamp();
        Structure = NewStamp();
        if (numbered) Counter++;
        return Counter;
    }
}

internal sealed class ResultsRevisionConfiguration : IEntityTypeConfiguration<ResultsRevision>
{
    public void Configure(EntityTypeBuilder<ResultsRevision> b)
    {
        b.ToTable("ResultsRevisions");
        b.HasKey(x => x.Scope);
        b.Property(x => x.Scope).HasMaxLength(16);
        b.Property(x => x.Stamp).HasMaxLength(32);
        b.Property(x => x.Structure).HasMaxLength(32);
    }
}
