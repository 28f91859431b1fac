using Kaohe.Data;
using Kaohe.Web.Features.Surveys;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Surveys;

/// <summary>
/// /Surveys after a start (issue 20): the live counts start from what the last 更新统计 counted (its
/// <see cref="SurveyTallyMark"/>) and add only the answers stored since, so an instance with nothing in memory
/// does not read every response again; and they always equal a count of every answer, made here from what
/// the test itself submitted.
/// </summary>
public abstract class SurveyCountsFromTallyTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    /// <summary>A quarter being collected (2023-Q1, where the demo's survey lives, is published and takes no tallies).</summary>
    private const string Period = "2023-Q4";

    /// <summary>Every answer the test stored: per site unit, per option, how many times it was chosen in a scored question.</summary>
    private readonly Dictionary<string, Dictionary<string, double>> _chosen = new(StringComparer.Ordinal);
    private int _stored;

    /// <summary>Enters <paramref name="count"/> paper questionnaires at every site, answers varied by site and sheet.</summary>
    private async Task AnswerAsync(int count, string round)
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        var surveys = scope.ServiceProvider.GetRequiredService<SurveyService>();
        var q = SurveyDocuments.ParseQuestionnaire((await db.Set<SurveyQuestionnaire>().AsNoTracking()
            .SingleAsync(x => x.PeriodId == Period && x.Status == QuestionnaireStatus.Active)).Document);
        var sites = await db.Set<SurveySite>().AsNoTracking().Where(s => s.PeriodId == Period).OrderBy(s => s.Id).ToListAsync();
        foreach (var (site, i) in sites.Select((s, i) => (s, i)))
            for (var n = 0; n < count; n++)
            {
                var answers = q.Questions.Select((question, k) => (question, option: question.Options[(i + n * 3 + k) % question.Options.Count]))
                    .ToDictionary(x => x.question.Id, x => x.option.Id);
                var result = await surveys.AddPaperAsync(site.Id, $"{round}-{n}", new SurveyAnswers(answers), "office");
                Assert.Equal(SubmitOutcome.Stored, result.Outcome);
                _stored++;
                var chosen = _chosen.TryGetValue(site.UnitId, out var c) ? c : _chosen[site.UnitId] = new(StringComparer.Ordinal);
                foreach (var question in q.Questions.Where(x => x.Scored))
                    chosen[answers[question.Id]] = chosen.GetValueOrDefault(answers[question.Id]) + 1;
            }
    }

    /// <summary>
    /// The counts as /Surveys computes them in a new instance (nothing counted in memory yet), and how many times that
    /// instance read every answer.
    /// </summary>
    private async Task<(Dictionary<string, Dictionary<string, double>> Counts, int Responses, long Readings)> FreshCountsAsync()
    {
        using var scope = app.Factory.Services.CreateScope();
        var fresh = new SurveyCountsCache();
        var surveys = ActivatorUtilities.CreateInstance<SurveyService>(scope.ServiceProvider, fresh);
        var (_, counts, responses) = (await surveys.ComputeAsync(Period))!.Value;
        return (counts, responses, fresh.Readings);
    }

    /// <summary>The counts equal the answers the test stored: per site unit, and per prefecture as a whole (its sites together).</summary>
    private void AssertEqualsStored(Dictionary<string, Dictionary<string, double>> counts, int responses)
    {
        Assert.Equal(_stored, responses);
        static Dictionary<string, double> NonZero(IReadOnlyDictionary<string, double> d) => d.Where(kv => kv.Value != 0).ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (unit, chosen) in _chosen)
        {
            Assert.Equal(NonZero(chosen), NonZero(counts[unit]));
            var whole = unit[..unit.LastIndexOf('-')];
            var together = _chosen.Where(kv => kv.Key.StartsWith(whole + "-", StringComparison.Ordinal)).SelectMany(kv => kv.Value)
                .GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value));
            Assert.Equal(NonZero(together), NonZero(counts[whole]));
        }
    }

    private async Task TallyAsync()
    {
        using var scope = app.Factory.Services.CreateScope();
        Assert.NotNull(await scope.ServiceProvider.GetRequiredService<SurveyService>().RecomputeAsync(Period, "office"));
    }

    [Fact]
    public async Task A_new_instance_counts_from_the_stored_tally_plus_the_answers_since_and_matches_a_full_count()
    {
        await DemoSurvey.CopyAsync(app, Period);
        await AnswerAsync(3, "a");

        // Before any tally: nothing stored to start from, so every answer is read.
        var before = await FreshCountsAsync();
        AssertEqualsStored(before.Counts, before.Responses);
        Assert.Equal(1, before.Readings);

        // After 更新统计: a new instance starts from what it counted and reads no answer again.
        await TallyAsync();
        var mark = await app.WithDb(db => db.Set<SurveyTallyMark>().AsNoTracking().SingleAsync(m => m.PeriodId == Period));
        Assert.Equal(_stored, mark.Responses);
        var tallied = await FreshCountsAsync();
        AssertEqualsStored(tallied.Counts, tallied.Responses);
        Assert.Equal(0, tallied.Readings);

        // Answers after the tally: the stored counts plus only the new answers, equal to a full count.
        await AnswerAsync(2, "b");
        var after = await FreshCountsAsync();
        AssertEqualsStored(after.Counts, after.Responses);
        Assert.Equal(0, after.Readings);

        // The page of the running instance says the same.
        using var office = await app.SignedIn("office");
        var html = await office.GetStringAsync($"/Surveys?period={Period}");
        Assert.Equal(_stored, int.Parse(System.Text.RegularExpressions.Regex.Match(html, @"(\d+) 份答卷").Groups[1].Value));

        // A second tally moves the mark to every answer so far.
        await TallyAsync();
        Assert.Equal(_stored, (await app.WithDb(db => db.Set<SurveyTallyMark>().AsNoTracking().SingleAsync(m => m.PeriodId == Period))).Responses);
        var again = await FreshCountsAsync();
        AssertEqualsStored(again.Counts, again.Responses);
        Assert.Equal(0, again.Readings);

        // When the responses up to the mark's highest id are no longer the ones it counted (here one is taken away, as
        // when a lower id commits late on PostgreSQL or a site leaves the period), the mark is not trusted: every answer
        // is read again.
        await app.WithDb(async db =>
        {
            var site = await db.Set<SurveySite>().AsNoTracking().Where(s => s.PeriodId == Period).OrderBy(s => s.Id).Select(s => s.Id).FirstAsync();
            db.Remove(await db.Set<SurveyResponse>().Where(x => x.SiteId == site).OrderBy(x => x.Id).FirstAsync());
            return await db.SaveChangesAsync();
        });
        var recounted = await FreshCountsAsync();
        Assert.Equal(1, recounted.Readings);
        Assert.Equal(_stored - 1, recounted.Responses);
    }
}

public sealed class SurveyCountsFromTallyTestsOnSqlite(SurveySqliteApp app) : SurveyCountsFromTallyTests<SurveySqliteApp>(app);

public sealed class SurveyCountsFromTallyTestsOnPostgres(SurveyPostgresApp app) : SurveyCountsFromTallyTests<SurveyPostgresApp>(app);
