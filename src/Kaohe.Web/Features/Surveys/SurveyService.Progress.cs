using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Facts;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Surveys;

public sealed record SiteProgress(int SiteId, string Code, string Place, string UnitId, string UnitName, int Quota, int Web, int Paper, int Issued)
{
    public int Received => Web + Paper;
}

/// <summary>The progress of every site against its quota, by channel.</summary>
public sealed partial class SurveyService
{
    public async Task<IReadOnlyList<SiteProgress>> ProgressAsync(string periodId, CancellationToken ct = default)
    {
        var sites = await db.Set<SurveySite>().AsNoTracking().Where(s => s.PeriodId == periodId).OrderBy(s => s.Order).ThenBy(s => s.Id).ToListAsync(ct);
        var ids = sites.Select(s => s.Id).ToList();
        var counts = await db.Set<SurveyResponse>().AsNoTracking().Where(r => ids.Contains(r.SiteId))
            .GroupBy(r => new { r.SiteId, r.Channel }).Select(g => new { g.Key.SiteId, g.Key.Channel, N = g.Count() }).ToListAsync(ct);
        var issued = await db.Set<SurveyToken>().AsNoTracking().Where(t => ids.Contains(t.SiteId))
            .GroupBy(t => t.SiteId).Select(g => new { SiteId = g.Key, N = g.Count() }).ToListAsync(ct);
        var unitIds = sites.Select(s => s.UnitId).Distinct().ToList();
        var names = await db.Units.AsNoTracking().Where(u => unitIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => Infrastructure.Ui.IsEnglish ? u.NameEn : u.Name, ct);
        var byChannel = counts.ToDictionary(c => (c.SiteId, c.Channel), c => c.N);
        var issuedBySite = issued.ToDictionary(i => i.SiteId, i => i.N);
        return [.. sites.Select(s => new SiteProgress(s.Id, s.Code, s.Place, s.UnitId, names.GetValueOrDefault(s.UnitId, s.UnitId), s.Quota,
            byChannel.GetValueOrDefault((s.Id, SurveyChannels.Web)), byChannel.GetValueOrDefault((s.Id, SurveyChannels.Paper)),
            issuedBySite.GetValueOrDefault(s.Id)))];
    }
}
