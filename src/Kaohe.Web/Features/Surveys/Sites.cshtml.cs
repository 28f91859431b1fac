using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Surveys;

/// <summary>调查点和配额: the office picks the prefecture seats and sampled counties, the unit each scores, the quotas, and issues QR codes.</summary>
[NotPeriodInputs("survey sites, quotas and codes")]
[Authorize(Policy = Policies.Office)]
public sealed class SitesModel(KaoheDbContext db, AuditLog audit, SurveyService surveys) : PageModel
{
    public sealed record Place(string Name, string PrefectureId, bool Seat);

    public sealed record BatchRow(int Id, int SiteId, int FirstSerial, int Count, int PerSheet, int Used, DateTimeOffset CreatedAt);

    [BindProperty(SupportsGet = true)] public string? Period { get; set; }
    [TempData] public string? Message { get; set; }
    public List<string> Errors { get; } = [];
    public IReadOnlyList<SurveySite> Sites { get; private set; } = [];
    public IReadOnlyList<OrgUnit> Units { get; private set; } = [];
    public IReadOnlyList<Place> Places { get; private set; } = [];
    public IReadOnlyList<BatchRow> Batches { get; private set; } = [];

    private async Task LoadAsync(CancellationToken ct)
    {
        Period ??= await SurveysApi.DefaultPeriodAsync(db, ct);
        Sites = await db.Set<SurveySite>().AsNoTracking().Where(s => s.PeriodId == Period).OrderBy(s => s.Order).ThenBy(s => s.Id).ToListAsync(ct);
        var survey = Period is null ? null : await surveys.ActiveAsync(Period, ct);
        var kind = Categories.Find(survey?.Row.Category)?.Kind ?? UnitKind.UrbanManagementBureau;
        Units = await db.Units.AsNoTracking().Where(u => u.Kind == kind).OrderBy(u => u.Group).ThenBy(u => u.Id).ToListAsync(ct);
        var prefectures = await db.Prefectures.AsNoTracking().OrderBy(p => p.Order).ToListAsync(ct);
        var counties = await db.Counties.AsNoTracking().OrderBy(c => c.Id).ToListAsync(ct);
        Places = [.. prefectures.SelectMany(p => counties.Where(c => c.PrefectureId == p.Id).Select(c => new Place(p.Name + c.Name, p.Id, false))
            .Prepend(new Place(p.Name + p.Seat, p.Id, true)))];
        var ids = Sites.Select(s => s.Id).ToList();
        var used = await db.Set<SurveyToken>().AsNoTracking().Where(t => ids.Contains(t.SiteId) && t.UsedAt != null)
            .GroupBy(t => t.BatchId).Select(g => new { g.Key, N = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.N, ct);
        Batches = [.. (await db.Set<SurveyBatch>().AsNoTracking().Where(b => ids.Contains(b.SiteId)).OrderBy(b => b.Id).ToListAsync(ct))
            .Select(b => new BatchRow(b.Id, b.SiteId, b.FirstSerial, b.Count, b.PerSheet, used.GetValueOrDefault(b.Id), b.CreatedAt))];
    }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    /// <summary>The unit a place scores by default: the seat district's subject for a seat, the county towns' for a county.</summary>
    public string? DefaultUnit(Place p) =>
        Units.FirstOrDefault(u => u.Prefecture == p.PrefectureId && u.Level == (p.Seat ? UnitLevel.SeatDistrict : UnitLevel.CountyTowns))?.Id
        ?? Units.FirstOrDefault(u => u.Prefecture == p.PrefectureId)?.Id;

    public async Task<IActionResult> OnPostAddAsync(string? place, string? unit, string? code, int quota, CancellationToken ct)
    {
        await LoadAsync(ct);
        var p = Places.FirstOrDefault(x => x.Name == place);
        if (Period is null || !await db.Periods.AnyAsync(x => x.Id == Period, ct)) Errors.Add(Ui.T("请选择考核期", "choose a period"));
        if (p is null) Errors.Add(Ui.T("place：请选择地市政府所在地或县（区）", "place: choose a prefecture seat or a county"));
        var unitId = string.IsNullOrEmpty(unit) && p is not null ? DefaultUnit(p) : unit;
        if (unitId is null || Units.All(u => u.Id != unitId)) Errors.Add(Ui.T("unit：请选择计入的被考核单位", "unit: choose the unit the site scores"));
        code = (code ?? "").Trim().ToUpperInvariant();
        if (code.Length is 0 or > 16 || !code.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '-')) Errors.Add(Ui.T("code：编号为 1–16 位字母、数字或 -", "code: 1–16 letters, digits or -"));
        if (quota is < 0 or > 100_000) Errors.Add(Ui.T("quota：配额须在 0–100000", "quota: must lie in 0–100000"));
        if (Sites.Any(s => s.Place == place)) Errors.Add(Ui.T($"place：{place} 已是调查点", $"place: {place} is already a site"));
        if (Sites.Any(s => s.Code == code)) Errors.Add(Ui.T($"code：编号 {code} 已使用", $"code: {code} is taken"));
        if (Errors.Count > 0) return Page();
        var site = new SurveySite(Period!, unitId!, place!, code, quota, Sites.Count == 0 ? 1 : Sites.Max(s => s.Order) + 1);
        db.Add(site);
        audit.Record("survey.site-add", "survey-site", () => site.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), null, new { site.PeriodId, site.Place, site.Code, site.UnitId, site.Quota });
        await audit.SaveAsync(ct);
        Message = Ui.T($"已添加调查点 {place}", $"Added site {place}");
        return RedirectToPage(new { period = Period });
    }

    /// <summary>Saves every site's quota at once (the seed's 770 split across the sites).</summary>
    public async Task<IActionResult> OnPostQuotasAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        var tracked = await db.Set<SurveySite>().Where(s => s.PeriodId == Period).ToListAsync(ct);
        foreach (var s in tracked)
        {
            var raw = Request.Form[$"quota_{s.Id}"].ToString();
            if (!int.TryParse(raw, out var q) || q is < 0 or > 100_000)
            {
                Errors.Add(Ui.T($"quota_{s.Id}：{s.Place} 的配额“{raw}”须为 0–100000 的整数", $"quota_{s.Id}: the quota \"{raw}\" of {s.Place} must be a whole number in 0–100000"));
                continue;
            }
            if (q == s.Quota) continue;
            audit.Record("survey.quota", "survey-site", s.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), new { s.Quota }, new { Quota = q });
            s.SetQuota(q);
        }
        if (Errors.Count > 0) return Page();
        await audit.SaveAsync(ct);
        Message = Ui.T($"配额已保存，合计 {tracked.Sum(s => s.Quota)} 份", $"Quotas saved: {tracked.Sum(s => s.Quota)} in all");
        return RedirectToPage(new { period = Period });
    }

    public async Task<IActionResult> OnPostIssueAsync(int site, int count, int perSheet, CancellationToken ct)
    {
        await LoadAsync(ct);
        if (Sites.All(s => s.Id != site)) Errors.Add(Ui.T("site：调查点不存在", "site: no such site"));
        if (count is < 1 or > 2000) Errors.Add(Ui.T("count：每批 1–2000 个二维码", "count: 1–2000 codes per batch"));
        if (perSheet is < 1 or > 12) Errors.Add(Ui.T("perSheet：每页 1–12 个", "perSheet: 1–12 per page"));
        if (Errors.Count > 0) return Page();
        var batch = await surveys.IssueAsync(site, count, perSheet, User.Identity?.Name ?? "office", ct);
        return RedirectToPage("/Surveys/Print", new { batch = batch!.Id });
    }
}
