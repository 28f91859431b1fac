using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Infrastructure;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Periods;

/// <summary>
/// The stage guard's edges, on both databases (the generated matrix is Access/StageMatrixTests.cs): a
/// period is published category by category, the appeal exemption covers one unit of one period and
/// nothing else, a bulk writer's declaration is checked like a tracked change, and an overdue deduction
/// that a quarter already counted stays when that quarter freezes.
/// </summary>
public abstract class StageGuardTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    private const string Q3 = "2023-Q3";

    private Task MoveAsync(string period, PeriodStatus status) => app.WithDb(async db =>
    {
        (await db.Periods.SingleAsync(p => p.Id == period)).MoveTo(status);
        return await db.SaveChangesAsync();
    });

    private static async Task<JsonElement> Problem(HttpResponseMessage r)
    {
        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        var p = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(Problems.StageCode, p.GetProperty("code").GetString());
        return p;
    }

    [Fact]
    public async Task A_period_is_published_category_by_category_whatever_its_status()
    {
        var snapshot = await app.WithDb(async db =>
        {
            var q1 = await db.Snapshots.AsNoTracking().FirstAsync(s => s.PeriodId == "2023-Q1" && s.Category == "housing");
            var s = new PublishedSnapshot("guard-test:Q3-housing", Q3, "housing", 1, q1.Document, q1.InputSha256, q1.ResultSha256, "office", q1.PublishedAt, null, null);
            db.Snapshots.Add(s);
            await db.SaveChangesAsync();
            return s.Id;
        });
        try
        {
            using var housing = await app.As("unit-zj-lasa");
            using var urban = await app.As("unit-cg-lasa");
            // Still collecting, but housing is published: housing refuses, urban (the demo's draft correction of U1.5) takes the change.
            var p = await Problem(await housing.PutAsJsonAsync($"/api/v1/collection/{Q3}/report/A1", new { value = 0.9 }));
            Assert.Equal("housing", p.GetProperty("category").GetString());
            Assert.Equal(nameof(PeriodStage.Published), p.GetProperty("stage").GetString());
            Assert.Contains("2023年第三季度地市住建局考核已公布", p.GetProperty("detail").GetString());
            Assert.Equal(HttpStatusCode.NoContent, (await urban.PutAsJsonAsync($"/api/v1/collection/{Q3}/report/U1.5", new { value = 0.95 })).StatusCode);

            // In review: urban is in its review window, housing stays published.
            await MoveAsync(Q3, PeriodStatus.Review);
            var review = await Problem(await urban.PutAsJsonAsync($"/api/v1/collection/{Q3}/report/U1.5", new { value = 0.96 }));
            Assert.Equal(nameof(PeriodStage.Review), review.GetProperty("stage").GetString());
            Assert.Equal("urban", review.GetProperty("category").GetString());
            Assert.Contains("申诉复核期", review.GetProperty("detail").GetString());
            Assert.Equal(nameof(PeriodStage.Published), (await Problem(await housing.PutAsJsonAsync($"/api/v1/collection/{Q3}/report/A1", new { value = 0.9 }))).GetProperty("stage").GetString());
        }
        finally
        {
            await MoveAsync(Q3, PeriodStatus.Collecting);
            await app.WithDb(db => db.Snapshots.Where(s => s.Id == snapshot).ExecuteDeleteAsync());
        }
    }

    [Fact]
    public async Task An_appeal_correction_covers_the_appealing_unit_in_the_appeals_period_and_nothing_else()
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        // The completed investment (万元) each bureau reported, from which A1–A4 are derived.
        var mine = await db.Facts.FirstAsync(f => f.PeriodId == "2023-Q1" && f.UnitId == "zj-lasa" && f.IndicatorId == "inv" && f.Status == FactStatus.Verified);
        var other = await db.Facts.FirstAsync(f => f.PeriodId == "2023-Q1" && f.UnitId == "zj-xigaze" && f.IndicatorId == "inv" && f.Status == FactStatus.Verified);
        var review = await db.Facts.FirstAsync(f => f.PeriodId == "2023-Q2" && f.UnitId == "zj-lasa" && f.IndicatorId == "inv");
        void Correct(Fact f, double value)
        {
            var status = f.Status;
            f.SetStatus(FactStatus.Draft);
            f.Update((FactPayload.Parse(f.Payload) with { Value = value }).ToJson(), "office", DateTimeOffset.UtcNow);
            f.SetStatus(status);
        }

        // Published 2023-Q1: no direct correction.
        Correct(mine, 78_100);
        var refused = await Assert.ThrowsAsync<PeriodStageException>(() => db.SaveChangesAsync());
        Assert.Equal(PeriodStage.Published, refused.Refusal.Stage);
        Assert.Equal(("2023-Q1", "housing"), (refused.Refusal.PeriodId, refused.Refusal.Category));

        using (PeriodStages.CorrectionByAppeal(db, 9001, "2023-Q1", "zj-lasa"))
        {
            // Another unit, or the same unit in another period, is still refused (and the whole save with it).
            Correct(other, 36_100);
            Assert.Equal("2023-Q1", (await Assert.ThrowsAsync<PeriodStageException>(() => db.SaveChangesAsync())).Refusal.PeriodId);
            await db.Entry(other).ReloadAsync();
            Correct(review, 70_000);
            Assert.Equal(PeriodStage.Review, (await Assert.ThrowsAsync<PeriodStageException>(() => db.SaveChangesAsync())).Refusal.Stage);
            await db.Entry(review).ReloadAsync();
            // The appealing unit's fact of the appeal's period is the correction.
            Assert.True(await db.SaveChangesAsync() > 0);
        }
        Assert.Equal(78_100, FactPayload.Parse(await app.WithDb(d => d.Facts.Where(f => f.Id == mine.Id).Select(f => f.Payload).SingleAsync())).Value);
        Assert.Equal(FactPayload.Parse(other.Payload).Value, FactPayload.Parse(await app.WithDb(d => d.Facts.Where(f => f.Id == other.Id).Select(f => f.Payload).SingleAsync())).Value);

        // Once the scope ends, the exemption is gone.
        Correct(mine, 78_200);
        Assert.Equal(PeriodStage.Published, (await Assert.ThrowsAsync<PeriodStageException>(() => db.SaveChangesAsync())).Refusal.Stage);
    }

    [Fact]
    public async Task A_bulk_writers_declaration_is_checked_with_the_save_it_runs_in()
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        var q4 = await db.Periods.SingleAsync(p => p.Id == "2023-Q4");
        q4.SetDeadline(q4.ReportDeadline.AddDays(1));
        using (PeriodStages.DeclareBulkWrite(db, "2023-Q1", ["housing"], PeriodInput.Data))
        {
            var refused = await Assert.ThrowsAsync<PeriodStageException>(() => db.SaveChangesAsync());
            Assert.Equal(("2023-Q1", PeriodStage.Published), (refused.Refusal.PeriodId, refused.Refusal.Stage));
        }
        using (PeriodStages.DeclareBulkWrite(db, "2023-Q4", ["housing"], PeriodInput.Data))
            Assert.True(await db.SaveChangesAsync() > 0);
    }

    [Fact]
    public async Task An_overdue_deduction_a_quarter_counted_before_it_froze_stays_and_only_the_rest_lands_in_the_open_quarter()
    {
        using var office = await app.As("office");
        const string Api = "/api/v1/rectification";
        Assert.Equal(HttpStatusCode.OK, (await office.PutAsJsonAsync($"{Api}/policies/housing", new { enabled = true, pointsPerItem = 0.5, cap = 0.5 })).StatusCode);
        try
        {
            // 2023-Q2 is in review in the demo: the 2023-Q1 deduction lands in 2023-Q3, the first quarter still collecting.
            var first = await (await office.PostAsync($"{Api}/overdue-deductions?period=2023-Q1", null)).Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("2023-Q2", first.GetProperty("nextPeriodId").GetString());
            Assert.Equal(["2023-Q3"], first.GetProperty("periods").EnumerateArray().Select(p => p.GetString()));
            Task<List<Fact>> Mine() => app.WithDb(db => db.Facts.AsNoTracking()
                .Where(f => f.IdempotencyKey != null && f.IdempotencyKey.StartsWith("rectification-overdue:2023-Q1:zj-lasa")).OrderBy(f => f.Id).ToListAsync());
            var landed = Assert.Single(await Mine());
            Assert.Equal((Q3, -0.5), (landed.PeriodId, FactPayload.Parse(landed.Payload).Points));
            Assert.Contains("2023年第二季度地市住建局考核申诉复核中", FactPayload.Parse(landed.Payload).Reason);
            Assert.Contains("扣分计入2023年第三季度", FactPayload.Parse(landed.Payload).Reason);

            // 2023-Q3 goes into review, then the cap is raised: its −0.5 stays as it was, the other −1.5 lands in 2023-Q4.
            await MoveAsync(Q3, PeriodStatus.Review);
            Assert.Equal(HttpStatusCode.OK, (await office.PutAsJsonAsync($"{Api}/policies/housing", new { enabled = true, pointsPerItem = 0.5, cap = 2.0 })).StatusCode);
            var late = (await app.WithDb(db => db.RectificationItems.Where(i => i.PeriodId == "2023-Q1" && i.UnitId == "zj-lasa").ToListAsync())).Count;
            var again = await (await office.PostAsync($"{Api}/overdue-deductions?period=2023-Q1", null)).Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains("2023-Q4", again.GetProperty("periods").EnumerateArray().Select(p => p.GetString()));
            var facts = await Mine();
            Assert.Equal(2, facts.Count);
            Assert.Equal(landed.Payload, facts[0].Payload);
            Assert.Equal("2023-Q4", facts[1].PeriodId);
            Assert.Equal("rectification-overdue:2023-Q1:zj-lasa@2023-Q4", facts[1].IdempotencyKey);
            var total = FactPayload.Parse(facts[0].Payload).Points + FactPayload.Parse(facts[1].Payload).Points;
            Assert.True(total is < -0.5 and >= -2.0, $"total {total} of {late} items");
            Assert.Contains("2023年第三季度已扣0.5分", FactPayload.Parse(facts[1].Payload).Reason);

            // A rerun changes nothing.
            var third = await (await office.PostAsync($"{Api}/overdue-deductions?period=2023-Q1", null)).Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(again.GetProperty("factIds").GetRawText(), third.GetProperty("factIds").GetRawText());
            Assert.Equal(facts.Select(f => f.Payload), (await Mine()).Select(f => f.Payload));
        }
        finally
        {
            await MoveAsync(Q3, PeriodStatus.Collecting);
            await app.WithDb(db => db.Facts.Where(f => f.IdempotencyKey != null && f.IdempotencyKey.StartsWith("rectification-overdue:")).ExecuteDeleteAsync());
        }
    }
}

public sealed class StageGuardTestsOnSqlite(SqliteApp app) : StageGuardTests<SqliteApp>(app);

public sealed class StageGuardTestsOnPostgres(PostgresApp app) : StageGuardTests<PostgresApp>(app);
