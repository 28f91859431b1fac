using System.Globalization;
using System.Security.Claims;
using Kaohe.Data;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Rectification;

public sealed record RaiseResult(int FromDeductions, int FromInspections, int FromRankings, int Recurrences)
{
    public int Total => FromDeductions + FromInspections + FromRankings;
}

/// <summary>The ledger's settings (<c>Kaohe:Rectification:*</c>).</summary>
public sealed class LedgerOptions
{
    /// <summary>Days from raising to the default deadline of an automatically raised item.</summary>
    public int DefaultDays { get; set; } = 60;
    public int DueSoonDays { get; set; } = 7;
    public int[] RemindBeforeDays { get; set; } = [7, 1];
    public int[] EscalateAfterDays { get; set; } = [1, 7];

    /// <summary>How often the reminder job runs; 0 turns the background loop off (tests call RunOnceAsync).</summary>
    public int ReminderIntervalSeconds { get; set; } = 600;

    /// <summary>Past this many days after its deadline, an open item gets no more reminders (it stays on the overdue list).</summary>
    public int ReminderMaxOverdueDays { get; set; } = 90;

    /// <summary>The reminder settings with the office's time zone (OfficeTime), in which deadline days end.</summary>
    public ReminderSettings RemindersIn(TimeZoneInfo zone) => new(DueSoonDays, RemindBeforeDays, EscalateAfterDays, ReminderMaxOverdueDays, zone);
}

/// <summary>
/// 问题整改台账: raising items (from findings, inspections and criticised rankings, or by hand),
/// the workflow with evidence, merge and split. Every change goes through <see cref="AuditLog"/>.
/// One use case per file: <c>Ledger.Raise.cs</c>, <c>Ledger.Workflow.cs</c>, <c>Ledger.Plan.cs</c>; this file holds
/// what they share and the reading of an item.
/// </summary>
public sealed partial class Ledger(KaoheDbContext db, AuditLog audit, ResultsStore results, TimeProvider clock, IAttachmentStore store,
    Microsoft.Extensions.Options.IOptions<LedgerOptions> options, OfficeTime office, IAuthorizationService authorization)
{
    public const string EvidenceOwner = "rectification";

    /// <summary>Owner kinds under which a finding's photos may be stored (the fact's own evidence).</summary>
    private static readonly string[] SourceOwnerKinds = ["fact", "finding", "inspection"];

    public LedgerOptions Options => options.Value;

    public DateTimeOffset Now => clock.GetUtcNow();

    public DateOnly Today => office.Date(clock.GetUtcNow());

    public static Actor? ActorOf(ClaimsPrincipal user) => user.Role() switch
    {
        Roles.Office => Actor.Office,
        Roles.Unit => Actor.Unit,
        Roles.Assessor => Actor.Assessor,
        _ => null,
    };

    private static string Inv(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>The item if the user may read it (<see cref="RectificationItemAuthorization"/>), else null: a refusal reads like a missing item.</summary>
    public async Task<RectificationItem?> FindAsync(long id, ClaimsPrincipal user, CancellationToken ct = default) =>
        await db.Set<RectificationItem>().Include(i => i.Roadmap).FirstOrDefaultAsync(i => i.Id == id, ct) is { } item
            && await authorization.MayAsync(user, item, UnitOperations.Read) ? item : null;

    public DeadlineState StateOf(RectificationItem i) => Deadlines.State(i.Deadline, Now, i.ClosedAt, Options.RemindersIn(office.Zone));

    /// <summary>
    /// <see cref="StateOf"/> of the open items as two dates, for queries that filter and sort by it in the database:
    /// an open item is overdue when its deadline is before <c>FirstNotPast</c> (the end of its day, in the office's
    /// zone, has passed), due soon when not overdue and its deadline is on or before <c>LastDueSoon</c> (its end comes
    /// within <see cref="LedgerOptions.DueSoonDays"/>), and on track after that.
    /// </summary>
    public (DateOnly FirstNotPast, DateOnly LastDueSoon) DueCutoffs()
    {
        var now = Now;
        var firstNotPast = Deadlines.FirstNotPast(now, office.Zone);
        // The end of day d is the start of d + 1: it is at or before now + N days exactly for the days before that moment's date.
        var lastDueSoon = office.Date(now + TimeSpan.FromDays(Options.DueSoonDays)).AddDays(-1);
        return (firstNotPast, lastDueSoon);
    }

    /// <summary>The photos of the finding the item came from, and the evidence uploaded to the item.</summary>
    public async Task<(List<Attachment> SourcePhotos, List<Attachment> Evidence)> AttachmentsAsync(RectificationItem item, CancellationToken ct = default)
    {
        var source = new List<Attachment>();
        if (item.FactId is { } fid)
        {
            var fidText = Inv(fid);
            source = await db.Attachments.AsNoTracking()
                .Where(a => a.FactId == fid || (a.OwnerId == fidText && SourceOwnerKinds.Contains(a.OwnerKind)))
                .OrderBy(a => a.Id).ToListAsync(ct);
        }
        var idText = Inv(item.Id);
        var evidence = await db.Attachments.AsNoTracking().Where(a => a.OwnerKind == EvidenceOwner && a.OwnerId == idText).OrderBy(a => a.Id).ToListAsync(ct);
        return (source, evidence);
    }
}
