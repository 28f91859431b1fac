using System.Globalization;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Targets;

/// <summary>
/// A base figure that a unit's 目标责任书 sets for a quarter: the letter's issued version and the quarter's figure
/// (<see cref="Figure"/> null for <see cref="TargetLetterService.KeyTaskMeasure"/>, which the milestone assessments fill).
/// </summary>
public sealed record LetterFigure(int Version, string Measure, string Name, string Unit, double? Figure)
{
    public bool KeyTask => Measure == TargetLetterService.KeyTaskMeasure;

    /// <summary>"来自目标责任书 第2版" / "From target letter v 2".</summary>
    public string Label => Ui.T($"来自目标责任书 第{Version}版", $"From target letter v {Version}");

    /// <summary>
    /// Why a unit (or a platform, or an import) may not write the figure, naming the measure and the letter's figure, and how
    /// it is changed instead: by a letter change (docs/targets.md, "A wrong target").
    /// </summary>
    public (string Zh, string En) Refusal(string? name = null)
    {
        var label = $"{name ?? Name}（{Measure}）";
        var labelEn = $"{name ?? Name} ({Measure})";
        if (KeyTask)
            return ($"{label}由目标责任书第{Version}版的重点工作任务节点评价计算，不能填报或导入",
                $"{labelEn} is computed from the assessed milestones of target letter v {Version}'s key tasks; it cannot be reported or imported");
        var figure = Figure?.ToString("#,0.####", CultureInfo.InvariantCulture) ?? "—";
        return ($"{label}由目标责任书第{Version}版下达（{figure} {Unit}），不能填报或导入；如需调整，由考核办提出目标责任书变更并经另一名考核办人员批准",
            $"{labelEn} is set by target letter v {Version} ({figure} {Unit}); it cannot be reported or imported: the office changes it by a letter change approved by a second office account");
    }
}

/// <summary>
/// Which base figures the target letters own (issue 16): once a letter is issued, each measure it sets is that quarter's
/// figure for the unit, and nobody types it on the 填报 sheet, its .xlsx, the platform API or the bulk import. The unit's
/// key-task completion (<see cref="TargetLetterService.KeyTaskMeasure"/>) is the letter's too wherever a task has a
/// milestone that quarter. The text that counts is the one last issued (a draft being revised is not the letter yet).
/// </summary>
public static class LetterOwnership
{
    /// <summary>Per (unit, measure), the figure the units' issued letters set for the period (a quarter); none for a year or a period that does not exist.</summary>
    public static async Task<Dictionary<(string Unit, string Measure), LetterFigure>> OfAsync(KaoheDbContext db, string periodId,
        IReadOnlyCollection<string>? unitIds = null, CancellationToken ct = default)
    {
        var owned = new Dictionary<(string, string), LetterFigure>();
        var period = await db.Periods.AsNoTracking().Where(p => p.Id == periodId).Select(p => new { p.Year, p.Quarter }).FirstOrDefaultAsync(ct);
        if (period?.Quarter is not { } q) return owned;
        var query = db.TargetLetters.AsNoTracking().Where(l => l.Year == period.Year && l.Version > 0);
        if (unitIds is not null) query = query.Where(l => unitIds.Contains(l.UnitId));
        var letters = await query.Select(l => new { l.Id, l.UnitId, l.Version, l.Status, l.Content }).ToListAsync(ct);
        // A letter being revised before 签收 (Draft) still stands as last issued.
        var revising = letters.Where(l => l.Status == TargetLetterStatus.Draft).Select(l => l.Id).ToList();
        var issued = revising.Count == 0 ? [] : await db.TargetLetterVersions.AsNoTracking().Where(v => revising.Contains(v.LetterId))
            .Select(v => new { v.LetterId, v.Version, v.Content }).ToListAsync(ct);
        foreach (var l in letters)
        {
            var content = LetterContent.Parse(l.Status == TargetLetterStatus.Draft
                ? issued.Where(v => v.LetterId == l.Id).MaxBy(v => v.Version)?.Content ?? "{}"
                : l.Content);
            foreach (var t in content.Targets)
                owned[(l.UnitId, t.Measure)] = new LetterFigure(l.Version, t.Measure, t.Name, t.Unit, t.Quarters[q - 1]);
            if (content.Tasks.Any(t => t.Milestones[q - 1].Length > 0))
                owned[(l.UnitId, TargetLetterService.KeyTaskMeasure)] =
                    new LetterFigure(l.Version, TargetLetterService.KeyTaskMeasure, "重点工作任务完成度", "%", null);
        }
        return owned;
    }
}
