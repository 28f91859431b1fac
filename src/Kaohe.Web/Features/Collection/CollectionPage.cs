using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Collection;

/// <summary>What the collection pages share: the period chosen (default: the one collecting), the periods, and messages.</summary>
public abstract class CollectionPage(KaoheDbContext db) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Period { get; set; }

    public IReadOnlyList<Period> Periods { get; private set; } = [];
    public List<string> Errors { get; } = [];
    public string? Message { get; set; }

    protected KaoheDbContext Db => db;

    protected async Task LoadPeriodsAsync()
    {
        Periods = await db.Periods.AsNoTracking().Where(p => p.Kind == PeriodKind.Quarter).OrderBy(p => p.Year).ThenBy(p => p.Quarter).ToListAsync();
        Period = Periods.FirstOrDefault(p => p.Id == Period)?.Id
            ?? Features.Periods.CurrentPeriod.Collecting(Periods)?.Id ?? Periods.FirstOrDefault()?.Id;
    }

    public string PeriodLabel => Periods.FirstOrDefault(p => p.Id == Period)?.Label(Infrastructure.Ui.IsEnglish) ?? Period ?? "";

    protected void Fail(Failure e) => Errors.AddRange(e.Messages());

    public static string StatusClass(string status) => status switch
    {
        "Verified" => "ok",
        "Returned" or "Missing" => "bad",
        _ => "",
    };

    public static string Num(double? v) => v is { } d ? d.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture) : "";
}
