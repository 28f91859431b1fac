using Kaohe.Demo;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;

namespace Kaohe.Web.Features.Demo;

/// <summary>
/// Loads the demo on a fresh database: the seed's prefectures, counties and units, the periods of
/// 2023, the four schemes with the 2023-Q1 data, and one account per role. The data is plausible but
/// invented; the UI says so.
/// </summary>
public sealed partial class DemoSeeder(KaoheDbContext db, UserManager<AppUser> users, AuditLog audit, ILogger<DemoSeeder> log, IServiceProvider services)
{
    public sealed record DemoAccount(string UserName, string DisplayName, string Role, string? UnitId, string? RaterId = null);

    /// <summary>One account per role; the division is 建筑市场监管处, the reporter 拉萨市住建局.</summary>
    public static IReadOnlyList<DemoAccount> Accounts { get; } =
    [
        new("office", "考核办 张明", Roles.Office, null),
        new("office2", "考核办 副主任 格桑", Roles.Office, null),
        new("division-scc", "建筑市场监管处 李华", Roles.Division, "scc"),
        new("division-zac", "工程质量安全监管处 王强", Roles.Division, "zac"),
        new("leader-principal", "厅主要领导", Roles.Leader, null, "principal"),
        new("leader-incharge", "分管厅领导", Roles.Leader, null, "in-charge"),
        new("assessor1", "第一考核组 索朗", Roles.Assessor, null),
        new("assessor2", "第二考核组 次仁", Roles.Assessor, null),
        new("assessor3", "第三考核组 卓玛", Roles.Assessor, null),
        new("unit-zj-lasa", "拉萨市住建局 填报员", Roles.Unit, "zj-lasa"),
        new("unit-zj-nyingchi", "林芝市住建局 填报员", Roles.Unit, "zj-nyingchi"),
        new("unit-cg-lasa", "拉萨市城管局 填报员", Roles.Unit, "cg-lasa"),
        new("viewer", "查看人员", Roles.Viewer, null),
    ];

    public async Task SeedAsync(string? password, string dataDir)
    {
        var order = 0;
        foreach (var p in DemoCatalog.Prefectures)
        {
            db.Prefectures.Add(new Prefecture(p.Id, p.Name, p.NameEn, p.SeatDistrict, ++order));
            foreach (var c in p.Counties) db.Counties.Add(new County($"{p.Id}:{c}", c, p.Id));
        }
        foreach (var u in DemoCatalog.All)
            db.Units.Add(new OrgUnit(u.Id, u.Name, u.NameEn, (UnitKind)u.Kind, (UnitLevel)u.Level, u.Prefecture, u.Group));
        // 2023: the four quarters (report by the 10th day after the quarter) and the annual period.
        var q1 = new Period(2023, 1, new DateOnly(2023, 4, 10));
        q1.MoveTo(PeriodStatus.Collecting);
        db.Periods.Add(q1);
        for (var q = 2; q <= 4; q++) db.Periods.Add(new Period(2023, q, new DateOnly(2023, 3 * q, 1).AddMonths(1).AddDays(9)));
        db.Periods.Add(new Period(2023, null, new DateOnly(2024, 1, 15)));
        audit.Record("demo.load", "database", "demo", null, new { units = DemoCatalog.All.Count, prefectures = DemoCatalog.Prefectures.Count });
        await audit.SaveAsync();
        await SeedAccountsAsync(password, dataDir);
        await SeedSchemesAsync();
        await SeedTargetsAsync();
        await new Adjustments.AdjustmentsDemo(db, audit).SeedAsync(dataDir, string.IsNullOrEmpty(password));
        await new Inspections.InspectionsDemo(db, audit, services.GetRequiredService<Results.ResultsStore>()).SeedAsync(dataDir);
        await Surveys.SurveysDemo.SeedAsync(db, audit);
        await new Collection.CollectionDemo(db, audit).SeedAsync();
        var ledger = ActivatorUtilities.CreateInstance<Rectification.RectificationDemo>(services);
        await ledger.SeedPhotoAsync();
        await new Publication.PublicationDemo(db, audit, services.GetRequiredService<Results.ResultsStore>()) { QuarterCollecting = AssessMilestonesAsync }.SeedAsync();
        // The Q1 ledger raises its 通报批评 items from the published Q1 ranking.
        await ledger.SeedAsync();
        await new Collection.CollectionDemo(db, audit).SeedStoryAsync();
        await new Insight.InsightDemo(db, audit).SeedAsync();
    }

    private async Task SeedAccountsAsync(string? password, string dataDir)
    {
        var lines = new List<string> { "# Kaohe demo accounts (generated on first start; delete this file once noted)" };
        foreach (var a in Accounts)
        {
            var pw = string.IsNullOrEmpty(password) ? Passwords.New() : password;
            var user = new AppUser { UserName = a.UserName, DisplayName = a.DisplayName, Role = a.Role, UnitId = a.UnitId, RaterId = a.RaterId, LockoutEnabled = true };
            var result = await users.CreateAsync(user, pw);
            if (!result.Succeeded) throw new InvalidOperationException($"demo account {a.UserName}: " + string.Join("; ", result.Errors.Select(e => e.Description)));
            lines.Add($"{a.UserName}\t{pw}\t{Labels.Role(a.Role, english: false)}\t{a.DisplayName}");
        }
        if (string.IsNullOrEmpty(password))
        {
            var file = Path.Combine(dataDir, "demo-accounts.txt");
            await File.WriteAllLinesAsync(file, lines);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Console.WriteLine($"  演示账号及密码已写入 / demo accounts and passwords written to: {file}");
            foreach (var l in lines.Skip(1)) Console.WriteLine("    " + l);
        }
        log.LogInformation("Created {Count} demo accounts", Accounts.Count);
    }

    private partial Task SeedSchemesAsync();

    private partial Task SeedTargetsAsync();
}
