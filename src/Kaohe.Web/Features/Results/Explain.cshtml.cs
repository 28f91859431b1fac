using Kaohe.Scoring;
using Kaohe.Web.Data;
using Kaohe.Web.Features.Facts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Kaohe.Web.Features.Results;

/// <summary>Every number opens its explanation: formula, inputs, the facts behind them and their sources.</summary>
[Authorize(Roles = $"{Roles.Office},{Roles.Leader},{Roles.Viewer},{Roles.Division}")]
public sealed class ExplainModel(AssessmentBuilder builder) : PageModel
{
    public string Period { get; private set; } = "";
    public string Category { get; private set; } = "";
    public Explanation Explanation { get; private set; } = null!;
    public UnitResult Unit { get; private set; } = null!;
    public IReadOnlyList<Fact> Facts { get; private set; } = [];
    public int Decimals { get; private set; } = 2;

    public async Task<IActionResult> OnGetAsync(string period, string category, string unit, string? node)
    {
        var built = await builder.BuildAsync(period, category);
        if (built is null) return NotFound();
        var outcome = Engine.Score(built.Assessment);
        if (outcome.Result is not { } result || result.Units.All(u => u.Id != unit)) return NotFound();
        if (node is not null && !Exists(built.Assessment.Indicators, node)) return NotFound();
        Period = period;
        Category = category;
        Unit = result[unit];
        Explanation = result.Explain(unit, node);
        Decimals = built.Assessment.Rules.RankDecimals;
        Facts = built.Facts.Where(f => f.UnitId == unit && (node is null ? f.IndicatorId is null : f.IndicatorId == node)).ToList();
        return Page();
    }

    private static bool Exists(IEnumerable<Indicator> nodes, string id) => nodes.Any(n => n.Id == id || Exists(n.ChildList, id));
}
