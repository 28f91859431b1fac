using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Inspections;

/// <summary>Drawing the sample of counties (随机抽取), on record and verifiable from its seed.</summary>
public sealed partial class InspectionService
{
    public static DrawDto Dto(SamplingDraw d) => new(d.Id, d.PeriodId, d.Algorithm, d.Seed,
        JsonSerializer.Deserialize<Dictionary<string, int>>(d.PerStratumJson) ?? [],
        (JsonSerializer.Deserialize<List<SamplingCandidate>>(d.EligibleJson) ?? []).Count,
        JsonSerializer.Deserialize<List<SamplingCandidate>>(d.ResultJson) ?? [], d.DrawnBy, d.DrawnAt, d.Reason, d.SupersededById);

    public Task<List<SamplingDraw>> DrawsAsync(string periodId, CancellationToken ct = default) =>
        db.Set<SamplingDraw>().AsNoTracking().Where(d => d.PeriodId == periodId).OrderByDescending(d => d.Id).ToListAsync(ct);

    public Task<SamplingDraw?> CurrentDrawAsync(string periodId, CancellationToken ct = default) =>
        db.Set<SamplingDraw>().AsNoTracking().Where(d => d.PeriodId == periodId && d.SupersededById == null).OrderByDescending(d => d.Id).FirstOrDefaultAsync(ct);

    /// <summary>
    /// Draws the period's sample (two counties per prefecture by default, seed §考核方式 1: 14 counties).
    /// An earlier draw stays on record, marked as superseded by this one.
    /// </summary>
    public async Task<Outcome<DrawDto>> DrawAsync(string periodId, string? seed, int? perPrefecture, string? reason, string by, CancellationToken ct = default)
    {
        if (!await db.Periods.AnyAsync(p => p.Id == periodId, ct))
            return new Failure(FailureKind.Invalid, $"period：考核期 {periodId} 不存在", $"period: {periodId} does not exist", "period");
        if (perPrefecture is < 1 or > 20)
            return new Failure(FailureKind.Invalid, "perPrefecture：每个地市抽取 1–20 个县", "perPrefecture: draw 1–20 counties per prefecture", "perPrefecture");
        if (seed is not null && (seed.Length is 0 or > 200 || string.IsNullOrWhiteSpace(seed)))
            return new Failure(FailureKind.Invalid, "seed：种子为 1–200 个字符", "seed: the seed has 1–200 characters", "seed");
        if (await db.Set<InspectionFinding>().AnyAsync(f => f.PeriodId == periodId, ct))
            return new Failure(FailureKind.Conflict, "period：本期实地考核已开始（已有考核记录），不能重新抽样", "period: on-site inspection has started (there are findings); the sample cannot be drawn again", "period");
        var previous = await db.Set<SamplingDraw>().Where(d => d.PeriodId == periodId && d.SupersededById == null).ToListAsync(ct);
        if (previous.Count > 0 && string.IsNullOrWhiteSpace(reason))
            return new Failure(FailureKind.Invalid, "reason：重新抽样须说明理由（原抽样结果保留备查）", "reason: drawing again needs a reason (the earlier draw stays on record)", "reason");
        var eligible = await EligibleAsync(ct);
        var perStratum = Sampling.Uniform(eligible, perPrefecture ?? Sampling.DefaultPerStratum);
        var result = Sampling.Draw(eligible, perStratum, seed ?? Sampling.NewSeed());
        var draw = new SamplingDraw(periodId, result.Algorithm, result.Seed, JsonSerializer.Serialize(perStratum), JsonSerializer.Serialize(eligible),
            JsonSerializer.Serialize(result.Drawn), by, clock.GetUtcNow(), string.IsNullOrWhiteSpace(reason) ? null : reason.Trim());
        db.Add(draw);
        foreach (var p in previous) p.SupersedeWith(draw);
        audit.Record("sampling.draw", "sampling-draw", () => draw.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            previous.Count > 0 ? new { superseded = previous.Select(p => p.Id) } : null,
            new { draw.PeriodId, draw.Algorithm, draw.Seed, drawn = result.Drawn.Select(c => c.Id) }, draw.Reason);
        await audit.SaveAsync(ct);
        return new(Dto(draw), null, Created: true);
    }

    /// <summary>Draws again from what was recorded and says whether the same counties come out.</summary>
    public static (bool Matches, IReadOnlyList<SamplingCandidate> Redrawn) Verify(SamplingDraw d)
    {
        var eligible = JsonSerializer.Deserialize<List<SamplingCandidate>>(d.EligibleJson) ?? [];
        var per = JsonSerializer.Deserialize<Dictionary<string, int>>(d.PerStratumJson) ?? [];
        var recorded = JsonSerializer.Deserialize<List<SamplingCandidate>>(d.ResultJson) ?? [];
        var again = d.Algorithm == Sampling.Algorithm ? Sampling.Draw(eligible, per, d.Seed).Drawn : [];
        return (again.Select(c => c.Id).SequenceEqual(recorded.Select(c => c.Id)), again);
    }
}
