using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Adjustments;

/// <summary>加扣分, 资金使用绩效 and 一票否决 over HTTP, on both databases. Each test works on its own units of the demo.</summary>
public abstract class AdjustmentTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    /// <summary>Events are recorded in the quarter being collected: the demo's 2023-Q1 is published (docs/stages.md); its data were copied into 2023-Q3.</summary>
    private const string Collecting = "2023-Q3";

    private static byte[] Pdf(string text) => Encoding.UTF8.GetBytes($"%PDF-1.4\n% {text}\n%%EOF\n");

    private static MultipartFormDataContent Form(string unit, string rule, string reason, double? points = null, double? spending = null,
        string period = Collecting, byte[]? evidence = null, string fileName = "通报.pdf")
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent(period), "period" }, { new StringContent(unit), "unit" }, { new StringContent(rule), "rule" }, { new StringContent(reason), "reason" },
        };
        if (points is { } p) form.Add(new StringContent(p.ToString(System.Globalization.CultureInfo.InvariantCulture)), "points");
        if (spending is { } s) form.Add(new StringContent(s.ToString(System.Globalization.CultureInfo.InvariantCulture)), "spendingPercent");
        if (evidence is not null) form.Add(new ByteArrayContent(evidence), "evidence", fileName);
        return form;
    }

    private static async Task<JsonElement> Body(HttpResponseMessage r) => await r.Content.ReadFromJsonAsync<JsonElement>();

    private async Task<UnitResult> ResultOf(string unit, string category = "housing", string period = Collecting)
    {
        using var scope = app.Factory.Services.CreateScope();
        var built = await new ReferenceBuilder(scope.ServiceProvider.GetRequiredService<KaoheDbContext>()).BuildAsync(period, category);
        var outcome = Engine.Score(built!.Assessment);
        Assert.True(outcome.Result is not null, string.Join("; ", outcome.Errors.Select(e => $"{e.Path} {e.En}")));
        return outcome.Result![unit];
    }

    [Fact]
    public async Task Three_bonuses_over_the_cap_are_capped_in_the_engines_total()
    {
        using var office = await app.As("office");
        var before = await ResultOf("zj-lasa"); // the demo gives 拉萨 +1
        Assert.Equal(1, before.Adjustment, 6);
        for (var i = 0; i < 3; i++)
        {
            var r = await office.PostAsync("/api/v1/adjustments", Form("zj-lasa", "praise-national", $"第 {i + 1} 次受部委通报表扬", evidence: Pdf($"praise {i}")));
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
            var ev = await Body(r);
            Assert.Equal("Approved", ev.GetProperty("status").GetString());
            Assert.Equal(2, ev.GetProperty("points").GetDouble());
            Assert.Equal("office", ev.GetProperty("source").GetString());
        }
        var after = await ResultOf("zj-lasa");
        // 1 + 3 × 2 = 7 points of bonuses; the scheme caps bonuses at 5.
        Assert.Equal(5, after.Adjustment, 6);
        Assert.Equal(before.Total + 4, after.Total, 6);
    }

    [Fact]
    public async Task Points_come_from_the_rule_table_and_evidence_is_required()
    {
        using var office = await app.As("office");
        var fixedRule = await office.PostAsync("/api/v1/adjustments", Form("zj-shannan", "praise-region", "自填分值", points: 3, evidence: Pdf("x")));
        Assert.Equal(HttpStatusCode.BadRequest, fixedRule.StatusCode);
        Assert.True((await Body(fixedRule)).GetProperty("errors").TryGetProperty("points", out _));

        var outOfRange = await office.PostAsync("/api/v1/adjustments", Form("zj-shannan", "praise-dept", "超出范围", points: 0.8, evidence: Pdf("x")));
        Assert.Equal(HttpStatusCode.BadRequest, outOfRange.StatusCode);
        Assert.Contains("0.2", (await Body(outOfRange)).GetProperty("errors").GetProperty("points")[0].GetString());

        var noEvidence = await office.PostAsync("/api/v1/adjustments", Form("zj-shannan", "criticism-national", "无佐证"));
        Assert.Equal(HttpStatusCode.BadRequest, noEvidence.StatusCode);
        Assert.True((await Body(noEvidence)).GetProperty("errors").TryGetProperty("evidence", out _));

        var unknownRule = await office.PostAsync("/api/v1/adjustments", Form("zj-shannan", "praise-anything", "无此规则", evidence: Pdf("x")));
        Assert.True((await Body(unknownRule)).GetProperty("errors").TryGetProperty("rule", out _));

        var inRange = await office.PostAsync("/api/v1/adjustments", Form("zj-shannan", "praise-dept", "受自治区有关部门表扬", points: 0.3, evidence: Pdf("x")));
        Assert.Equal(HttpStatusCode.Created, inRange.StatusCode);
        var deduction = await office.PostAsync("/api/v1/adjustments", Form("zj-shannan", "criticism-national", "被部委通报批评", evidence: Pdf("y")));
        Assert.Equal(-2, (await Body(deduction)).GetProperty("points").GetDouble());
        var facts = await app.WithDb(db => db.Facts.Where(f => f.UnitId == "zj-shannan" && f.Kind == FactKind.Adjustment && f.Author == "office").ToListAsync());
        Assert.Contains(facts, f => FactPayload.Parse(f.Payload).Points == 0.3 && f.Source == FactSources.Office && f.Status == FactStatus.Verified);
        Assert.Contains(facts, f => FactPayload.Parse(f.Payload).Points == -2 && FactPayload.Parse(f.Payload).Reason!.Contains("被国家部委通报批评"));
    }

    [Fact]
    public async Task A_veto_is_approved_by_a_second_office_account_and_applies_to_the_year()
    {
        using var office = await app.As("office");
        using var office2 = await app.As("office2");
        var missing = await office.PostAsync("/api/v1/adjustments", Form("zj-shannan", "veto-safety", "在建工程发生重大安全事故"));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);

        var requested = await office.PostAsync("/api/v1/adjustments", Form("cg-shannan", "veto-safety", "在建工程发生重大安全事故", evidence: Pdf("事故报告")));
        Assert.Equal(HttpStatusCode.Created, requested.StatusCode);
        var ev = await Body(requested);
        var id = ev.GetProperty("id").GetInt64();
        Assert.Equal("Pending", ev.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, ev.GetProperty("factId").ValueKind);
        // A pending veto does not count.
        Assert.False(await app.WithDb(db => db.Facts.AnyAsync(f => f.UnitId == "cg-shannan" && f.Kind == FactKind.Veto)));
        Assert.False((await ResultOf("cg-shannan", "urban")).Vetoed);

        var self = await office.PostAsJsonAsync($"/api/v1/adjustments/{id}/approve", new { note = "同意" });
        Assert.Equal(HttpStatusCode.Forbidden, self.StatusCode);
        Assert.Contains("另一名考核办人员", (await Body(self)).GetProperty("detail").GetString());

        var approved = await office2.PostAsJsonAsync($"/api/v1/adjustments/{id}/approve", new { note = "经核实，同意" });
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var body = await Body(approved);
        Assert.Equal("Approved", body.GetProperty("status").GetString());
        Assert.Equal("office2", body.GetProperty("decidedBy").GetString());
        Assert.Equal("2023", body.GetProperty("factPeriodId").GetString());

        var fact = await app.WithDb(db => db.Facts.SingleAsync(f => f.UnitId == "cg-shannan" && f.Kind == FactKind.Veto));
        Assert.Equal("2023", fact.PeriodId);
        Assert.Equal("office2", fact.Author);
        Assert.Contains("在建工程发生重大安全事故", FactPayload.Parse(fact.Payload).Reason);
        // The seed's veto is annual: the quarter's result is untouched.
        Assert.False((await ResultOf("cg-shannan", "urban")).Vetoed);

        var again = await office2.PostAsJsonAsync($"/api/v1/adjustments/{id}/reject", new { note = "撤回" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        var audit = await app.WithDb(db => db.AuditEntries.Where(a => a.EntityType == "adjustment" && a.EntityId == id.ToString()).OrderBy(a => a.Sequence).ToListAsync());
        Assert.Equal(["veto.request", "veto.approve"], audit.Select(a => a.Action));
        Assert.Equal(["office", "office2"], audit.Select(a => a.Actor));
        var chain = await office.GetFromJsonAsync<JsonElement>("/api/v1/audit/verify");
        Assert.True(chain.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task A_rejection_needs_a_reason_and_makes_no_fact()
    {
        using var office = await app.As("office");
        using var office2 = await app.As("office2");
        var id = (await Body(await office2.PostAsync("/api/v1/adjustments", Form("cg-ngari", "veto-business", "待核实的事故", evidence: Pdf("报告"))))).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.BadRequest, (await office.PostAsJsonAsync($"/api/v1/adjustments/{id}/reject", new { note = "" })).StatusCode);
        var rejected = await office.PostAsJsonAsync($"/api/v1/adjustments/{id}/reject", new { note = "事故等级为一般，不属重大事故" });
        Assert.Equal("Rejected", (await Body(rejected)).GetProperty("status").GetString());
        Assert.False(await app.WithDb(db => db.Facts.AnyAsync(f => f.UnitId == "cg-ngari" && f.Kind == FactKind.Veto)));
    }

    [Fact]
    public async Task Fund_use_points_follow_the_bands_by_spending_progress()
    {
        using var office = await app.As("office");
        var r = await office.PostAsync("/api/v1/adjustments", Form("bgs", "fund-use", "一季度资金执行进度", spending: 12));
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        Assert.Equal(-0.5, (await Body(r)).GetProperty("points").GetDouble());
        var twice = await office.PostAsync("/api/v1/adjustments", Form("bgs", "fund-use", "再次录入", spending: 40));
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        var wrongCategory = await office.PostAsync("/api/v1/adjustments", Form("zj-xigaze", "fund-use", "住建局无此规则", spending: 40));
        Assert.Equal(HttpStatusCode.BadRequest, wrongCategory.StatusCode);
        var badPercent = await office.PostAsync("/api/v1/adjustments", Form("rsc", "fund-use", "超过 100%", spending: 140));
        Assert.True((await Body(badPercent)).GetProperty("errors").TryGetProperty("spendingPercent", out _));
        var bgs = await ResultOf("bgs", "divisions");
        var rsc = await ResultOf("rsc", "divisions");
        Assert.Equal(-0.5, bgs.Adjustment, 6);
        Assert.Equal(0, rsc.Adjustment, 6);
    }

    [Fact]
    public async Task Only_the_office_records_and_decides_and_others_see_only_what_they_may()
    {
        using var unit = await app.As("unit-zj-lasa");
        Assert.Equal(HttpStatusCode.Forbidden, (await unit.PostAsync("/api/v1/adjustments", Form("zj-lasa", "praise-national", "自己给自己加分", evidence: Pdf("x")))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await unit.PostAsJsonAsync("/api/v1/adjustments/1/approve", new { note = "x" })).StatusCode);
        using var division = await app.As("division-scc");
        Assert.Empty((await division.GetFromJsonAsync<JsonElement[]>("/api/v1/adjustments"))!);
        // 那曲 sees its own approved events only; the demo's pending veto of 日喀则 is the office's.
        using var xigaze = await app.As("unit-zj-nyingchi");
        var own = (await xigaze.GetFromJsonAsync<JsonElement[]>("/api/v1/adjustments"))!;
        Assert.NotEmpty(own);
        Assert.All(own, e => Assert.Equal("zj-nyingchi", e.GetProperty("unitId").GetString()));
        using var viewer = await app.As("viewer");
        Assert.DoesNotContain((await viewer.GetFromJsonAsync<JsonElement[]>("/api/v1/adjustments"))!, e => e.GetProperty("status").GetString() == "Pending");
    }

    [Fact]
    public async Task Evidence_is_stored_with_its_sha256_and_served_as_an_attachment_only_to_those_who_may_see_it()
    {
        using var office = await app.As("office");
        var bytes = Pdf("自治区通报表扬文件");
        var ev = await Body(await office.PostAsync("/api/v1/adjustments", Form("zj-nyingchi", "praise-dept", "林芝：证据下载", points: 0.2, evidence: bytes, fileName: "表扬通报.pdf")));
        var file = ev.GetProperty("evidence")[0];
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Assert.Equal(sha, file.GetProperty("sha256").GetString());
        var url = file.GetProperty("url").GetString()!;

        var download = await office.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());

        using var own = await app.As("unit-zj-nyingchi");
        Assert.Equal(HttpStatusCode.OK, (await own.GetAsync(url)).StatusCode);
        using var other = await app.As("unit-zj-lasa");
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(url)).StatusCode);
        using var division = await app.As("division-scc");
        Assert.Equal(HttpStatusCode.NotFound, (await division.GetAsync(url)).StatusCode);

        // A file that is not what its name says is refused, and nothing is stored.
        var count = await app.WithDb(db => db.Set<AdjustmentEvent>().CountAsync());
        var fake = await office.PostAsync("/api/v1/adjustments", Form("zj-nyingchi", "praise-dept", "伪装的文件", points: 0.2, evidence: Encoding.UTF8.GetBytes("<html>x</html>")));
        Assert.True((int)fake.StatusCode is >= 400 and < 500, $"{fake.StatusCode}");
        Assert.Equal(count, await app.WithDb(db => db.Set<AdjustmentEvent>().CountAsync()));
    }

    [Fact]
    public async Task The_pages_record_a_deduction_and_take_a_veto_through_request_and_a_second_persons_approval()
    {
        using var office = await app.SignedIn("office");
        var page = await office.GetStringAsync($"/Adjustments?period={Collecting}&category=housing");
        var form = new MultipartFormDataContent
        {
            { new StringContent(AppFixture.AntiForgeryToken(page)), "__RequestVerificationToken" },
            { new StringContent(Collecting), "Period" }, { new StringContent("housing"), "Category" }, { new StringContent("zj-nagqu"), "Unit" },
            { new StringContent("criticism-region"), "Rule" }, { new StringContent("页面录入：被自治区通报批评"), "Reason" },
            { new ByteArrayContent(Pdf("批评通报")), "Evidence", "批评通报.pdf" },
        };
        var saved = await office.PostAsync($"/Adjustments?period={Collecting}&category=housing", form);
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Contains("页面录入：被自治区通报批评", await office.GetStringAsync($"/Adjustments?period={Collecting}&category=housing"));

        var vetoes = await office.GetStringAsync($"/Adjustments/Vetoes?period={Collecting}");
        var request = new MultipartFormDataContent
        {
            { new StringContent(AppFixture.AntiForgeryToken(vetoes)), "__RequestVerificationToken" },
            { new StringContent(Collecting), "Period" }, { new StringContent("cg-xigaze"), "Unit" }, { new StringContent("veto-safety"), "Rule" },
            { new StringContent("页面申请：发生重大安全事故"), "Reason" }, { new ByteArrayContent(Pdf("事故报告")), "Evidence", "事故报告.pdf" },
        };
        Assert.Equal(HttpStatusCode.Redirect, (await office.PostAsync("/Adjustments/Vetoes?handler=Request", request)).StatusCode);
        var id = await app.WithDb(db => db.Set<AdjustmentEvent>().Where(e => e.UnitId == "cg-xigaze").Select(e => e.Id).SingleAsync());
        var ownView = await office.GetStringAsync($"/Adjustments/Vetoes?period={Collecting}");
        Assert.DoesNotContain($"name=\"Id\" value=\"{id}\"", ownView);
        var self = await office.PostAsync("/Adjustments/Vetoes?handler=Approve", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = AppFixture.AntiForgeryToken(ownView), ["Id"] = id.ToString(), ["Period"] = Collecting,
        }));
        Assert.Equal(HttpStatusCode.Forbidden, self.StatusCode);
        Assert.Contains("另一名考核办人员", await self.Content.ReadAsStringAsync());

        using var office2 = await app.SignedIn("office2");
        var secondView = await office2.GetStringAsync($"/Adjustments/Vetoes?period={Collecting}");
        Assert.Contains($"name=\"Id\" value=\"{id}\"", secondView);
        var approved = await office2.PostAsync("/Adjustments/Vetoes?handler=Approve", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = AppFixture.AntiForgeryToken(secondView), ["Id"] = id.ToString(), ["Period"] = Collecting, ["Note"] = "同意",
        }));
        Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);
        Assert.Equal(AdjustmentEventStatus.Approved, await app.WithDb(db => db.Set<AdjustmentEvent>().Where(e => e.Id == id).Select(e => e.Status).SingleAsync()));
        // Units never reach the office's pages.
        using var unit = await app.SignedIn("unit-zj-lasa");
        Assert.Equal(HttpStatusCode.Redirect, (await unit.GetAsync("/Adjustments")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await unit.GetAsync("/Adjustments/Vetoes")).StatusCode);
    }

    [Fact]
    public async Task The_demo_shows_capped_bonuses_a_deduction_and_a_pending_and_an_approved_veto_in_2023_Q1()
    {
        var nyingchi = await ResultOf("zj-nyingchi", period: "2023-Q1");
        Assert.Equal(5, nyingchi.Adjustment, 6); // 2 + 2 + 1 + 0.5 = 5.5, capped
        Assert.Equal(-1, (await ResultOf("zj-qamdo", period: "2023-Q1")).Adjustment, 6);
        using var office = await app.As("office");
        var events = (await office.GetFromJsonAsync<JsonElement[]>("/api/v1/adjustments?period=2023-Q1"))!;
        Assert.Contains(events, e => e.GetProperty("unitId").GetString() == "zj-xigaze" && e.GetProperty("kind").GetString() == "Veto" && e.GetProperty("status").GetString() == "Pending");
        var approvedVeto = Assert.Single(events, e => e.GetProperty("unitId").GetString() == "zj-ngari" && e.GetProperty("kind").GetString() == "Veto");
        Assert.Equal("office2", approvedVeto.GetProperty("decidedBy").GetString());
        Assert.Equal("2023", approvedVeto.GetProperty("factPeriodId").GetString());
        var page = await (await app.SignedIn("office")).GetStringAsync("/Adjustments?period=2023-Q1&category=housing");
        Assert.Contains("受国家部委通报表扬", page);
        var vetoes = await (await app.SignedIn("office2")).GetStringAsync("/Adjustments/Vetoes?period=2023-Q1");
        Assert.Contains("日喀则", vetoes);
    }
}

public sealed class AdjustmentTestsOnSqlite(SqliteApp app) : AdjustmentTests<SqliteApp>(app);

public sealed class AdjustmentTestsOnPostgres(PostgresApp app) : AdjustmentTests<PostgresApp>(app);
