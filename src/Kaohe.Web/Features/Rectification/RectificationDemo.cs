using System.Globalization;
using Kaohe.Data;
using Kaohe.Web.Features.Attachments;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Rectification;

/// <summary>
/// The demo's Q1 ledger. The demo data is from 2023 while the demo runs on the real clock, so: items
/// are raised on 20 April 2023 (after the Q1 results); items that are closed or overdue keep 2023
/// deadlines (closed on time, closed late, still open and overdue); items still being worked get
/// deadlines relative to today, so that they show as on track, due soon, submitted or returned.
/// See docs/rectification.md.
/// </summary>
public sealed class RectificationDemo(KaoheDbContext db, Ledger ledger, AuditLog audit, IAttachmentStore store, TimeProvider clock)
{
    private static readonly DateTimeOffset RaisedAt = new(2023, 4, 20, 2, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Q2End = new(2023, 6, 30);

    /// <summary>A 1×1 PNG, the demo's stand-in for a photo.</summary>
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    /// <summary>
    /// A photo for one of the urban-management inspection findings, as the inspection feature stores them:
    /// evidence of a Q1 fact, so it is seeded while Q1 is still collecting (before the demo publishes it).
    /// </summary>
    public async Task SeedPhotoAsync(CancellationToken ct = default)
    {
        var finding = await PhotoFindingAsync(ct);
        if (finding is not null)
        {
            var photo = await store.SaveAsync(new MemoryStream(Png), "现场照片-人行道破损.png", "assessor1", FactAttachmentPolicy.Kind, finding.Id.ToString(CultureInfo.InvariantCulture), ct);
            finding.Evidence.Add(photo);
            await db.SaveChangesAsync(ct);
        }
    }

    private Task<Fact?> PhotoFindingAsync(CancellationToken ct) =>
        db.Facts.Where(f => f.PeriodId == "2023-Q1" && f.UnitId == "cg-lasa" && f.Kind == FactKind.Finding && f.Source == FactSources.Inspection)
            .OrderBy(f => f.Id).FirstOrDefaultAsync(ct);

    /// <summary>The Q1 ledger, raised from the published Q1 results (its 通报批评 items come from the published ranking).</summary>
    public async Task SeedAsync(CancellationToken ct = default)
    {
        await ledger.RaiseForPeriodAsync("2023-Q1", ct);
        var items = await db.Set<RectificationItem>().Include(i => i.Roadmap).Where(i => i.PeriodId == "2023-Q1").OrderBy(i => i.Id).ToListAsync(ct);
        foreach (var i in items) i.Backdate(RaisedAt);
        var today = ledger.Today;
        var used = new HashSet<long>();
        // Problems the office entered by hand after the Q1 results, for units whose data raised few items.
        var manual = new Queue<string>(
        [
            "农民工工资专用账户和实名制管理落实不到位",
            "建筑市场信用信息归集不及时、不完整",
            "线上施工许可审批超出承诺时限",
            "自建房安全专项整治排查台账不完善",
            "重点项目开复工率低于序时进度",
            "城镇老旧小区改造项目开工滞后",
            "物业服务投诉处理不及时",
        ]);
        async Task<RectificationItem?> Take(string unit, string? source = null)
        {
            var it = items.FirstOrDefault(i => i.UnitId == unit && !used.Contains(i.Id) && (source is null || i.SourceKind == source));
            if (it is null && source is null && manual.Count > 0)
            {
                it = new RectificationItem(unit, "2023-Q1", manual.Dequeue(), ItemSources.Manual, null, null, Severities.General, "单位主要负责人", today, RaisedAt, "office");
                db.Set<RectificationItem>().Add(it);
                await db.SaveChangesAsync(ct);
                db.Set<RectificationEvent>().Add(new RectificationEvent(it.Id, "raise", "考核办录入", "office", RaisedAt));
                items.Add(it);
            }
            if (it is not null) used.Add(it.Id);
            return it;
        }
        var finding = await PhotoFindingAsync(ct);
        var photoItem = finding is null ? null : items.FirstOrDefault(i => i.FactId == finding.Id);
        if (photoItem is not null) used.Add(photoItem.Id);
        var plans = new List<(RectificationItem? Item, string State, DateOnly Deadline)>
        {
            (await Take("zj-lasa"), "open", today.AddDays(45)),
            (await Take("zj-lasa"), "progress", today.AddDays(5)),
            (await Take("zj-lasa"), "submitted", today.AddDays(20)),
            (await Take("zj-lasa"), "returned", today.AddDays(15)),
            (await Take("zj-lasa"), "closed", Q2End),
            (await Take("zj-lasa"), "late", Q2End),
            (await Take("zj-lasa"), "overdue", Q2End),
            (await Take("zj-nyingchi"), "overdue", Q2End),
            (await Take("zj-nyingchi"), "closed", Q2End),
            (photoItem ?? await Take("cg-lasa", ItemSources.Inspection), "submitted", today.AddDays(10)),
            (await Take("cg-lasa", ItemSources.Inspection), "overdue", Q2End),
        };
        foreach (var r in items.Where(i => i.SourceKind == ItemSources.Ranking && !used.Contains(i.Id)).Take(2).ToList())
            plans.Add((r, plans.Count % 2 == 0 ? "late" : "overdue", Q2End));

        foreach (var (item, state, deadline) in plans)
        {
            if (item is null) continue;
            used.Add(item.Id);
            await PlayAsync(item, state, deadline, ct);
        }
        audit.Record("demo.rectification", "rectification", "2023-Q1", null, new { items = items.Count, played = plans.Count(p => p.Item is not null) });
        await audit.SaveAsync(ct);
    }

    private async Task PlayAsync(RectificationItem item, string state, DateOnly deadline, CancellationToken ct)
    {
        var unit = item.UnitId;
        var by = unit switch { "zj-lasa" => "unit-zj-lasa", "zj-nyingchi" => "unit-zj-nyingchi", "cg-lasa" => "unit-cg-lasa", _ => "unit" };
        var person = unit switch { "zj-lasa" => "拉萨市住建局副局长 格桑", "zj-nyingchi" => "林芝市住建局副局长 扎西", "cg-lasa" => "拉萨市城管局副局长 达瓦", _ => item.ResponsiblePerson };
        var past = deadline < ledger.Today;
        // Past items are worked in 2023; current ones in the last weeks before today.
        var start = past ? RaisedAt.AddDays(5) : clock.GetUtcNow().AddDays(-20);
        item.Plan(person, deadline, item.SourceKind == ItemSources.Ranking ? Severities.Serious : Severities.General, item.RequiresReinspection);
        var first = new Milestone("查明问题原因，制定整改方案", past ? DateOnly.FromDateTime(start.AddDays(10).DateTime) : DateOnly.FromDateTime(start.AddDays(7).DateTime));
        var second = new Milestone("完成整改并报送佐证材料", deadline.AddDays(-3));
        item.Roadmap.Add(first);
        item.Roadmap.Add(second);
        Event("plan", $"责任人 {person}，整改时限 {deadline:yyyy-MM-dd}", "office", start.AddDays(-1));
        if (state == "open")
        {
            await db.SaveChangesAsync(ct);
            return;
        }
        item.MoveTo(ItemStatus.InProgress, start);
        Event("start", "已成立整改专班，按路线图推进", by, start);
        await db.SaveChangesAsync(ct);
        first.Complete(start.AddDays(6));
        var evidence = await store.SaveAsync(new MemoryStream(Png), "整改方案.png", by, Ledger.EvidenceOwner, item.Id.ToString(CultureInfo.InvariantCulture), ct);
        db.Attachments.Add(evidence);
        await db.SaveChangesAsync(ct);
        var progress = Event("progress", "已制定整改方案，明确责任分工", by, start.AddDays(6), first.Id);
        progress.SetEvidence(evidence.Id.ToString(CultureInfo.InvariantCulture));
        switch (state)
        {
            case "progress":
            case "overdue":
                break;
            case "submitted":
                second.Complete(start.AddDays(15));
                item.MoveTo(ItemStatus.SubmittedForVerification, start.AddDays(15));
                Event("submit", "整改已完成，申请核验销号", by, start.AddDays(15));
                break;
            case "returned":
                item.MoveTo(ItemStatus.SubmittedForVerification, start.AddDays(12));
                Event("submit", "整改已完成，申请核验销号", by, start.AddDays(12));
                const string reason = "佐证材料不足：未附整改后的现场照片，请补充";
                item.MoveTo(ItemStatus.InProgress, start.AddDays(14), reason);
                Event("return", reason, "office", start.AddDays(14));
                break;
            case "closed":
            case "late":
                var closeAt = state == "closed" ? new DateTimeOffset(2023, 6, 20, 3, 0, 0, TimeSpan.Zero) : new DateTimeOffset(2023, 8, 10, 3, 0, 0, TimeSpan.Zero);
                second.Complete(closeAt.AddDays(-3));
                item.MoveTo(ItemStatus.SubmittedForVerification, closeAt.AddDays(-3));
                Event("submit", "整改已完成，申请核验销号", by, closeAt.AddDays(-3));
                if (item.RequiresReinspection) Event("reinspect", "复查合格", "assessor1", closeAt.AddDays(-1));
                item.MoveTo(ItemStatus.Closed, closeAt);
                Event("verify", "经核验整改到位，予以销号", "office", closeAt);
                break;
        }
        audit.Record("demo.rectification", "rectification", item.Id.ToString(CultureInfo.InvariantCulture), null, new { state, deadline });
        await db.SaveChangesAsync(ct);

        RectificationEvent Event(string kind, string note, string who, DateTimeOffset at, long? milestone = null)
        {
            var e = new RectificationEvent(item.Id, kind, note, who, at, milestone);
            db.Set<RectificationEvent>().Add(e);
            return e;
        }
    }
}
