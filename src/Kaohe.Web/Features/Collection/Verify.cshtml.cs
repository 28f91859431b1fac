using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Kaohe.Web.Features.Collection;

/// <summary>审核: the office (everything) or a division (its assignments) verifies submitted reports or returns them with a reason.</summary>
[WritesPeriodInputs(PeriodInput.Data)]
[Authorize(Roles = $"{Roles.Office},{Roles.Division}")]
public sealed class VerifyModel(KaoheDbContext db, Reporting reporting) : CollectionPage(db)
{
    public IReadOnlyList<QueueRow> Queue { get; private set; } = [];

    public async Task OnGetAsync() => await LoadAsync();

    private async Task LoadAsync()
    {
        await LoadPeriodsAsync();
        if (Period is not null) Queue = await reporting.QueueAsync(User, Period, HttpContext.RequestAborted);
    }

    public async Task<IActionResult> OnPostAsync(long id, string decision, string? reason)
    {
        var e = await reporting.ReviewAsync(User, id, decision == "verify", reason, HttpContext.RequestAborted);
        if (e is not null) Fail(e);
        else Message = decision == "verify" ? Ui.T("已审核通过", "Verified") : Ui.T("已退回", "Returned");
        await LoadAsync();
        return Page();
    }

    /// <summary>核验所选: every ticked report or none (the message names the one that stopped the batch).</summary>
    public async Task<IActionResult> OnPostBatchAsync(long[]? ids)
    {
        var (n, e) = await reporting.VerifyManyAsync(User, ids, HttpContext.RequestAborted);
        if (e is not null) Errors.AddRange(e.Texts()); // the sentence names the unit and indicator: no field path on the page
        else Message = Ui.T($"已核验 {n} 项", $"Verified {n} reports");
        await LoadAsync();
        return Page();
    }
}
