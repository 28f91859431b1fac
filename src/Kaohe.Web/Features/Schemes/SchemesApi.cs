using System.Text.Json;
using Kaohe.Web.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Schemes;

public sealed record SchemeDto(int Id, string Category, string CategoryName, string PeriodId, int Version, string Name, string Status, DateTimeOffset CreatedAt, string CreatedBy);

public sealed record CreateSchemeRequest(string? Category, string? Period, string? Name, JsonElement Document, Dictionary<string, string>? RuleTexts);

public sealed record EditSchemeRequest(JsonElement Document, Dictionary<string, string>? RuleTexts, string? Reason);

public static class SchemesApi
{
    public static void MapSchemesApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/schemes");
        g.MapGet("", List).RequireAuthorization(Policies.Staff).WithSummary("考核方案 / schemes");
        g.MapGet("/{id:int}", Get).RequireAuthorization(Policies.Staff).WithSummary("方案的 v1 文件 / the scheme as a v1 document");
        g.MapPost("", Create).RequireAuthorization(Policies.Office);
        g.MapPut("/{id:int}/document", Edit).RequireAuthorization(Policies.Office);
        g.MapPost("/{id:int}/activate", Activate).RequireAuthorization(Policies.Office);
        g.MapPost("/{id:int}/versions", NewVersion).RequireAuthorization(Policies.Office);
        g.MapPost("/{id:int}/clone", Clone).RequireAuthorization(Policies.Office);
    }

    private static SchemeDto Dto(Scheme s) => new(s.Id, s.Category, Categories.Name(s.Category, Ui.IsEnglish), s.PeriodId, s.Version, s.Name, s.Status.ToString(), s.CreatedAt, s.CreatedBy);

    private static async Task<Ok<List<SchemeDto>>> List(KaoheDbContext db, string? period = null, string? category = null)
    {
        var q = db.Schemes.AsNoTracking();
        if (period is not null) q = q.Where(s => s.PeriodId == period);
        if (category is not null) q = q.Where(s => s.Category == category);
        var list = await q.OrderBy(s => s.PeriodId).ThenBy(s => s.Category).ThenBy(s => s.Version).ToListAsync();
        return TypedResults.Ok(list.Select(Dto).ToList());
    }

    private static async Task<IResult> Get(int id, KaoheDbContext db)
    {
        var s = await db.Schemes.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id);
        return s is null ? Problems.NotFound("方案不存在", "no such scheme") : TypedResults.Text(s.Document, "application/json; charset=utf-8");
    }

    private static IResult Outcome(SchemeOutcome o, bool created = false) =>
        o.Failure is { } f
            ? f.Errors.Count > 0 ? Problems.Invalid(f.Errors) : Problems.BadRequest(f.Zh, f.En)
            : created ? TypedResults.Created($"/api/v1/schemes/{o.Scheme!.Id}", Dto(o.Scheme)) : TypedResults.Ok(Dto(o.Scheme!));

    private static async Task<IResult> Create(CreateSchemeRequest r, SchemeService schemes)
    {
        if (string.IsNullOrWhiteSpace(r.Category) || string.IsNullOrWhiteSpace(r.Period))
            return Problems.BadRequest("缺少 category 或 period", "category and period are required");
        if (r.Document.ValueKind != JsonValueKind.Object)
            return Problems.BadRequest("document 须为 v1 方案文件（JSON 对象）", "document must be a v1 scheme document (a JSON object)");
        return Outcome(await schemes.CreateAsync(r.Category, r.Period, r.Name ?? Categories.Name(r.Category, false) + "考核方案", r.Document.GetRawText(), r.RuleTexts), created: true);
    }

    private static async Task<IResult> Edit(int id, EditSchemeRequest r, SchemeService schemes)
    {
        if (r.Document.ValueKind != JsonValueKind.Object)
            return Problems.BadRequest("document 须为 v1 方案文件（JSON 对象）", "document must be a v1 scheme document (a JSON object)");
        return Outcome(await schemes.EditAsync(id, r.Document.GetRawText(), r.RuleTexts, r.Reason));
    }

    private static async Task<IResult> Activate(int id, SchemeService schemes) => Outcome(await schemes.ActivateAsync(id));

    private static async Task<IResult> NewVersion(int id, SchemeService schemes) => Outcome(await schemes.NewVersionAsync(id), created: true);

    private static async Task<IResult> Clone(int id, string? period, SchemeService schemes) =>
        string.IsNullOrWhiteSpace(period)
            ? Problems.BadRequest("缺少目标考核期 period", "the target period is required")
            : Outcome(await schemes.CloneAsync(id, period), created: true);
}
