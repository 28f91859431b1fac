using System.Globalization;
using Kaohe.Demo;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Demo;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Inspections;

/// <summary>
/// The demo's on-site assessment of 2023-Q1 (seed §考核方式 1): 14 officials of the seven
/// prefectures' urban-management bureaus, the default draw of 14 counties with its seed, three
/// groups formed automatically under the avoidance rule, assessor accounts linked to one official
/// of each group, and findings with photos at a few of the first group's sites. The findings reuse
/// the demo's existing inspection facts (adding site, GPS, time and photos), so the demo's published
/// scores do not change. Once the whole demo is loaded 2023-Q1 is published, so the demo also draws
/// and forms the groups of <see cref="CollectingPeriod"/>, the quarter then being collected: the
/// assessors' phones work that quarter (no findings yet).
/// </summary>
public sealed class InspectionsDemo(KaoheDbContext db, AuditLog audit, Results.ResultsStore results)
{
    public const string Period = "2023-Q1";
    public const string Seed = "2023-Q1-实地考核-演示";

    /// <summary>The quarter being collected once the demo is loaded (PublicationDemo publishes Q1 and puts Q2 in review).</summary>
    public const string CollectingPeriod = "2023-Q3";
    public const string CollectingSeed = "2023-Q3-实地考核-演示";

    private static readonly DateTimeOffset DrawnAt = new(2023, 3, 10, 2, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset CollectingDrawnAt = new(2023, 9, 8, 2, 0, 0, TimeSpan.Zero);

    /// <summary>Two officials from each prefecture's 城市管理局 (names invented).</summary>
    private static readonly IReadOnlyDictionary<string, string[]> Names = new Dictionary<string, string[]>
    {
        ["lasa"] = ["次仁", "卓玛"],
        ["xigaze"] = ["扎西", "央金"],
        ["qamdo"] = ["旺堆", "拉姆"],
        ["nyingchi"] = ["达瓦", "格桑"],
        ["shannan"] = ["普布", "德吉"],
        ["nagqu"] = ["索朗", "白玛"],
        ["ngari"] = ["尼玛", "边巴"],
    };

    /// <summary>Roughly where each prefecture's seat is, for the demo's GPS positions.</summary>
    private static readonly IReadOnlyDictionary<string, (double Lat, double Lon)> Seats = new Dictionary<string, (double, double)>
    {
        ["lasa"] = (29.652, 91.132), ["xigaze"] = (29.267, 88.881), ["qamdo"] = (31.141, 97.172), ["nyingchi"] = (29.649, 94.362),
        ["shannan"] = (29.237, 91.773), ["nagqu"] = (31.476, 92.051), ["ngari"] = (32.503, 80.106),
    };

    /// <summary>The assessor accounts of the demo, one per group (DemoSeeder.Accounts).</summary>
    public static readonly string[] Assessors = ["assessor1", "assessor2", "assessor3"];

    public async Task SeedAsync(string dataDir)
    {
        foreach (var p in DemoCatalog.Prefectures)
        {
            var i = 0;
            foreach (var person in Names[p.Id])
                db.Add(new Inspector($"{p.Id}-{++i}", person, p.Id, $"{p.Name}城市管理局"));
        }
        audit.Record("inspector.roster", "inspector", "demo", null, new { officials = Names.Values.Sum(v => v.Length) });
        await audit.SaveAsync();

        var clock = new FixedClock(DrawnAt);
        var store = new FileSystemAttachmentStore(new ConfigurationBuilder().AddInMemoryCollection([new("Kaohe:DataDir", dataDir)]).Build(), clock);
        var service = new InspectionService(db, audit, clock, store, results);
        var draw = await service.DrawAsync(Period, Seed, null, null, "office");
        if (draw.Failure is not null) throw new InvalidOperationException("demo draw: " + draw.Failure.En);
        var formed = await service.FormAsync(Period, null, "office");
        if (formed.Failure is not null) throw new InvalidOperationException("demo groups: " + formed.Failure.En);
        var groups = formed.Value!;
        for (var g = 0; g < groups.Count && g < Assessors.Length; g++)
        {
            // The official whose name the account's display name carries (DemoSeeder.Accounts), else the group's first member.
            var display = DemoSeeder.Accounts.FirstOrDefault(a => a.UserName == Assessors[g])?.DisplayName ?? "";
            var first = groups[g].Members.FirstOrDefault(m => display.EndsWith(m.Name, StringComparison.Ordinal)) ?? groups[g].Members[0];
            (await db.Set<Inspector>().FirstAsync(x => x.Id == first.InspectorId)).LinkAccount(Assessors[g]);
            audit.Record("inspector.link", "inspector", first.InspectorId, null, new { userName = Assessors[g] });
        }
        await audit.SaveAsync();

        // Findings at three of the first group's sites: the existing inspection facts of the site's unit, with site, GPS and photos.
        var checklist = (await service.ChecklistAsync(Period)).ToDictionary(c => c.IndicatorId);
        var group = await db.Set<InspectionGroup>().Include(x => x.Sites).FirstAsync(x => x.Id == groups[0].Id);
        var taken = new HashSet<long>();
        var n = 0;
        foreach (var site in group.Sites.OrderBy(s => s.Kind).ThenBy(s => s.SiteId, StringComparer.Ordinal).Take(3))
        {
            var facts = await db.Facts.Where(f => f.PeriodId == Period && f.UnitId == site.UnitId && f.Kind == FactKind.Finding && f.Source == FactSources.Inspection)
                .OrderBy(f => f.Id).ToListAsync();
            foreach (var fact in facts.Where(f => f.IndicatorId is not null && checklist.ContainsKey(f.IndicatorId) && !taken.Contains(f.Id)).Take(2))
            {
                taken.Add(fact.Id);
                var item = checklist[fact.IndicatorId!];
                var (lat, lon) = Seats[site.PrefectureId];
                n++;
                var observed = new DateTimeOffset(2023, 3, 20 + n / 3, 3 + n % 5, 10 * (n % 6), 0, TimeSpan.Zero);
                var note = $"{item.Name}：现场发现问题，已拍照取证";
                var finding = new InspectionFinding($"demo-{fact.Id.ToString(CultureInfo.InvariantCulture)}", Assessors[0], group.Id, site, item.IndicatorId,
                    FactPayload.Parse(fact.Payload).Points ?? item.Deduction, note, lat + n * 0.003, lon - n * 0.002, 12 + n, observed, observed.AddMinutes(30), fact);
                db.Add(finding);
                for (var k = 1; k <= 2; k++)
                {
                    using var jpeg = new MemoryStream(TinyJpeg.Create(64, 48, $"Kaohe demo photo {fact.Id}-{k}"));
                    var attachment = await store.SaveAsync(jpeg, $"现场照片-{site.Name}-{item.IndicatorId}-{k}.jpg", Assessors[0], InspectionService.PhotoOwnerKind, "pending");
                    finding.Photos.Add(new InspectionPhoto($"demo-{fact.Id.ToString(CultureInfo.InvariantCulture)}-{k}", attachment));
                    fact.Evidence.Add(attachment);
                }
                audit.Record("inspection.finding", "inspection-finding", finding.ClientId, null, new { site.SiteId, item.IndicatorId, fact = fact.Id, source = "demo" });
            }
        }
        await audit.SaveAsync();
        // The photos' owner is the finding, whose id is known only now.
        foreach (var f in await db.Set<InspectionFinding>().Include(f => f.Photos).ThenInclude(p => p.Attachment).ToListAsync())
            foreach (var p in f.Photos) p.Attachment!.AssignOwner(InspectionService.PhotoOwnerKind, f.Id.ToString(CultureInfo.InvariantCulture));
        await db.SaveChangesAsync();

        // The quarter being collected: its own draw and groups, formed by the same rule from the same roster
        // (two counties per prefecture, so each assessor account serves in the group of the same number).
        var later = new FixedClock(CollectingDrawnAt);
        var next = new InspectionService(db, audit, later, new FileSystemAttachmentStore(
            new ConfigurationBuilder().AddInMemoryCollection([new("Kaohe:DataDir", dataDir)]).Build(), later), results);
        var nextDraw = await next.DrawAsync(CollectingPeriod, CollectingSeed, null, null, "office");
        if (nextDraw.Failure is not null) throw new InvalidOperationException("demo draw: " + nextDraw.Failure.En);
        var nextGroups = await next.FormAsync(CollectingPeriod, null, "office");
        if (nextGroups.Failure is not null) throw new InvalidOperationException("demo groups: " + nextGroups.Failure.En);
    }

    private sealed class FixedClock(DateTimeOffset at) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => at;
    }
}
