using Kaohe.Demo;
using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Demo;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Kaohe.Web.Features.Surveys;

/// <summary>
/// The demo's 2023-Q1 satisfaction survey: the questionnaire (Chinese, a draft Tibetan, English),
/// the 21 sites of the seed (the 7 prefecture seats and 14 sampled counties) with quotas summing to
/// the seed's 770, and 770 responses, mostly scanned from QR codes and some keyed in from paper. The
/// seed does not name the 14 counties: the demo draws 2 per prefecture with a fixed seed, so they are
/// invented. The answers follow each unit's satisfaction in the demo schemes, drawn with a seeded
/// random generator so every run gives the same data; the tallies then replace the schemes' survey facts.
/// </summary>
public static class SurveysDemo
{
    public const string Period = DemoSchemes.Period;
    public const int SeatQuota = 50, CountyQuota = 30; // 7 × (50 + 2 × 30) = 770 (seed)

    private static readonly DateTimeOffset Start = new(2023, 3, 20, 1, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset TalliedAt = new(2023, 4, 8, 2, 0, 0, TimeSpan.Zero);

    private static readonly Dictionary<string, string> Codes = new()
    {
        ["lasa"] = "LS", ["xigaze"] = "RKZ", ["qamdo"] = "CD", ["nyingchi"] = "LZ", ["shannan"] = "SN", ["nagqu"] = "NQ", ["ngari"] = "AL",
    };

    public static async Task SeedAsync(KaoheDbContext db, AuditLog audit)
    {
        var protection = db.GetService<IDataProtectionProvider>();
        var clock = new FixedClock(TalliedAt);
        var service = new SurveyService(db, audit, clock, protection, new SurveyCountsCache());
        var template = Questionnaire.UrbanManagementTemplate();
        var urban = DemoSchemes.Get("urban");
        var leaf = IndicatorTree.Leaves(urban.Q1.Indicators).Single(l => l.Method is SurveyMethod);
        var q = new SurveyQuestionnaire(Period, urban.Code, leaf.Id, 1, template.Title.In(Texts.Chinese),
            System.Text.Json.JsonSerializer.Serialize(template.Languages), SurveyDocuments.ToJson(template), service.NewProtectedSecret(), "office", Start.AddDays(-10));
        q.Activate();
        db.Add(q);

        var rng = new Random(2023_0320);
        var order = 0;
        var sites = new List<SurveySite>();
        foreach (var p in DemoCatalog.Prefectures)
        {
            sites.Add(new SurveySite(Period, $"cg-{p.Id}-seat", p.Name + p.SeatDistrict, $"{Codes[p.Id]}-0", SeatQuota, ++order));
            var counties = p.Counties.OrderBy(_ => rng.Next()).Take(2).ToList();
            for (var i = 0; i < counties.Count; i++)
                sites.Add(new SurveySite(Period, $"cg-{p.Id}-county", p.Name + counties[i], $"{Codes[p.Id]}-{i + 1}", CountyQuota, ++order));
        }
        db.AddRange(sites);
        await db.SaveChangesAsync();

        var shares = urban.Q1.Values.Where(v => v.Indicator == leaf.Id && v.Counts is not null).ToDictionary(v => v.Unit, v => v.Counts!);
        var options = template.Questions[0].Options.Select(o => o.Id).ToArray();
        int web = 0, paper = 0;
        foreach (var site in sites)
        {
            var secretProtected = service.NewProtectedSecret();
            var secret = Convert.FromBase64String(protection.CreateProtector(SurveyDocuments.BatchPurpose).Unprotect(secretProtected));
            var batch = new SurveyBatch(site.Id, site.TakeSerials(site.Quota), site.Quota, 8, secretProtected, "office", Start.AddDays(-2));
            db.Add(batch);
            await db.SaveChangesAsync();
            // About one in ten is answered on paper (older respondents, no phone at hand).
            var paperCount = site.Quota / 10;
            var tokens = Enumerable.Range(batch.FirstSerial, batch.Count).Select(s => new SurveyToken(SurveyTokens.Hash(SurveyTokens.Derive(secret, s)), site.Id, batch.Id, s)).ToList();
            db.AddRange(tokens);
            await db.SaveChangesAsync();
            var share = shares[site.UnitId];
            var weights = options.Select(o => share.GetValueOrDefault(o) + 0.5).ToArray();
            for (var i = 0; i < site.Quota; i++)
            {
                var at = Start.AddMinutes(rng.Next(0, 11 * 24 * 60));
                var answers = new SurveyAnswers(template.Questions.ToDictionary(x => x.Id, _ => Pick(options, weights, rng)));
                var isPaper = i >= site.Quota - paperCount;
                if (isPaper)
                {
                    db.Add(new SurveyResponse(site.Id, q.Id, SurveyDocuments.AnswersJson(answers), SurveyChannels.Paper, null, $"{site.Code}-P{i - (site.Quota - paperCount) + 1:000}",
                        Texts.Chinese, at, null, "assessor1"));
                    paper++;
                }
                else
                {
                    tokens[i].MarkUsed(at);
                    var lang = rng.NextDouble() switch { < 0.25 => "bo", < 0.28 => "en", _ => Texts.Chinese };
                    db.Add(new SurveyResponse(site.Id, q.Id, SurveyDocuments.AnswersJson(answers), SurveyChannels.Web, tokens[i].Id, null, lang, at, null, null));
                    web++;
                }
            }
        }
        audit.Record("survey.demo", "survey-questionnaire", Period, null, new { sites = sites.Count, quota = sites.Sum(s => s.Quota), web, paper });
        await audit.SaveAsync();
        await service.RecomputeAsync(Period, "office");
    }

    private static string Pick(string[] options, double[] weights, Random rng)
    {
        var x = rng.NextDouble() * weights.Sum();
        for (var i = 0; i < options.Length; i++)
        {
            x -= weights[i];
            if (x < 0) return options[i];
        }
        return options[^1];
    }

    private sealed class FixedClock(DateTimeOffset at) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => at;
    }
}
