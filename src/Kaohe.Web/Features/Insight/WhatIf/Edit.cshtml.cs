using System.Globalization;
using Kaohe.Scoring;
using Kaohe.Scoring.FileFormat;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Insight.WhatIf;

/// <summary>One sandbox: a form of weights and parameters, and the ranking before and after, side by side.</summary>
[NotPeriodInputs("a sandbox; saving makes a draft scheme")]
[Authorize(Policy = Policies.Office)]
public sealed class EditModel(KaoheDbContext db, WhatIfService whatIf) : PageModel
{
    public WhatIfSandbox? Sandbox { get; private set; }
    public IReadOnlyList<Indicator> Indicators { get; private set; } = [];
    public Rules? Rules { get; private set; }
    public WhatIfComparison? Comparison { get; private set; }
    public IReadOnlyList<ValidationError> Errors { get; private set; } = [];

    /// <summary>Who is missing what, when the live data cannot be computed yet (nothing is wrong with the sandbox).</summary>
    public Results.Unfinished? Unfinished { get; private set; }
    public string? Saved { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, string? saved)
    {
        if (!await LoadAsync(id)) return NotFound();
        Saved = saved;
        return Page();
    }

    private async Task<bool> LoadAsync(long id)
    {
        Sandbox = await db.Set<WhatIfSandbox>().AsNoTracking().FirstOrDefaultAsync(s => s.Id == id);
        if (Sandbox is null) return false;
        var read = KaoheFile.ReadScheme(Sandbox.Document);
        Indicators = read.Indicators ?? [];
        Rules = read.Rules;
        var (comparison, failure) = await whatIf.CompareAsync(Sandbox.PeriodId, Sandbox.Category, Sandbox.Document);
        Comparison = comparison;
        if (failure?.Unfinished is { } unfinished) Unfinished = unfinished;
        else if (failure is not null && Errors.Count == 0) Errors = failure.Errors.Count > 0 ? failure.Errors : [new ValidationError("", failure.Zh, failure.En)];
        return true;
    }

    /// <summary>Reads the form: p:ID (points), eb:ID / es:ID (efficacy base / span), rw:ID:RATER (rater weight), commend, criticize, normalize.</summary>
    private (WhatIfChanges Changes, List<ValidationError> Errors) ReadForm()
    {
        var errors = new List<ValidationError>();
        var points = new Dictionary<string, double>();
        var bases = new Dictionary<string, double>();
        var spans = new Dictionary<string, double>();
        var weights = new Dictionary<string, Dictionary<string, double>>();
        int? commend = null, criticize = null;
        foreach (var (key, value) in Request.Form)
        {
            var text = value.ToString().Trim();
            double Number()
            {
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) return d;
                errors.Add(new ValidationError(key, $"“{text}”不是数字", $"\"{text}\" is not a number"));
                return 0;
            }
            var parts = key.Split(':');
            switch (parts[0])
            {
                case "p" when parts.Length == 2: points[parts[1]] = Number(); break;
                case "eb" when parts.Length == 2: bases[parts[1]] = Number(); break;
                case "es" when parts.Length == 2: spans[parts[1]] = Number(); break;
                case "rw" when parts.Length == 3:
                    if (!weights.TryGetValue(parts[1], out var w)) weights[parts[1]] = w = [];
                    w[parts[2]] = Number();
                    break;
                case "commend": commend = (int)Math.Round(Number()); break;
                case "criticize": criticize = (int)Math.Round(Number()); break;
            }
        }
        var normalize = Request.Form["normalize"].ToString() is "on" or "true";
        return (new WhatIfChanges(points, bases, spans, weights, commend, criticize, normalize), errors);
    }

    public async Task<IActionResult> OnPostAsync(long id, string? name)
    {
        var (changes, errors) = ReadForm();
        if (errors.Count > 0)
        {
            Errors = errors;
            return await LoadAsync(id) ? Page() : NotFound();
        }
        var (sandbox, failure) = await whatIf.EditAsync(id, name, changes);
        if (failure is not null)
        {
            if (failure.Status == 404) return NotFound();
            Errors = failure.Errors.Count > 0 ? failure.Errors : [new ValidationError("", failure.Zh, failure.En)];
            await LoadAsync(id);
            return Page();
        }
        return Redirect($"/Insight/WhatIf/Edit/{sandbox!.Id}");
    }

    public async Task<IActionResult> OnPostSaveAsync(long id)
    {
        var (scheme, failure) = await whatIf.SaveAsSchemeVersionAsync(id);
        if (failure is not null)
        {
            if (failure.Status == 404) return NotFound();
            Errors = failure.Errors.Count > 0 ? failure.Errors : [new ValidationError("", failure.Zh, failure.En)];
            await LoadAsync(id);
            return Page();
        }
        return Redirect($"/Insight/WhatIf/Edit/{id}?saved={scheme!.Id}");
    }

    public static IEnumerable<(Indicator Node, int Depth)> Walk(IEnumerable<Indicator> nodes, int depth = 0) =>
        nodes.SelectMany(n => new[] { (n, depth) }.Concat(Walk(n.ChildList, depth + 1)));

    public static string Num(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);
}
