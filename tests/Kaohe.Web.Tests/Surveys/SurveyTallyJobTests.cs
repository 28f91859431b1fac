using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Jobs;
using Kaohe.Web.Features.Surveys;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Surveys;

/// <summary>
/// 更新统计 as a job (issue 9 item 4): it reports responses read and tallies written, ends with the
/// same tallies as a count of the stored answers, audited as the person who started it; a job that
/// fails while writing leaves the previous tallies; only the office starts it and only its owner (and
/// the office) sees it; a second start joins the running one.
/// </summary>
public abstract class SurveyTallyJobTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    /// <summary>A quarter being collected, with the demo's survey copied in (2023-Q1, where it lives, is published and takes no tallies).</summary>
    private const string Period = "2023-Q4";
    private const string Leaf = "U2.5";
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private Task SurveyAsync() => DemoSurvey.CopyAsync(app, Period);

    private static async Task<string> StartedAsync(HttpResponseMessage r)
    {
        Assert.True(r.StatusCode == HttpStatusCode.Accepted, $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        var id = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal($"/api/v1/jobs/{id}", r.Headers.Location!.ToString());
        return id;
    }

    /// <summary>Polls the job as the page's script does (bounded by a count of polls, not by time).</summary>
    private static async Task<JobDto> WaitAsync(HttpClient client, string id)
    {
        for (var i = 0; i < 1200; i++)
        {
            var job = (await client.GetFromJsonAsync<JobDto>($"/api/v1/jobs/{id}", Web))!;
            if (job.Finished) return job;
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"job {id} did not finish");
    }

    /// <summary>The stored tallies of the period: fact id and counts per unit.</summary>
    private Task<Dictionary<string, (long Id, string Payload)>> TalliesAsync() => app.WithDb(async db =>
        (await db.Facts.AsNoTracking().Where(f => f.PeriodId == Period && f.IndicatorId == Leaf && f.Kind == FactKind.SurveyTally).ToListAsync())
            .ToDictionary(f => f.UnitId, f => (f.Id, f.Payload)));

    /// <summary>Enters one paper questionnaire at a site of the unit through the API (every answer the first option).</summary>
    private async Task<string> AnswerAtAsync(HttpClient office, string unit)
    {
        var (siteId, answers) = await app.WithDb(async db =>
        {
            var site = await db.Set<SurveySite>().AsNoTracking().FirstAsync(s => s.PeriodId == Period && s.UnitId == unit);
            var q = await db.Set<SurveyQuestionnaire>().AsNoTracking().Where(x => x.PeriodId == Period && x.Status == QuestionnaireStatus.Active).FirstAsync();
            var questionnaire = SurveyDocuments.ParseQuestionnaire(q.Document);
            return (site.Id, questionnaire.Questions.Where(x => x.Scored).ToDictionary(x => x.Id, x => x.Options[0].Id));
        });
        var r = await office.PostAsJsonAsync("/api/v1/surveys/paper", new { site = siteId, sheet = "P-" + Guid.NewGuid().ToString("N")[..10], answers });
        Assert.True(r.StatusCode == HttpStatusCode.Created, $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        return unit;
    }

    private Task<List<string>> SiteUnitsAsync() => app.WithDb(db =>
        db.Set<SurveySite>().AsNoTracking().Where(s => s.PeriodId == Period).Select(s => s.UnitId).Distinct().OrderBy(u => u).ToListAsync());

    [Fact]
    public async Task The_job_reports_responses_and_tallies_and_writes_the_counted_tallies_audited_as_its_owner()
    {
        await SurveyAsync();
        using var office = await app.As("office");
        var units = await SiteUnitsAsync();
        await AnswerAtAsync(office, units[0]);
        await AnswerAtAsync(office, units[^1]);
        var responses = await app.WithDb(db => db.Set<SurveyResponse>().CountAsync(r => db.Set<SurveySite>().Any(s => s.Id == r.SiteId && s.PeriodId == Period)));
        Dictionary<string, Dictionary<string, double>> expected;
        using (var scope = app.Factory.Services.CreateScope())
            expected = (await scope.ServiceProvider.GetRequiredService<SurveyService>().ComputeAsync(Period))!.Value.Counts;
        var auditBefore = await app.WithDb(db => db.AuditEntries.CountAsync(e => e.Action == "survey.tally"));

        var id = await StartedAsync(await office.PostAsync($"/api/v1/jobs/survey-tallies?period={Period}", null));
        var job = await WaitAsync(office, id);

        Assert.True(job.Status == "Succeeded", job.Error);
        // The bar counts the responses read and the units tallied.
        Assert.Equal(responses + expected.Count, job.Total);
        Assert.Equal(job.Total, job.Done);
        Assert.Contains($"{responses} 份答卷", job.Message);
        Assert.Equal($"/Surveys?period={Period}", job.Link);
        var stored = await TalliesAsync();
        Assert.Equal(expected.Keys.Order(), stored.Keys.Order());
        foreach (var (unit, counts) in expected)
            Assert.Equal(counts.OrderBy(kv => kv.Key), FactPayload.Parse(stored[unit].Payload).Counts!.OrderBy(kv => kv.Key));

        var entries = await app.WithDb(db => db.AuditEntries.AsNoTracking().Where(e => e.Action == "survey.tally").OrderBy(e => e.Sequence).ToListAsync());
        Assert.True(entries.Count > auditBefore, "the changed tallies are audited");
        Assert.Contains(entries.Skip(auditBefore), e => e.EntityId == $"{Period}/{units[0]}/{Leaf}" && e.Actor == "office");
        Assert.Contains(await app.WithDb(db => db.AuditEntries.Where(e => e.EntityId == id).Select(e => e.Action).ToListAsync()), a => a == "job.succeeded");
        Assert.True((await app.WithDb(db => AuditChain.VerifyAsync(db))).Ok);

        // Run again: nothing changed, nothing written.
        var again = await WaitAsync(office, await StartedAsync(await office.PostAsync($"/api/v1/jobs/survey-tallies?period={Period}", null)));
        Assert.Equal("Succeeded", again.Status);
        Assert.Contains("其中 0 个单位", again.Message);
        Assert.Equal(stored.Select(kv => (kv.Key, kv.Value.Id)).Order(), (await TalliesAsync()).Select(kv => (kv.Key, kv.Value.Id)).Order());
    }

    [Fact]
    public async Task Progress_is_reported_by_phase_in_order_and_not_per_row()
    {
        await SurveyAsync();
        using var office = await app.As("office");
        await office.PostAsync($"/api/v1/surveys/tallies?period={Period}", null); // up to date first: this run writes nothing
        using var scope = app.Factory.Services.CreateScope();
        var reports = new List<TallyProgress>();
        var result = await scope.ServiceProvider.GetRequiredService<SurveyService>().RecomputeAsync(Period, "office", default, new Collect(reports));

        Assert.NotNull(result);
        Assert.Equal(0, result!.Changed);
        var phases = reports.Select(r => r.Phase).Where((p, i) => i == 0 || p != reports[i - 1].Phase).ToList();
        Assert.Equal([TallyPhase.Reading, TallyPhase.Writing, TallyPhase.Saving, TallyPhase.Saved], phases);
        Assert.Equal(new TallyProgress(TallyPhase.Reading, 0, result.Responses), reports[0]);
        Assert.Equal(new TallyProgress(TallyPhase.Reading, result.Responses, result.Responses), reports.Last(r => r.Phase == TallyPhase.Reading));
        Assert.Equal(new TallyProgress(TallyPhase.Saved, result.Units, result.Units), reports[^1]);
        // At most one report per 10,000 responses and per 250 units, plus one per phase change.
        Assert.True(reports.Count <= 6 + result.Responses / SurveyService.ProgressEvery + result.Units / SurveyService.ProgressUnitsEvery, $"{reports.Count} reports");
    }

    /// <summary>
    /// The synchronous 更新统计, the job and another instance may start a period's tally at the same moment. Each
    /// reads the existing tallies first: without one lock per period, two tallies of a new period both find none
    /// and both add one (two tallies of a unit, counted twice), or both insert the period's first mark (a
    /// duplicate key fails one).
    /// </summary>
    [Fact]
    public async Task Tallies_of_a_period_started_at_once_run_one_after_the_other_and_write_each_tally_once()
    {
        await SurveyAsync();
        await app.WithDb(async db =>
        {
            await db.Facts.Where(f => f.PeriodId == Period && f.Kind == FactKind.SurveyTally).ExecuteDeleteAsync();
            return await db.Set<SurveyTallyMark>().Where(m => m.PeriodId == Period).ExecuteDeleteAsync();
        });
        var scopes = Enumerable.Range(0, 4).Select(_ => app.Factory.Services.CreateScope()).ToList();
        try
        {
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var running = scopes.Select(scope => Task.Run(async () =>
            {
                var surveys = scope.ServiceProvider.GetRequiredService<SurveyService>();
                await go.Task;
                return await surveys.RecomputeAsync(Period, "office");
            })).ToList();
            go.SetResult();
            var results = await Task.WhenAll(running);

            var units = (await SiteUnitsAsync()).Count;
            Assert.All(results, r => Assert.NotNull(r));
            // One of them wrote every unit's tally; the others, run after it, found them current.
            Assert.Equal(scopes.Count - 1, results.Count(r => r!.Changed == 0));
            Assert.Equal(results.Max(r => r!.Units), results.Sum(r => r!.Changed));
            var perUnit = await app.WithDb(db => db.Facts.AsNoTracking().Where(f => f.PeriodId == Period && f.IndicatorId == Leaf && f.Kind == FactKind.SurveyTally)
                .GroupBy(f => f.UnitId).Select(g => g.Count()).ToListAsync());
            Assert.True(perUnit.Count >= units, $"{perUnit.Count} units tallied, {units} with sites");
            Assert.All(perUnit, n => Assert.Equal(1, n));
            Assert.Equal(1, await app.WithDb(db => db.Set<SurveyTallyMark>().CountAsync(m => m.PeriodId == Period)));
            Assert.True((await app.WithDb(db => AuditChain.VerifyAsync(db))).Ok);
        }
        finally
        {
            foreach (var scope in scopes) scope.Dispose();
        }
    }

    private sealed class Collect(List<TallyProgress> into) : IProgress<TallyProgress>
    {
        public void Report(TallyProgress value) => into.Add(value);
    }

    [Fact]
    public async Task A_job_that_fails_while_writing_leaves_the_previous_tallies_and_their_audit_trail()
    {
        await SurveyAsync();
        using var office = await app.As("office");
        Assert.Equal(HttpStatusCode.OK, (await office.PostAsync($"/api/v1/surveys/tallies?period={Period}", null)).StatusCode);
        var units = await SiteUnitsAsync();
        var (first, refused) = (units[0], units[^1]);
        await AnswerAtAsync(office, first);
        await AnswerAtAsync(office, refused);
        var before = await TalliesAsync();
        var auditBefore = await app.WithDb(db => db.AuditEntries.CountAsync(e => e.Action == "survey.tally"));

        // The database refuses the new tally of the last unit, after the first unit's was written in the same transaction.
        var isPostgres = await app.WithDb(db => Task.FromResult(db.IsPostgres));
        await app.WithDb(db => db.Database.ExecuteSqlRawAsync(isPostgres
            ? $"CREATE FUNCTION refuse_tally() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'tally refused by the test'; END $$ LANGUAGE plpgsql; " +
              $"CREATE TRIGGER refuse_tally BEFORE INSERT ON \"Facts\" FOR EACH ROW WHEN (NEW.\"UnitId\" = '{refused}' AND NEW.\"IndicatorId\" = '{Leaf}') EXECUTE FUNCTION refuse_tally();"
            : $"CREATE TRIGGER refuse_tally BEFORE INSERT ON \"Facts\" WHEN NEW.\"UnitId\" = '{refused}' AND NEW.\"IndicatorId\" = '{Leaf}' BEGIN SELECT RAISE(ABORT, 'tally refused by the test'); END;"));
        try
        {
            var failed = await WaitAsync(office, await StartedAsync(await office.PostAsync($"/api/v1/jobs/survey-tallies?period={Period}", null)));
            Assert.Equal("Failed", failed.Status);
            Assert.NotNull(failed.Error);

            var after = await TalliesAsync();
            Assert.Equal(before.OrderBy(kv => kv.Key), after.OrderBy(kv => kv.Key));
            Assert.Equal(auditBefore, await app.WithDb(db => db.AuditEntries.CountAsync(e => e.Action == "survey.tally")));
            Assert.Contains(await app.WithDb(db => db.AuditEntries.Where(e => e.EntityId == failed.Id).Select(e => e.Action).ToListAsync()), a => a == "job.failed");
            Assert.True((await app.WithDb(db => AuditChain.VerifyAsync(db))).Ok);
        }
        finally
        {
            await app.WithDb(db => db.Database.ExecuteSqlRawAsync(isPostgres
                ? "DROP TRIGGER refuse_tally ON \"Facts\"; DROP FUNCTION refuse_tally();"
                : "DROP TRIGGER refuse_tally;"));
        }

        // Started again once the database takes it: both units' tallies change.
        var ok = await WaitAsync(office, await StartedAsync(await office.PostAsync($"/api/v1/jobs/survey-tallies?period={Period}", null)));
        Assert.True(ok.Status == "Succeeded", ok.Error);
        var updated = await TalliesAsync();
        Assert.NotEqual(before[first].Payload, updated[first].Payload);
        Assert.NotEqual(before[refused].Payload, updated[refused].Payload);
    }

    [Theory]
    [InlineData("assessor1")]
    [InlineData("viewer")]
    [InlineData("leader-principal")]
    [InlineData("unit-cg-lasa")]
    public async Task Only_the_office_starts_it_and_only_its_owner_and_the_office_see_it(string user)
    {
        await SurveyAsync();
        using var client = await app.As(user);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync($"/api/v1/jobs/survey-tallies?period={Period}", null)).StatusCode);

        using var office = await app.As("office");
        var id = await StartedAsync(await office.PostAsync($"/api/v1/jobs/survey-tallies?period={Period}", null));
        await WaitAsync(office, id);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/jobs/{id}")).StatusCode);
        Assert.DoesNotContain((await client.GetFromJsonAsync<List<JobDto>>("/api/v1/jobs", Web))!, j => j.Id == id);
    }

    [Fact]
    public async Task Wrong_requests_are_problems_naming_the_period()
    {
        using var office = await app.As("office");
        var none = await office.PostAsync("/api/v1/jobs/survey-tallies", null);
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        Assert.Contains("period", await none.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await office.PostAsync("/api/v1/jobs/survey-tallies?period=1999-Q1", null)).StatusCode);
        var annual = await office.PostAsync("/api/v1/jobs/survey-tallies?period=2023", null);
        Assert.Equal(HttpStatusCode.NotFound, annual.StatusCode);
        Assert.Contains("period", await annual.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_page_starts_the_job_and_a_second_start_joins_the_one_still_running()
    {
        await SurveyAsync();
        // A tally job running on another (live) instance: starting again joins it instead of writing the tallies twice at once.
        var running = new Job(SurveyTallyJob.JobKind, "office", Roles.Office, Period, null, DateTimeOffset.UtcNow);
        await app.WithDb(async db =>
        {
            db.Add(running);
            db.Entry(running).Property(j => j.Status).CurrentValue = JobStatus.Running;
            db.Entry(running).Property(j => j.Instance).CurrentValue = "another-host:1:alive";
            db.Entry(running).Property(j => j.StartedAt).CurrentValue = DateTimeOffset.UtcNow.AddMinutes(5);
            db.Entry(running).Property(j => j.HeartbeatAt).CurrentValue = DateTimeOffset.UtcNow.AddMinutes(5);
            return await db.SaveChangesAsync();
        });
        try
        {
            using var office = await app.As("office");
            Assert.Equal(running.Id, await StartedAsync(await office.PostAsync($"/api/v1/jobs/survey-tallies?period={Period}", null)));

            using var page = await app.SignedIn("office");
            var html = await page.GetStringAsync($"/Surveys?period={Period}");
            Assert.Contains($"/Jobs/{running.Id}", html);
            var post = await page.PostAsync($"/Surveys?period={Period}&handler=Tallies", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = AppFixture.AntiForgeryToken(html),
            }));
            Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
            Assert.Equal($"/Jobs/{running.Id}", post.Headers.Location!.ToString());
        }
        finally
        {
            await app.WithDb(db => db.Set<Job>().Where(j => j.Id == running.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, JobStatus.Failed)));
        }

        // With none running, the page starts a new job and takes the office to its progress.
        using var again = await app.SignedIn("office");
        var form = await again.GetStringAsync($"/Surveys?period={Period}");
        var started = await again.PostAsync($"/Surveys?period={Period}&handler=Tallies", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = AppFixture.AntiForgeryToken(form),
        }));
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        var location = started.Headers.Location!.ToString();
        Assert.StartsWith("/Jobs/", location);
        Assert.NotEqual($"/Jobs/{running.Id}", location);
        using var officeApi = await app.As("office");
        var job = await WaitAsync(officeApi, location["/Jobs/".Length..]);
        Assert.Equal(SurveyTallyJob.JobKind, job.Kind);
        Assert.True(job.Status == "Succeeded", job.Error);
        var jobPage = await again.GetStringAsync(location);
        Assert.Contains("更新满意度测评统计", jobPage);
        Assert.Contains(job.Id, await again.GetStringAsync("/Jobs"));
    }
}

public sealed class SurveyTallyJobTestsOnSqlite(SqliteApp app) : SurveyTallyJobTests<SqliteApp>(app);

public sealed class SurveyTallyJobTestsOnPostgres(PostgresApp app) : SurveyTallyJobTests<PostgresApp>(app);
