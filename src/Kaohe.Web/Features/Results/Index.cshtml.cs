using Kaohe.Scoring;
using Kaohe.Web.Data;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Schemes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Results;

/// <summary>The draft results of a period, computed from the current facts: classified rankings with their margins.</summary>
[Authorize(Roles = $"{Roles.Office},{Roles.Leader},{Roles.Viewer},{Roles.Division}")]
public sealed class IndexModel(KaoheDbContext db, AssessmentBuilder builder) : PageModel
{
    public string? Period { get; set; }
    public string Category { get; set; } = "housing";
    public IReadOnlyList<string> Periods { get; private set; } = [];
    public BuiltAssessment? Built { get; private set; }
    public AssessmentResult? Result { get; private set; }
    public IReadOnlyList<ValidationError> Errors { get; private set; } = [];
    public IReadOnlyDictionary<string, (double? Up, double? Down)> Margins { get; private set; } = new Dictionary<string, (double?, double?)>();

    public async Task OnGetAsync(string? period, string? category)
    {
        Periods = await db.Periods.AsNoTracking().OrderBy(p => p.Year).ThenBy(p => p.Quarter).Select(p => p.Id).ToListAsync();
        Period = period ?? await db.Periods.Where(p => p.Status == PeriodStatus.Collecting).Select(p => p.Id).FirstOrDefaultAsync() ?? Periods.FirstOrDefault();
        Category = Categories.Find(category)?.Code ?? "housing";
        if (Period is null) return;
        Built = await builder.BuildAsync(Period, Category);
        if (Built is null) return;
        var outcome = Engine.Score(Built.Assessment);
        Errors = outcome.Errors;
        Result = outcome.Result;
        if (Result is not null) Margins = Robustness.Margins(Result);
    }
}
