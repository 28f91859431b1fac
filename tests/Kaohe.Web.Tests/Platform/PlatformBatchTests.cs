using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Tests.Platform;

/// <summary>
/// POST /api/v1/facts on both databases. The demo holds values for every leaf in each of its quarters
/// (2023-Q1 published, Q2 in review, Q3–Q4 copies of Q1), so the tests push into a period of their own,
/// <see cref="TestPeriod"/>: created being collected, with the housing scheme cloned and activated by
/// the office, each test on its own indicators.
/// </summary>
public abstract class PlatformBatchTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    private const string TestPeriod = "2024-Q1";
    private static readonly SemaphoreSlim Setup = new(1, 1);

    private async Task EnsureTestPeriodAsync()
    {
        await Setup.WaitAsync();
        try
        {
            await app.WithDb(async db =>
            {
                if (await db.Periods.AnyAsync(p => p.Id == TestPeriod)) return 0;
                var period = new Period(2024, 1, new DateOnly(2024, 4, 10));
                period.MoveTo(PeriodStatus.Collecting);
                db.Periods.Add(period);
                return await db.SaveChangesAsync();
            });
            using var office = await app.As("office");
            var schemes = (await office.GetFromJsonAsync<JsonElement[]>($"/api/v1/schemes?period={TestPeriod}&category=housing"))!;
            if (schemes.Any(s => s.GetProperty("status").GetString() == "Active")) return;
            var q1 = (await office.GetFromJsonAsync<JsonElement[]>("/api/v1/schemes?period=2023-Q1&category=housing"))!.First(s => s.GetProperty("status").GetString() == "Active");
            var clone = await office.PostAsync($"/api/v1/schemes/{q1.GetProperty("id").GetInt32()}/clone?period={TestPeriod}", null);
            clone.EnsureSuccessStatusCode();
            var id = (await clone.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
            (await office.PostAsync($"/api/v1/schemes/{id}/activate", null)).EnsureSuccessStatusCode();
        }
        finally
        {
            Setup.Release();
        }
    }

    private async Task<HttpClient> PlatformClient(string name, params string[] indicators)
    {
        await EnsureTestPeriodAsync();
        using var office = await app.As("office");
        var created = await office.PostAsJsonAsync("/api/v1/apikeys", new { name, indicators });
        created.EnsureSuccessStatusCode();
        var secret = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        var client = app.Anonymous();
        client.DefaultRequestHeaders.Add("X-Api-Key", secret);
        return client;
    }

    private static object Record(string key, string unit, string indicator, object? value, double? target = null) =>
        new { key, unit, indicator, value, target, observedAt = "2024-03-31T18:00:00+08:00" };

    /// <summary>A base figure (基础数据): A1–A5 of the housing scheme are derived from these, so a platform pushes these instead.</summary>
    private static object Figure(string key, string unit, string measure, object? value) => new { key, unit, measure, value, observedAt = "2024-03-31T18:00:00+08:00" };

    private static async Task<JsonElement> Body(HttpResponseMessage r) => await r.Content.ReadFromJsonAsync<JsonElement>();

    [Fact]
    public async Task Base_figures_are_pushed_by_measure_checked_by_their_unit_and_stored_as_measure_facts()
    {
        using var client = await PlatformClient("投资统计平台", "inv", "started");
        object M(string key, string unit, string measure, object? value) => new { key, unit, measure, value, observedAt = "2024-03-31T18:00:00+08:00" };

        // A negative investment, a fraction of a project and a measure the scheme lacks: 400 naming each record, nothing stored.
        var bad = await client.PostAsJsonAsync("/api/v1/facts", new
        {
            period = TestPeriod,
            records = new[] { M("m-1", "zj-lasa", "inv", -5.0), M("m-2", "zj-lasa", "started", 2.5), M("m-3", "zj-xigaze", "started", 3.0) },
        });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await Body(bad)).GetProperty("errors");
        Assert.Contains("负数", errors.GetProperty("$.records[0].value")[0].GetString());
        Assert.Contains("整数", errors.GetProperty("$.records[1].value")[0].GetString());
        Assert.False(errors.TryGetProperty("$.records[2].value", out _));
        Assert.Equal(0, await app.WithDb(db => db.Facts.CountAsync(f => f.PeriodId == TestPeriod && f.Kind == FactKind.Measure && f.IndicatorId != "inv_ly")));

        // A measure the key may not write is a 403; a value on a leaf still works as before.
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("/api/v1/facts", new { period = TestPeriod, records = new[] { M("m-4", "zj-lasa", "plan", 10.0) } })).StatusCode);

        var ok = await client.PostAsJsonAsync("/api/v1/facts", new
        {
            period = TestPeriod,
            records = new[] { M("m-5", "zj-lasa", "inv", 81_234.5), M("m-6", "zj-lasa", "started", 17.0) },
        });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var facts = await app.WithDb(db => db.Facts.Where(f => f.PeriodId == TestPeriod && f.Kind == FactKind.Measure && f.IndicatorId != "inv_ly").OrderBy(f => f.IndicatorId).ToListAsync());
        Assert.Equal(["inv", "started"], facts.Select(f => f.IndicatorId));
        Assert.Equal(81_234.5, FactPayload.Parse(facts[0].Payload).Value);
        Assert.All(facts, f => Assert.Equal(FactSources.Platform, f.Source));
    }

    [Fact]
    public async Task A_batch_retried_three_times_is_stored_once_with_the_same_ids()
    {
        using var client = await PlatformClient("信访平台", "D1");
        var batch = new
        {
            period = TestPeriod,
            records = new[] { Record("site-lasa", "zj-lasa", "D1", 96.5), Record("site-xigaze", "zj-xigaze", "D1", 92.0) },
        };
        var first = await client.PostAsJsonAsync("/api/v1/facts", batch);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var firstBody = await Body(first);
        Assert.Equal(2, firstBody.GetProperty("stored").GetInt32());
        var ids = firstBody.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()).ToArray();
        Assert.All(firstBody.GetProperty("records").EnumerateArray(), r => Assert.Equal("stored", r.GetProperty("status").GetString()));

        for (var retry = 0; retry < 3; retry++)
        {
            var again = await client.PostAsJsonAsync("/api/v1/facts", batch);
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            var body = await Body(again);
            Assert.Equal(0, body.GetProperty("stored").GetInt32());
            Assert.Equal(2, body.GetProperty("alreadyStored").GetInt32());
            Assert.Equal(ids, body.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()).ToArray());
            Assert.All(body.GetProperty("records").EnumerateArray(), r => Assert.Equal("alreadyStored", r.GetProperty("status").GetString()));
        }
        var facts = await app.WithDb(db => db.Facts.Where(f => f.PeriodId == TestPeriod && f.IndicatorId == "D1").ToListAsync());
        Assert.Equal(2, facts.Count);
        Assert.All(facts, f =>
        {
            Assert.Equal(FactSources.Platform, f.Source);
            Assert.Equal("platform:信访平台", f.Author);
            Assert.StartsWith("api:", f.IdempotencyKey);
        });
        // The source shows in the API's view of the fact.
        using var office = await app.As("office");
        var dto = await office.GetFromJsonAsync<JsonElement>($"/api/v1/facts/{ids[0]}");
        Assert.Equal("platform", dto.GetProperty("source").GetString());
        Assert.Equal("platform:信访平台", dto.GetProperty("author").GetString());
    }

    /// <summary>
    /// An idempotency key stands for one record: sent again with anything different (value, target, time
    /// observed, unit, indicator, period), it is a 409 naming what differs, and nothing of the batch is stored.
    /// Before, each of these answered 200 alreadyStored and the platform believed the new value was stored.
    /// </summary>
    [Fact]
    public async Task A_key_sent_again_with_different_content_is_refused_with_409_naming_what_differs()
    {
        using var client = await PlatformClient("信息归集平台（幂等）", "E1");
        var first = await client.PostAsJsonAsync("/api/v1/facts", new { period = TestPeriod, records = new[] { Record("rect-nagqu", "zj-nagqu", "E1", 3.0, 5) } });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var count = await app.WithDb(db => db.Facts.CountAsync(f => f.IndicatorId == "E1"));
        var audit = await app.WithDb(db => db.AuditEntries.CountAsync());

        var changed = new (string Field, string Period, object Record)[]
        {
            ("value", TestPeriod, Record("rect-nagqu", "zj-nagqu", "E1", 4.0, 5)),
            ("target", TestPeriod, Record("rect-nagqu", "zj-nagqu", "E1", 3.0, 6)),
            ("observedAt", TestPeriod, new { key = "rect-nagqu", unit = "zj-nagqu", indicator = "E1", value = 3.0, target = 5.0, observedAt = "2024-04-01T09:00:00+08:00" }),
            ("unit", TestPeriod, Record("rect-nagqu", "zj-xigaze", "E1", 3.0, 5)),
            ("period", "2023-Q3", Record("rect-nagqu", "zj-nagqu", "E1", 3.0, 5)),
        };
        foreach (var (field, period, record) in changed)
        {
            // A new record rides along: the batch is refused whole, so it is not stored either.
            var r = await client.PostAsJsonAsync("/api/v1/facts", new { period, records = new[] { record, Record("rect-shannan", "zj-shannan", "E1", 2.0, 5) } });
            var body = await r.Content.ReadAsStringAsync();
            Assert.True(r.StatusCode == HttpStatusCode.Conflict, $"{field}: {(int)r.StatusCode} {body}");
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
            var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
            Assert.True(errors.TryGetProperty("$.records[0].key", out var message), body);
            Assert.Contains(field, message[0].GetString());
            Assert.Equal(count, await app.WithDb(db => db.Facts.CountAsync(f => f.IndicatorId == "E1")));
            Assert.Equal(audit, await app.WithDb(db => db.AuditEntries.CountAsync()));
        }
        var same = await client.PostAsJsonAsync("/api/v1/facts", new { period = TestPeriod, records = new[] { Record("rect-nagqu", "zj-nagqu", "E1", 3.0, 5) } });
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        Assert.Equal(1, (await Body(same)).GetProperty("alreadyStored").GetInt32());
    }

    [Fact]
    public async Task Two_identical_batches_sent_at_once_are_stored_once()
    {
        using var client = await PlatformClient("投资统计平台（并发）", "inv_ly");
        var records = new[] { "zj-lasa", "zj-xigaze", "zj-qamdo", "zj-nyingchi", "zj-shannan", "zj-nagqu", "zj-ngari" }
            .Select((u, i) => Figure($"inv-{u}", u, "inv_ly", 10_000.0 + i * 1_234.5)).ToArray();
        var batch = new { period = TestPeriod, records };
        var responses = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => client.PostAsJsonAsync("/api/v1/facts", batch)));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var bodies = await Task.WhenAll(responses.Select(Body));
        Assert.Equal(7, bodies.Sum(b => b.GetProperty("stored").GetInt32()));
        Assert.Equal(bodies[0].GetProperty("records").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()),
            bodies[1].GetProperty("records").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()));
        Assert.Equal(7, await app.WithDb(db => db.Facts.CountAsync(f => f.PeriodId == TestPeriod && f.IndicatorId == "inv_ly" && f.Kind == FactKind.Measure)));
    }

    [Fact]
    public async Task A_batch_with_bad_records_is_rejected_whole_naming_each_bad_record_by_json_path()
    {
        using var client = await PlatformClient("施工许可审批系统", "C2", "D1", "A1");
        var batch = new
        {
            period = TestPeriod,
            records = new object[]
            {
                Record("p-1", "zj-lasa", "C2", 0.2),
                Record("p-2", "zj-xigaze", "C2", 0.1),
                Record("p-3", "zj-nowhere", "C2", 0.1),
                Record("p-4", "zj-qamdo", "C2", "很多"),
                Record("p-1", "zj-shannan", "C2", 0.1),
                Record("p-6", "zj-nagqu", "C2", null),
                Record("p-7", "zj-ngari", "A1", 1.2),     // derived by formula (inv / plan): nobody pushes it
            },
        };
        var r = await client.PostAsJsonAsync("/api/v1/facts", batch);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        var errors = (await Body(r)).GetProperty("errors");
        var paths = errors.EnumerateObject().Select(p => p.Name).OrderBy(p => p).ToArray();
        Assert.Equal(["$.records[2].unit", "$.records[3].value", "$.records[4].key", "$.records[5].value", "$.records[6].indicator"], paths);
        Assert.Contains("inv / plan", errors.GetProperty("$.records[6].indicator")[0].GetString());
        Assert.Equal(0, await app.WithDb(db => db.Facts.CountAsync(f => f.PeriodId == TestPeriod && f.IndicatorId == "C2")));
    }

    [Fact]
    public async Task Records_outside_the_keys_indicators_are_refused_with_403_naming_them()
    {
        using var client = await PlatformClient("信息归集平台（受限）", "C2");
        var batch = new { period = TestPeriod, records = new[] { Record("k-1", "zj-lasa", "C2", 0.3), Record("k-2", "zj-lasa", "E1", 5.0, 6) } };
        var r = await client.PostAsJsonAsync("/api/v1/facts", batch);
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        var errors = (await Body(r)).GetProperty("errors");
        Assert.Equal(["$.records[1].indicator"], errors.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(0, await app.WithDb(db => db.Facts.CountAsync(f => f.PeriodId == TestPeriod && f.UnitId == "zj-lasa" && (f.IndicatorId == "C2" || f.IndicatorId == "E1"))));
    }

    [Fact]
    public async Task A_value_a_unit_already_reported_is_not_overwritten_by_a_platform()
    {
        using var client = await PlatformClient("施工许可（已有数据）", "B1");
        // zj-lasa reports B1 itself this period (B1 is no other test's).
        await app.WithDb(async db =>
        {
            db.Facts.Add(new Fact(TestPeriod, "zj-lasa", "B1", FactKind.Value, new FactPayload(Value: 0.9).ToJson(), FactSources.Report, "unit-zj-lasa",
                DateTimeOffset.UnixEpoch, FactStatus.Submitted));
            return await db.SaveChangesAsync();
        });
        var batch = new { period = TestPeriod, records = new[] { Record("lasa-b1", "zj-lasa", "B1", 0.95) } };
        var r = await client.PostAsJsonAsync("/api/v1/facts", batch);
        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        var errors = (await Body(r)).GetProperty("errors");
        Assert.Contains("单位填报", errors.GetProperty("$.records[0]")[0].GetString());
        Assert.Equal(0, await app.WithDb(db => db.Facts.CountAsync(f => f.Source == FactSources.Platform && f.IndicatorId == "B1" && f.PeriodId == TestPeriod)));
    }

    [Theory]
    [InlineData(PeriodStatus.Published)]
    [InlineData(PeriodStatus.Review)]
    public async Task A_period_no_longer_being_collected_takes_no_platform_data(PeriodStatus status)
    {
        // Whichever of the demo's periods is in that state (2023-Q1 published, 2023-Q2 in review).
        var period = await app.WithDb(db => db.Periods.Where(p => p.Status == status && p.Kind == PeriodKind.Quarter).OrderBy(p => p.Id).Select(p => p.Id).FirstAsync());
        var before = await app.WithDb(db => db.Facts.CountAsync(f => f.PeriodId == period));
        using var client = await PlatformClient($"信息归集平台（{status}）", "C2");
        var batch = new { period, records = new[] { Record($"late-{status}", "zj-lasa", "C2", 0.99) } };
        var r = await client.PostAsJsonAsync("/api/v1/facts", batch);
        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        // The stage guard's problem (docs/stages.md), naming $.period.
        var body = await Body(r);
        Assert.Equal(("period-stage", period, status.ToString()), (body.GetProperty("code").GetString(), body.GetProperty("period").GetString(), body.GetProperty("stage").GetString()));
        var message = body.GetProperty("errors").GetProperty("$.period")[0].GetString();
        Assert.Contains(await app.WithDb(async db => (await db.Periods.SingleAsync(p => p.Id == period)).Label(false)), message);
        Assert.Contains(status == PeriodStatus.Published ? "已公布" : "申诉复核期", message);
        Assert.Equal(before, await app.WithDb(db => db.Facts.CountAsync(f => f.PeriodId == period)));
    }

    [Fact]
    public async Task People_cannot_push_and_a_wrong_key_is_401()
    {
        using var office = await app.As("office");
        var batch = new { period = TestPeriod, records = new[] { Record("o-1", "zj-lasa", "D1", 96.0) } };
        Assert.Equal(HttpStatusCode.Forbidden, (await office.PostAsJsonAsync("/api/v1/facts", batch)).StatusCode);
        using var wrong = app.Anonymous();
        wrong.DefaultRequestHeaders.Add("X-Api-Key", "kh_not-a-key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.PostAsJsonAsync("/api/v1/facts", batch)).StatusCode);
        using var client = await PlatformClient("施工许可（格式）", "D1");
        var malformed = await client.PostAsync("/api/v1/facts", new StringContent("{\"period\": \"" + TestPeriod + "\", \"records\": [", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        // A platform key reads nothing of the people's API.
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/facts")).StatusCode);
    }

    [Fact]
    public async Task The_demo_batch_of_the_information_platform_shows_its_source_in_the_explanation()
    {
        var facts = await app.WithDb(db => db.Facts.Where(f => f.PeriodId == "2023-Q1" && f.IndicatorId == "C2" && f.UnitId.StartsWith("zj-")).ToListAsync());
        Assert.Equal(7, facts.Count);
        Assert.All(facts, f => Assert.Equal(FactSources.Platform, f.Source));
        using var office = await app.SignedIn("office");
        var page = await office.GetStringAsync("/Results/Explain?period=2023-Q1&category=housing&unit=zj-lasa&node=C2");
        Assert.Contains("平台数据", page);
        Assert.Contains("信息归集平台", page);
        var platformPage = await office.GetStringAsync("/Platform?period=2023-Q1");
        Assert.Contains("信息归集平台", platformPage);
        Assert.Contains("api:", platformPage);
        using var unit = await app.SignedIn("unit-zj-lasa");
        Assert.Equal(HttpStatusCode.Redirect, (await unit.GetAsync("/Platform")).StatusCode);
    }
}

public sealed class PlatformBatchTestsOnSqlite(SqliteApp app) : PlatformBatchTests<SqliteApp>(app);

public sealed class PlatformBatchTestsOnPostgres(PostgresApp app) : PlatformBatchTests<PostgresApp>(app);
