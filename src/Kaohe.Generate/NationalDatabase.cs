using Kaohe.Data.Postgres;
using Kaohe.Data.Sqlite;
using System.Text.Json;
using Kaohe.Scoring;
using Kaohe.Scoring.FileFormat;
using Kaohe.Data;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Generate;

/// <summary>What a generation wrote.</summary>
public sealed record GenerateSummary(string Scale, int Units, int Groups, int Schemes, int Leaves, int RatersPerLeaf, long Facts,
    long SurveyResponses, long RectificationItems, long Milestones)
{
    public override string ToString() =>
        $"{Units} 个单位 units, {Groups} 个排名组 ranking groups, {Schemes} 套季度方案 quarterly schemes × {Leaves} 个末级指标 leaves " +
        $"({RatersPerLeaf} 个评分人/多方评末级指标 raters per rater leaf), {Facts} 条数据 facts, {SurveyResponses} 份问卷 survey responses, " +
        $"{RectificationItems} 个整改事项 rectification items ({Milestones} 个节点 milestones)";
}

/// <summary>Why a target cannot take a generated dataset (it already holds data), in both languages, naming the option.</summary>
public sealed class TargetNotEmptyException(string message) : Exception(message);

/// <summary>
/// The <see cref="NationalWorkload"/> (national or small scale) written as the application's data: the
/// same units, tree and values (quarters 2–4 drift from Q1 by a few percent) as facts with provenance,
/// the survey responses and rectification items (<see cref="NationalExtras"/>), an office account, and
/// one audit entry that records the generation.
/// </summary>
public static class NationalDatabase
{
    public const string Category = "housing";
    public const string DatabaseFile = "kaohe.db";

    /// <summary>
    /// Why the target of <paramref name="o"/> cannot be written, or null when it can: --out must be a new
    /// or empty directory, --postgres a database without Kaohe tables. Writes nothing.
    /// </summary>
    public static async Task<string?> RefusalAsync(GenerateOptions o, CancellationToken ct = default)
    {
        if (o.OutDir is { } dir)
        {
            if (File.Exists(dir))
                return $"--out {dir} 是一个文件，不是目录 / --out {dir} is a file, not a directory";
            if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
                return $"--out 目录 {dir} 不为空：请指定新的或空的目录（不会覆盖已有数据）/ the --out directory {dir} is not empty: give a new or empty directory (existing data is never overwritten)";
            return null;
        }
        await using var db = OpenPostgres(o.Postgres!);
        if (!await db.Database.CanConnectAsync(ct))
        {
            // Either the database does not exist yet (the migrations create it) or the server is out of reach.
            var server = new Npgsql.NpgsqlConnectionStringBuilder(o.Postgres) { Database = "postgres" };
            try
            {
                await using var c = new Npgsql.NpgsqlConnection(server.ConnectionString);
                await c.OpenAsync(ct);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
            {
                return $"无法连接 --postgres 指定的服务器：{e.Message} / cannot connect to the server of --postgres: {e.Message}";
            }
            return null;
        }
        if ((await db.Database.GetAppliedMigrationsAsync(ct)).Any())
            return "--postgres 指定的数据库已有考核系统的数据表：请指定新建的空数据库（不会覆盖已有数据）/ the database of --postgres already holds Kaohe tables: give a new, empty database (existing data is never overwritten)";
        return null;
    }

    /// <summary>
    /// Writes the dataset. Into a directory all or nothing: the database is written in a sibling
    /// directory that takes the target's name only when complete.
    /// </summary>
    public static async Task<GenerateSummary> WriteAsync(GenerateOptions o, IGenerationProgress progress, CancellationToken ct = default)
    {
        if (await RefusalAsync(o, ct) is { } refusal) throw new TargetNotEmptyException(refusal);
        if (o.Postgres is not null)
        {
            await using var pg = OpenPostgres(o.Postgres);
            return await WriteAsync(pg, o, progress, ct);
        }
        var target = Path.GetFullPath(o.OutDir!);
        var work = $"{target.TrimEnd(Path.DirectorySeparatorChar)}.generating-{Guid.NewGuid():N}";
        Directory.CreateDirectory(work);
        try
        {
            GenerateSummary summary;
            await using (var db = new SqliteKaoheDbContext(new DbContextOptionsBuilder<SqliteKaoheDbContext>()
                .UseSqlite($"Data Source={Path.Combine(work, DatabaseFile)}").Options))
                summary = await WriteAsync(db, o, progress, ct);
            SqliteConnection.ClearAllPools(); // closes the file (and folds the WAL into it) before the move
            if (Directory.Exists(target)) Directory.Delete(target); // empty: checked above
            Directory.Move(work, target);
            return summary;
        }
        catch
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    private static async Task<GenerateSummary> WriteAsync(KaoheDbContext db, GenerateOptions o, IGenerationProgress progress, CancellationToken ct)
    {
        progress.Report("迁移 / migrations", 0, 1);
        await DatabaseSchema.MigrateAsync(db, ct);
        if (await db.Units.AnyAsync(ct))
            throw new TargetNotEmptyException("目标数据库不为空 / the target database is not empty");
        progress.Report("迁移 / migrations", 1, 1);
        db.ChangeTracker.AutoDetectChangesEnabled = false;

        var w = new NationalWorkload(scale: o.Scale);
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
        await db.SaveChangesAsync(ct);

        var leaves = IndicatorTree.Leaves(a.Indicators).ToDictionary(l => l.Id);
        long facts = 0;
        var perQuarter = a.Values.Count + a.Adjustments.Count + a.Vetoes.Count;
        foreach (var p in periods)
        {
            var q = p.Quarter!.Value;
            var scheme = new Scheme(Category, p.Id, 1, $"{p.Year}年第{q}季度 {(o.Scale == WorkloadScale.National ? "全国规模" : "小规模")}测试方案", V1File.WriteScheme(p.Id, a.Indicators, a.Rules), "{}", "office", at.AddDays(-40));
            scheme.Activate(at.AddDays(-38));
            db.Schemes.Add(scheme);
            var drift = 1 + 0.015 * (q - 1);
            await db.SaveChangesAsync(ct);
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
            facts += await BulkInsert.RunAsync(db, QuarterFacts(), n => progress.Report($"数据 / facts {p.Id}", Math.Min(n, expected), expected), ct);
            progress.Report($"数据 / facts {p.Id}", expected, expected);
            at = at.AddMonths(3);
        }
        var responses = await NationalExtras.SurveysAsync(db, w, new DateTimeOffset(periods[0].EndsOn.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), progress, ct);
        var (items, milestones) = await NationalExtras.RectificationAsync(db, periods, o.Scale, progress, ct);
        // The facts went in by bulk insert, around SaveChanges: new revision stamps so that no results cache takes them for older data.
        await ResultsRevisions.BumpAllAsync(db, [.. periods.Select(p => p.Id), "2023", ResultsRevision.AllPeriods], ct);
        var summary = new GenerateSummary(o.Scale.Name, a.Units.Count, w.GroupCount, periods.Count, leaves.Count,
            leaves.Values.Select(l => l.Method).OfType<RatersMethod>().Select(m => m.Raters.Count).DefaultIfEmpty().Max(),
            facts, responses, items, milestones);
        // The bulk rows bypass the audit log: one entry records the generation itself, with what it wrote.
        var audit = new AuditLog(db, o.Clock, new HttpContextAccessor());
        audit.Record("dataset.generate", "Dataset", o.Scale.Name, null, summary, "kaohe generate");
        await audit.SaveAsync(ct);
        return summary;
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


    private static PostgresKaoheDbContext OpenPostgres(string connection) =>
        new(new DbContextOptionsBuilder<PostgresKaoheDbContext>().UseNpgsql(connection).Options);
}
