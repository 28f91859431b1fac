using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Accounts;

public sealed record CreateApiKeyRequest(string? Name, string[]? Indicators);

public sealed record ApiKeyDto(int Id, string Name, string Prefix, string[] Indicators, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

public sealed record NewApiKey(ApiKeyDto Key, string Secret);

/// <summary>
/// API keys for the government platforms (智慧工地, 信息归集平台, 施工许可), created by the office and
/// limited to named indicators. The secret is shown once; only its SHA-256 is kept.
/// </summary>
public static class ApiKeysApi
{
    public static void MapApiKeysApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/apikeys").RequireAuthorization(Policies.Office).NotPeriodInputs("platform keys");
        g.MapGet("", List).WithSummary("平台 API 密钥 / platform API keys");
        g.MapPost("", Create).ProducesFailures(FailureKind.Invalid).WithSummary("创建平台 API 密钥（只显示一次）/ create a platform API key (shown once)");
        g.MapDelete("/{id:int}", Revoke).ProducesFailures(FailureKind.NotFound).WithSummary("吊销 / revoke");
    }

    private static ApiKeyDto Dto(ApiKey k) => new(k.Id, k.Name, k.Prefix, k.Indicators.Split(',', StringSplitOptions.RemoveEmptyEntries), k.CreatedBy, k.CreatedAt, k.RevokedAt);

    private static async Task<Ok<List<ApiKeyDto>>> List(KaoheDbContext db) =>
        TypedResults.Ok((await db.ApiKeys.AsNoTracking().OrderBy(k => k.Id).ToListAsync()).Select(Dto).ToList());

    public static async Task<Results<Created<NewApiKey>, ProblemHttpResult>> Create(CreateApiKeyRequest r, KaoheDbContext db, AuditLog audit, TimeProvider clock)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(r.Name) || r.Name.Length > 100) errors["name"] = [Ui.T("须填写 1–100 字的平台名称", "a platform name of 1–100 characters is required")];
        var indicators = (r.Indicators ?? []).Select(i => i.Trim()).Where(i => i.Length > 0).Distinct().ToArray();
        if (indicators.Length == 0) errors["indicators"] = [Ui.T("至少指定一个允许写入的指标", "name at least one indicator the key may write")];
        else if (indicators.Any(i => i.Contains(',') || i.Length > 64)) errors["indicators"] = [Ui.T("指标编码无效", "invalid indicator id")];
        if (errors.Count > 0) return Problems.BadRequest("请求有误", "the request is invalid", errors);
        var secret = "kh_" + Auth.NewSecret();
        var key = new ApiKey(r.Name!.Trim(), secret[..10], Auth.Hash(secret), string.Join(',', indicators), audit.Actor, clock.GetUtcNow());
        db.ApiKeys.Add(key);
        audit.Record("apikey.create", "apikey", () => key.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), null, new { key.Name, key.Prefix, key.Indicators });
        await audit.SaveAsync();
        return TypedResults.Created($"/api/v1/apikeys/{key.Id}", new NewApiKey(Dto(key), secret));
    }

    private static async Task<Results<Ok<ApiKeyDto>, ProblemHttpResult>> Revoke(int id, KaoheDbContext db, AuditLog audit, TimeProvider clock)
    {
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id);
        if (key is null) return Problems.NotFound("密钥不存在", "no such key");
        if (key.RevokedAt is null)
        {
            key.Revoke(clock.GetUtcNow());
            audit.Record("apikey.revoke", "apikey", id.ToString(System.Globalization.CultureInfo.InvariantCulture), null, null);
            await audit.SaveAsync();
        }
        return TypedResults.Ok(Dto(key));
    }
}
