using Kaohe.Data.Postgres;
using Kaohe.Data.Sqlite;
using System.Text.Json;
using Kaohe.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Generate;

/// <summary>
/// The survey part of bench/run.sh (issue 9): single-use codes for the submission load run.
///
///   kaohe generate --survey-codes N (--data-dir DIR | --postgres CS) --codes FILE [--body FILE]
///
/// Into an application database (already migrated, e.g. by the running app): a bench period
/// (2031-Q1) with an active questionnaire (the urban-management template) if it has none, one new
/// site, and N codes in batches of 5,000, derived from each batch's secret as the app issues them and
/// stored as hashes. The batch secrets and the questionnaire's client-hash key are encrypted with the
/// application's own data-protection key ring (kept in the same database), so the app reads them as
/// its own. Writes the raw codes to FILE, one per line, and a complete answer body to --body.
/// </summary>
public static class SurveyCodes
{
    public const string Period = "2031-Q1";
    private const int PerBatch = 5000;

    /// <summary>
    /// Issues <paramref name="count"/> codes into the database of <paramref name="outDir"/> or <paramref name="pg"/>
    /// (the command line has checked that exactly one is given and that the count is positive). Exit code 0.
    /// </summary>
    public static async Task<int> RunAsync(int count, string? outDir, string? pg, string codesFile, string? bodyFile, TextWriter stdout)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        if (pg is not null) services.AddDbContext<KaoheDbContext, PostgresKaoheDbContext>(o => o.UseNpgsql(pg));
        else services.AddDbContext<KaoheDbContext, SqliteKaoheDbContext>(o => o.UseSqlite($"Data Source={Path.Combine(Path.GetFullPath(outDir!), "kaohe.db")}"));
        // The application's key ring: the same application name and the same table.
        services.AddDataProtection().SetApplicationName("Kaohe").PersistKeysToDbContext<KaoheDbContext>();
        await using var sp = services.BuildServiceProvider();
        using var scope = sp.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        var protector = scope.ServiceProvider.GetRequiredService<IDataProtectionProvider>().CreateProtector(SurveyDocuments.BatchPurpose);
        string NewSecret() => protector.Protect(Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        await DatabaseSchema.MigrateAsync(db);

        var now = DateTimeOffset.UtcNow;
        if (await db.Periods.FindAsync(Period) is null)
        {
            var p = new Period(2031, 1, new DateOnly(2031, 4, 10));
            p.MoveTo(PeriodStatus.Collecting);
            db.Periods.Add(p);
        }
        var unit = await db.Units.OrderBy(u => u.Id).Select(u => u.Id).FirstOrDefaultAsync();
        if (unit is null)
        {
            unit = "bench-survey";
            db.Units.Add(new OrgUnit(unit, "压测单位", "Bench unit", UnitKind.UrbanManagementBureau, UnitLevel.Prefecture, null, "压测"));
        }
        var template = Questionnaire.UrbanManagementTemplate();
        if (!await db.Set<SurveyQuestionnaire>().AnyAsync(q => q.PeriodId == Period && q.Status == QuestionnaireStatus.Active))
        {
            var version = (await db.Set<SurveyQuestionnaire>().Where(q => q.PeriodId == Period).MaxAsync(q => (int?)q.Version) ?? 0) + 1;
            var q = new SurveyQuestionnaire(Period, "urban", "U2.5", version, template.Title.In(Texts.Chinese), JsonSerializer.Serialize(template.Languages),
                SurveyDocuments.ToJson(template), NewSecret(), "bench", now);
            q.Activate();
            db.Add(q);
        }
        var n = await db.Set<SurveySite>().CountAsync(s => s.PeriodId == Period) + 1;
        var site = new SurveySite(Period, unit, $"压测调查点 {n}", $"BENCH-{n}", Math.Min(count, 100_000), n);
        db.Add(site);
        await db.SaveChangesAsync();

        var codes = new List<string>(count);
        for (var done = 0; done < count; done += PerBatch)
        {
            var size = Math.Min(PerBatch, count - done);
            var protectedSecret = NewSecret();
            var secret = Convert.FromBase64String(protector.Unprotect(protectedSecret));
            var batch = new SurveyBatch(site.Id, site.TakeSerials(size), size, 40, protectedSecret, "bench", now);
            db.Add(batch);
            await db.SaveChangesAsync();
            var tokens = new List<SurveyToken>(size);
            for (var s = batch.FirstSerial; s < batch.FirstSerial + size; s++)
            {
                var code = SurveyTokens.Derive(secret, s);
                codes.Add(code);
                tokens.Add(new SurveyToken(SurveyTokens.Hash(code), site.Id, batch.Id, s));
            }
            await BulkInsert.RunAsync(db, tokens);
        }
        await File.WriteAllLinesAsync(codesFile, codes);
        if (bodyFile is not null)
            await File.WriteAllTextAsync(bodyFile, JsonSerializer.Serialize(new
            {
                answers = template.Questions.ToDictionary(q => q.Id, q => q.Options[0].Id),
                language = "zh",
            }, SurveyDocuments.Json));
        stdout.WriteLine($"{count} codes for site {site.Code} of {Period} written to {codesFile}");
        return 0;
    }
}
