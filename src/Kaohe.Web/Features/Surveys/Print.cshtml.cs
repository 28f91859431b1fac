using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Surveys;

/// <summary>
/// The printable A4 sheets of a batch: N codes per page, each with its short URL and serial number.
/// The codes are regenerated from the batch secret, so this page is also the reprint; used codes are
/// greyed out. Showing codes in clear is audited.
/// </summary>
[Authorize(Policy = Policies.Office)]
public sealed class PrintModel(KaoheDbContext db, SurveyService surveys, AuditLog audit, IConfiguration config) : PageModel
{
    public SurveySite? Site { get; private set; }
    public SurveyBatch? Batch { get; private set; }
    public IReadOnlyList<SurveyService.IssuedCode> Codes { get; private set; } = [];
    public string BaseUrl { get; private set; } = "";
    public string Title { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(int batch, CancellationToken ct)
    {
        Batch = await db.Set<SurveyBatch>().AsNoTracking().FirstOrDefaultAsync(b => b.Id == batch, ct);
        if (Batch is null) return NotFound();
        Site = await db.Set<SurveySite>().AsNoTracking().FirstAsync(s => s.Id == Batch.SiteId, ct);
        Codes = await surveys.CodesAsync(Batch, ct);
        Title = (await surveys.ActiveAsync(Site.PeriodId, ct))?.Questionnaire.Title.In(Texts.Chinese) ?? "群众满意度调查表";
        // Kaohe:PublicBaseUrl is the address printed on the sheets (the host citizens reach); otherwise this request's host.
        BaseUrl = (config["Kaohe:PublicBaseUrl"] ?? $"{Request.Scheme}://{Request.Host}").TrimEnd('/');
        audit.Record("survey.print", "survey-batch", Batch.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), null,
            new { site = Site.Code, Batch.FirstSerial, Batch.Count });
        await audit.SaveAsync(ct);
        return Page();
    }

    public string Serial(int serial) => $"{Site!.Code}-{serial:0000}";
}
