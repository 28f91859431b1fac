using System.Text.Json;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Schemes;

public sealed record SchemeDto(int Id, string Category, string CategoryName, string PeriodId, int Version, string Name, string Status, DateTimeOffset CreatedAt, string CreatedBy);

public sealed record CreateSchemeRequest(string? Category, string? Period, string? Name, JsonElement Document, Dictionary<string, string>? RuleTexts);

public sealed record EditSchemeRequest(JsonElement Document, Dictionary<string, string>? RuleTexts, string? Reason);

/// <summary>
/// A formula as the scheme editor checks it while it is typed: <see cref="Ok"/>, or the first problem at its 1-based
/// <see cref="Position"/>; <see cref="OwnFiguresOnly"/>: its value depends only on the unit's own figures (docs/visibility.md).
/// </summary>
public sealed record FormulaCheckDto(string Formula, bool Ok, int? Position, string? Zh, string? En, bool? OwnFiguresOnly, IReadOnlyList<string> Measures);

public static class SchemesApi
{
    /// <summary>A draft scheme is no input of any period until it is activated (which is).</summary>
    private const string Draft = "a draft scheme; its activation is the input";

    private const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static void MapSchemesApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/schemes");
        g.MapGet("", List).RequireAuthorization(Policies.Staff).WithSummary("考核方案 / schemes");
        g.MapGet("/{id:int}", Get).Produces<JsonElement>().ProducesFailures(FailureKind.NotFound).RequireAuthorization(Policies.Staff).WithSummary("方案的 v1 文件 / the scheme as a v1 document");
        g.MapGet("/formula-check", CheckFormula).ProducesFailures(FailureKind.Invalid).RequireAuthorization(Policies.Office)
            .WithSummary("检查公式（随输随查，不保存）/ check a formula as it is typed, against the scheme's measures; nothing is stored");
        g.MapGet("/{id:int}/xlsx", Xlsx).ProducesFile(XlsxType).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound).RequireAuthorization(Policies.Staff).WithSummary("方案的 Excel 模板 / the scheme as the .xlsx template");
        g.MapPost("", Create).ProducesFailures(FailureKind.Invalid).RequireAuthorization(Policies.Office).NotPeriodInputs(Draft);
        g.MapPost("/import", Import).ProducesFailures(FailureKind.Invalid, FailureKind.TooLarge).RequireAuthorization(Policies.Office).NotPeriodInputs(Draft).DisableAntiforgery()
            .WithSummary("导入 .xlsx 或 .json 方案文件（全部或全不）/ import a .xlsx or .json scheme file, all or nothing");
        g.MapPut("/{id:int}/document", Edit).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound).RequireAuthorization(Policies.Office).NotPeriodInputs(Draft);
        g.MapPost("/{id:int}/activate", Activate).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(Policies.Office).WritesPeriodInputs(PeriodInput.Setup);
        g.MapPost("/{id:int}/versions", NewVersion).ProducesFailures(FailureKind.NotFound).RequireAuthorization(Policies.Office).NotPeriodInputs(Draft);
        g.MapPost("/{id:int}/clone", Clone).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound).RequireAuthorization(Policies.Office).NotPeriodInputs(Draft);
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

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> Get(int id, KaoheDbContext db)
    {
        var s = await db.Schemes.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id);
        return s is null ? Problems.NotFound("方案不存在", "no such scheme") : TypedResults.Text(s.Document, "application/json; charset=utf-8");
    }

    /// <summary>The scheme editor's check of one formula against the measures the document defines (<c>measures</c>, repeated).</summary>
    private static Results<Ok<FormulaCheckDto>, ProblemHttpResult> CheckFormula(string? formula, string[]? measures)
    {
        if (string.IsNullOrWhiteSpace(formula))
            return Problems.BadRequest("缺少要检查的公式 formula", "the formula to check is missing", new Dictionary<string, string[]> { ["formula"] = [Ui.T("必填", "required")] });
        if (measures is { Length: > 1000 })
            return Problems.BadRequest("数据项不能超过 1000 个", "at most 1000 measures", new Dictionary<string, string[]> { ["measures"] = [Ui.T("过多", "too many")] });
        var parsed = Kaohe.Scoring.Formulas.Formula.Parse(formula);
        var problem = parsed.Error ?? Kaohe.Scoring.Formulas.Formula.Check(parsed.Expression!, (measures ?? []).ToHashSet(StringComparer.Ordinal).Contains).FirstOrDefault();
        return TypedResults.Ok(problem is not null
            ? new FormulaCheckDto(formula, false, problem.Position, problem.Zh, problem.En, null, [])
            : new FormulaCheckDto(formula, true, null, null, null, Kaohe.Scoring.Formulas.Formula.DependsOnlyOnOwnFigures(parsed.Expression!),
                Kaohe.Scoring.Formulas.Formula.Measures(parsed.Expression!)));
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Xlsx(int id, KaoheDbContext db)
    {
        var s = await db.Schemes.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id);
        if (s is null) return Problems.NotFound("方案不存在", "no such scheme");
        var read = SchemeService.Parse(s);
        if (!read.IsValid) return Problems.Invalid(read.Errors);
        return TypedResults.File(SchemeXlsx.Export(read.Indicators!, read.Rules!, SchemeService.RuleTexts(s), read.Measures),
            XlsxType, $"scheme-{s.Category}-{s.PeriodId}-v{s.Version}.xlsx");
    }

    /// <summary>A scheme file upload: the .xlsx template or a v1 .json. All or nothing, every error named.</summary>
    private static async Task<Results<Created<SchemeDto>, ProblemHttpResult>> Import(HttpRequest request, SchemeService schemes)
    {
        if (!request.HasFormContentType) return Problems.BadRequest("请以 multipart/form-data 上传文件", "upload the file as multipart/form-data");
        var form = await request.ReadFormAsync();
        var file = form.Files.GetFile("file");
        string category = form["category"].ToString(), period = form["period"].ToString(), name = form["name"].ToString();
        if (file is null || file.Length == 0) return Problems.BadRequest("缺少文件 file", "the file is missing", new Dictionary<string, string[]> { ["file"] = [Ui.T("必填", "required")] });
        if (file.Length > 10 * 1024 * 1024) return Problems.Problem(413, Ui.T("文件过大", "File too large"), Ui.T("方案文件不能超过 10 MB", "a scheme file may not exceed 10 MB"));
        string document;
        IReadOnlyDictionary<string, string>? ruleTexts = null;
        await using var stream = file.OpenReadStream();
        if (file.FileName.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase))
        {
            var sheet = SchemeXlsx.Import(stream);
            if (sheet.Errors.Count > 0 || sheet.Indicators is null) return Problems.Invalid(sheet.Errors);
            document = sheet.Document(period);
            ruleTexts = sheet.RuleTexts;
        }
        else
        {
            using var reader = new StreamReader(stream);
            document = await reader.ReadToEndAsync();
        }
        return CreatedOutcome(await schemes.CreateAsync(category, period, string.IsNullOrWhiteSpace(name) ? Categories.Name(category, false) + "考核方案" : name, document, ruleTexts));
    }

    private static Results<Ok<SchemeDto>, ProblemHttpResult> Outcome(SchemeOutcome o) => o.Failure is { } f ? f.ToProblem() : TypedResults.Ok(Dto(o.Scheme!));

    private static Results<Created<SchemeDto>, ProblemHttpResult> CreatedOutcome(SchemeOutcome o) =>
        o.Failure is { } f ? f.ToProblem() : TypedResults.Created($"/api/v1/schemes/{o.Scheme!.Id}", Dto(o.Scheme));

    private static async Task<Results<Created<SchemeDto>, ProblemHttpResult>> Create(CreateSchemeRequest r, SchemeService schemes)
    {
        if (string.IsNullOrWhiteSpace(r.Category) || string.IsNullOrWhiteSpace(r.Period))
            return Problems.BadRequest("缺少 category 或 period", "category and period are required");
        if (r.Document.ValueKind != JsonValueKind.Object)
            return Problems.BadRequest("document 须为 v1 方案文件（JSON 对象）", "document must be a v1 scheme document (a JSON object)");
        return CreatedOutcome(await schemes.CreateAsync(r.Category, r.Period, r.Name ?? Categories.Name(r.Category, false) + "考核方案", r.Document.GetRawText(), r.RuleTexts));
    }

    private static async Task<Results<Ok<SchemeDto>, ProblemHttpResult>> Edit(int id, EditSchemeRequest r, SchemeService schemes)
    {
        if (r.Document.ValueKind != JsonValueKind.Object)
            return Problems.BadRequest("document 须为 v1 方案文件（JSON 对象）", "document must be a v1 scheme document (a JSON object)");
        return Outcome(await schemes.EditAsync(id, r.Document.GetRawText(), r.RuleTexts, r.Reason));
    }

    private static async Task<Results<Ok<SchemeDto>, ProblemHttpResult>> Activate(int id, SchemeService schemes) => Outcome(await schemes.ActivateAsync(id));

    private static async Task<Results<Created<SchemeDto>, ProblemHttpResult>> NewVersion(int id, SchemeService schemes) => CreatedOutcome(await schemes.NewVersionAsync(id));

    private static async Task<Results<Created<SchemeDto>, ProblemHttpResult>> Clone(int id, string? period, SchemeService schemes) =>
        string.IsNullOrWhiteSpace(period)
            ? Problems.BadRequest("缺少目标考核期 period", "the target period is required")
            : CreatedOutcome(await schemes.CloneAsync(id, period));
}
