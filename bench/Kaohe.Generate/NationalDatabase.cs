using System.Text.Json;
using Kaohe.Bench;
using Kaohe.Scoring;
using Kaohe.Scoring.FileFormat;
using Kaohe.Web.Data;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Generate;

/// <summary>
/// The national workload of bench/Kaohe.Bench written as the application's data: the same 3,000
/// units, tree and values (quarters 2–4 drift from Q1 by a few percent), as facts with provenance.
/// </summary>
public static class NationalDatabase
{
    public const string Category = "housing";

    public static async Task<string> WriteAsync(Options o, ProgressBar progress)
    {
        await using var db = Open(o);
        progress.Report("迁移 / migrations", 0, 1);
        await Database.MigrateAsync(db);
        if (await db.Units.AnyAsync())
            throw new InvalidOperationException("the target database is not empty; generate into a new directory or database");
        progress.Report("迁移 / migrations", 1, 1);
        db.ChangeTracker.AutoDetectChangesEnabled = false;

        var w = new NationalWorkload();
        var a = w.Assessment;
        foreach (var u in a.Units)
            db.Units.Add(new OrgUnit(u.Id, u.Name, u.Name, UnitKind.HousingBureau, UnitLevel.Prefecture, null, u.Group));
        var at = new DateTimeOffset(2023, 4, 8, 2, 0, 0, TimeSpan.Zero);
        var periods = new List<Period>();
        for (var q = 1; q <= 4; q++)
        {
            var p = new Period(2023, q, new DateOnly(2023, 3 * q, 1).AddMonths(1).AddDays(9));
            p.MoveTo(PeriodStatus.Collecting);
            periods.Add(p);
            db.Periods.Add(p);
        }
        db.Periods.Add(new Period(2023, null, new DateOnly(2024, 1, 15)));
        var hasher = new PasswordHasher<AppUser>();
        var office = new AppUser
        {
            UserName = "office", NormalizedUserName = "OFFICE", DisplayName = "考核办", Role = Roles.Office, LockoutEnabled = true,
            SecurityStamp = Guid.NewGuid().ToString("N"), ConcurrencyStamp = Guid.NewGuid().ToString("N"),
        };
        office.PasswordHash = hasher.HashPassword(office, o.Password);
        db.Users.Add(office);
        await db.SaveChangesAsync();

        var leaves = Leaves(a.Indicators).ToDictionary(l => l.Id);
        long facts = 0;
        var perQuarter = a.Values.Count + a.Adjustments.Count + a.Vetoes.Count;
        foreach (var p in periods)
        {
            var q = p.Quarter!.Value;
            var scheme = new Scheme(Category, p.Id, 1, $"{p.Year}年第{q}季度 全国规模测试方案", V1File.WriteScheme(p.Id, a.Indicators, a.Rules), "{}", "office", at.AddDays(-40));
            scheme.Activate(at.AddDays(-38));
            db.Schemes.Add(scheme);
            var drift = 1 + 0.015 * (q - 1);
            await db.SaveChangesAsync();
            var quarterAt = at;
            IEnumerable<Fact> QuarterFacts()
            {
                foreach (var v in a.Values)
                    foreach (var f in FactsOf(p.Id, v, leaves[v.Indicator], drift, quarterAt)) yield return f;
                foreach (var adj in a.Adjustments)
                    yield return new Fact(p.Id, adj.Unit, null, FactKind.Adjustment, new FactPayload(Points: adj.Points, Reason: adj.Reason).ToJson(),
                        FactSources.Office, "office", quarterAt, FactStatus.Verified);
                foreach (var veto in a.Vetoes)
                    yield return new Fact(p.Id, veto.Unit, null, FactKind.Veto, new FactPayload(Reason: veto.Reason).ToJson(), FactSources.Office, "office", quarterAt, FactStatus.Verified);
            }
            var expected = perQuarter + a.Values.Count(v => v.Findings is not null) * 2L; // an estimate for the bar
            facts += await BulkInsert.RunAsync(db, QuarterFacts(), n => progress.Report($"数据 / facts {p.Id}", Math.Min(n, expected), expected));
            progress.Report($"数据 / facts {p.Id}", expected, expected);
            at = at.AddMonths(3);
        }
        var responses = await NationalExtras.SurveysAsync(db, w, new DateTimeOffset(periods[0].EndsOn.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), progress);
        var (items, milestones) = await NationalExtras.RectificationAsync(db, periods, progress);
        // The facts went in by bulk insert, around SaveChanges: new revision stamps so that no results cache takes them for older data.
        await ResultsRevisions.BumpAllAsync(db, [.. periods.Select(p => p.Id), "2023", ResultsRevision.AllPeriods]);
        return $"{a.Units.Count} units, {a.Units.Select(u => u.Group).Distinct().Count()} groups, {periods.Count} quarterly schemes of {leaves.Count} leaves " +
            $"(rater leaves with {a.Values.Where(v => v.Rater is not null).Select(v => v.Rater).Distinct().Count()} raters each), {facts} facts, " +
            $"{responses} survey responses, {items} rectification items with {milestones} milestones; office password: {o.Password}";
    }

    private static IEnumerable<Fact> FactsOf(string period, DataValue v, Indicator leaf, double drift, DateTimeOffset at)
    {
        Fact F(FactKind kind, FactPayload payload, string source, string? rater = null) =>
            new(period, v.Unit, v.Indicator, kind, payload.ToJson(), source, source, at, FactStatus.Verified, rater);
        switch (leaf.Method)
        {
            case RatersMethod:
                yield return F(FactKind.RaterScore, new FactPayload(Value: v.Value), FactSources.Division, v.Rater);
                break;
            case SurveyMethod:
                yield return F(FactKind.SurveyTally, new FactPayload(Counts: v.Counts?.ToDictionary(kv => kv.Key, kv => kv.Value)), FactSources.Survey);
                break;
            case DeductionMethod:
                if (v.Findings?.Count is { } count)
                    for (var i = 0; i < count; i++) yield return F(FactKind.Finding, new FactPayload(Note: $"问题 {i + 1}"), FactSources.Inspection);
                else
                    foreach (var f in v.Findings?.Items ?? [])
                        yield return F(FactKind.Finding, new FactPayload(Points: f.Points, Note: f.Note), FactSources.Inspection);
                break;
            case DirectMethod:
                yield return F(FactKind.Value, new FactPayload(Value: v.Value), FactSources.Division);
                break;
            default:
                // Reported values drift a little from quarter to quarter; direct scores and ratings do not.
                yield return F(FactKind.Value, new FactPayload(Value: v.Value is { } x ? Math.Round(x * drift, 4) : null, Target: v.Target), FactSources.Report);
                break;
        }
    }

    private static IEnumerable<Indicator> Leaves(IEnumerable<Indicator> nodes) => nodes.SelectMany(n => n.IsLeaf ? [n] : Leaves(n.ChildList));

    private static KaoheDbContext Open(Options o)
    {
        if (o.Postgres is not null)
            return new PostgresKaoheDbContext(new DbContextOptionsBuilder<PostgresKaoheDbContext>().UseNpgsql(o.Postgres).Options);
        Directory.CreateDirectory(o.OutDir!);
        return new SqliteKaoheDbContext(new DbContextOptionsBuilder<SqliteKaoheDbContext>().UseSqlite($"Data Source={Path.Combine(o.OutDir!, "kaohe.db")}").Options);
    }
}
